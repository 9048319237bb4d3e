import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { posix } from 'node:path';
import {
  handleGet,
  handleList,
  handleMerge,
  handleServices,
  handleUnknown,
  handleUpload,
  handleVersion,
  type HandlerContext,
} from './test-collector/handlers.js';
import { parseLabelsParam, type Label } from './test-collector/query.js';
import { replyError, replyRaw } from './test-collector/reply.js';
import { ProfileStore, type StoredProfile } from './test-collector/store.js';

/**
 * A stand-in for the profefe collector: a real HTTP server on 127.0.0.1 that answers like the
 * real one (docs/profefe-api.md), quirks included, keeps profiles in memory and lets a
 * test inject failures (error answers, hung requests, a collector that is down).
 */

export interface TestCollectorOptions {
  /** Keep the uploaded bytes (default true). false keeps metadata only: for benchmarks. */
  storeBodies?: boolean;
  /** Record every request in `requests` (default true). */
  logRequests?: boolean;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
}

/** One upload attempt as the collector saw it, whatever it answered. */
export interface UploadRecord {
  service: string | null;
  type: string | null;
  /** The `labels` parameter decoded as the collector decodes it (empty when malformed). */
  labels: Record<string, string>;
  /** The `labels` parameter as received, after URL query decoding. */
  rawLabels: string | null;
  bytes: number;
  headers: IncomingHttpHeaders;
  status: number;
  /** The stored profile, when the upload succeeded. */
  id?: string;
  error?: string;
}

export interface RequestRecord {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** undefined while unanswered (a hung request). */
  status: number | undefined;
}

export interface StoredProfileInfo {
  id: string;
  service: string;
  type: string;
  labels: Record<string, string>;
  /** RFC 3339, as the collector lists it. */
  createdAt: string;
  createdAtNanos: bigint;
  size: number;
  /** The bytes as uploaded (undefined with storeBodies: false). */
  body: Buffer | undefined;
}

export interface TestCollector {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly uploads: readonly UploadRecord[];
  readonly requests: readonly RequestRecord[];
  /** Connections (and requests on kept-alive connections) destroyed while the collector was down. */
  readonly refusedConnections: number;
  /** Stored profiles, in upload order. */
  profiles(): StoredProfileInfo[];
  /** The next `n` requests are answered `{"code":status,"error":errorText}`. */
  failNext(n: number, status: number, errorText?: string): void;
  /** The next `n` requests are answered with this body as is (a proxy's HTML page, ...). */
  failNextRaw(n: number, status: number, body: string, contentType?: string): void;
  /** The next `n` requests are read and never answered (until close). */
  hangNext(n: number): void;
  /** While down, every connection is destroyed as soon as it is accepted. */
  setDown(down: boolean): void;
  /** Forget stored profiles, logs and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

type Fault = { kind: 'error'; status: number; error: string } | { kind: 'raw'; status: number; contentType: string; body: string } | { kind: 'hang' };

const VERSION = { version: '0.0.0-test', commit: 'test-collector', build_time: '2024-01-01T00:00:00Z', go_version: 'go1.19.8' };

export async function startTestCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  const store = new ProfileStore();
  const ctx: HandlerContext = { store, storeBodies: options.storeBodies ?? true, version: VERSION };
  const logRequests = options.logRequests ?? true;
  const uploads: UploadRecord[] = [];
  const requests: RequestRecord[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let down = false;
  let refusedConnections = 0;

  const server = createServer((req, res) => {
    if (down) {
      // A keep-alive connection opened before setDown(true).
      refusedConnections++;
      req.socket.destroy();
      return;
    }
    const record: RequestRecord = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, status: undefined };
    if (logRequests) requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    readBody(req)
      .then((body) => route(req, res, body))
      .catch(() => req.socket.destroy());
  });
  server.on('connection', (socket: Socket) => {
    if (down) {
      refusedConnections++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://collector');
    const isUpload = req.method === 'POST' && cleanPath(url.pathname) === '/api/0/profiles';
    const fault = faults.shift();
    if (fault?.kind === 'hang') return;
    if (fault !== undefined) {
      if (fault.kind === 'error') replyError(res, fault.status, fault.error);
      else replyRaw(res, fault.status, fault.contentType, fault.body);
      if (isUpload) uploads.push(uploadRecord(req, url.searchParams, body, { status: fault.status }));
      return;
    }
    const path = cleanPath(url.pathname);
    const q = url.searchParams;
    if (path === undefined) return replyError(res, 400, 'bad request');
    if (!path.startsWith('/api/0/') && path !== '/api/0') return replyRaw(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    if (path === '/api/0/profiles') {
      if (req.method === 'POST') {
        // The record is pushed once answered, in answer order.
        handleUpload(ctx, q, body, res)
          .then((outcome) => uploads.push(uploadRecord(req, q, body, outcome)))
          .catch(() => req.socket.destroy());
        return;
      }
      if (req.method === 'GET') return handleList(ctx, q, res);
    } else if (req.method === 'GET') {
      if (path === '/api/0/profiles/merge') return handleMerge(ctx, q, res);
      if (path.startsWith('/api/0/profiles/')) return handleGet(ctx, path.slice('/api/0/profiles/'.length), res);
      if (path === '/api/0/services') return handleServices(ctx, res);
      if (path === '/api/0/version') return handleVersion(ctx, res);
    }
    handleUnknown(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}`,
    uploads,
    requests,
    get refusedConnections() {
      return refusedConnections;
    },
    profiles: () => store.all().map(info),
    failNext(n, status, errorText) {
      const error = errorText ?? STATUS_CODES[status]?.toLowerCase() ?? 'error';
      for (let i = 0; i < n; i++) faults.push({ kind: 'error', status, error });
    },
    failNextRaw(n, status, body, contentType = 'text/html') {
      for (let i = 0; i < n; i++) faults.push({ kind: 'raw', status, contentType, body });
    },
    hangNext(n) {
      for (let i = 0; i < n; i++) faults.push({ kind: 'hang' });
    },
    setDown(value) {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    reset() {
      store.clear();
      uploads.length = 0;
      requests.length = 0;
      faults.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Go's `path.Clean` on the URL-decoded path; undefined when the path does not decode. */
function cleanPath(rawPath: string): string | undefined {
  try {
    return posix.normalize(decodeURIComponent(rawPath)).replace(/(.)\/+$/, '$1');
  } catch {
    return undefined;
  }
}

function uploadRecord(req: IncomingMessage, q: URLSearchParams, body: Buffer, outcome: { status: number; id?: string; error?: string }): UploadRecord {
  const rawLabels = q.get('labels');
  const parsed = parseLabelsParam(rawLabels ?? '');
  return {
    service: q.get('service'),
    type: q.get('type'),
    labels: 'labels' in parsed ? toRecord(parsed.labels) : {},
    rawLabels,
    bytes: body.length,
    headers: req.headers,
    ...outcome,
  };
}

function info(p: StoredProfile): StoredProfileInfo {
  return {
    id: p.id,
    service: p.service,
    type: p.type,
    labels: toRecord(p.labels),
    createdAt: p.createdAt,
    createdAtNanos: p.createdAtNanos,
    size: p.size,
    body: p.body,
  };
}

function toRecord(labels: readonly Label[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l.key, l.value]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

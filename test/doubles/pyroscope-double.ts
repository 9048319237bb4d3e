import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Profile } from 'pprof-format';
import { type Codec, type ConnectCode, replyConnectError, replyEmptyMessage, replyRaw } from './pyroscope-double/connect-reply.js';
import { decodePushRequest, decodePushRequestJson, type WireSeries } from './pyroscope-double/push-wire.js';
import { type AcceptedSample, DEFAULT_LIMITS, decodeSamples, type PyroscopeLimits, validateLabels, validateSample } from './pyroscope-double/validate.js';

/**
 * A stand-in for Grafana Pyroscope's push API (/work/shared/PYROSCOPE_API.md): a real HTTP
 * server on 127.0.0.1 that takes `POST /push.v1.PusherService/Push` in the Connect protocol
 * (binary or JSON, gzip or not), decodes it with its own wire reader, makes the server's checks,
 * answers as connect-go does, and keeps what it accepted. A test can script failures (Connect
 * errors, a proxy's page, hung requests, a server that is down), require a tenant or
 * credentials (as a gateway in front of Pyroscope would), lower the limits, and serve HTTPS with
 * a certificate of its own (a test-ca.ts one: a private CA).
 */

export const PUSH_PATH = '/push.v1.PusherService/Push';

export interface PyroscopeDoubleOptions {
  readonly limits?: Partial<PyroscopeLimits>;
  /** Multi-tenant: a push without `X-Scope-OrgID` is unauthenticated ("no org id"). */
  readonly requireTenant?: boolean;
  /** A gateway in front: any other `Authorization` gets 401 (its own page, not a Connect error). */
  readonly authorization?: string;
  /** Serve HTTPS with this certificate and key (PEM, e.g. issued by makeTestCa for IP 127.0.0.1). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** One push as the double saw it, whatever it answered. */
export interface PushRecord {
  readonly headers: IncomingHttpHeaders;
  /** The decoded request (undefined when it did not decode). */
  series: WireSeries[] | undefined;
  status: number | undefined;
  /** The Connect error code and message when the answer was one. */
  code?: string;
  message?: string;
}

/** A profile Pyroscope would have stored. */
export interface StoredPyroscopeProfile {
  readonly tenant: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly id: string;
  /** The bytes as sent (gzipped or not). */
  readonly rawProfile: Buffer;
  readonly profile: Profile;
}

export interface PyroscopeDouble {
  /** `http://127.0.0.1:<port>` (`https://` with the `tls` option): the base URL (`--pyroscope-url`). */
  readonly url: string;
  /** TCP connections accepted, TLS handshakes that failed included: how many times a client tried. */
  readonly connections: number;
  readonly pushes: readonly PushRecord[];
  readonly profiles: readonly StoredPyroscopeProfile[];
  /** The next `n` pushes are answered with this Connect error (status from the code). */
  failNext(n: number, code: ConnectCode, message?: string): void;
  /** The next `n` requests get this answer as is (a proxy's or a load balancer's page). */
  failNextRaw(n: number, status: number, body: string, contentType?: string): void;
  /** The next `n` requests are read and never answered (until close). */
  hangNext(n: number): void;
  /** While down, every connection is destroyed as soon as it is accepted. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

type Fault = { kind: 'connect'; code: ConnectCode; message: string } | { kind: 'raw'; status: number; contentType: string; body: string } | { kind: 'hang' };

export async function startPyroscopeDouble(options: PyroscopeDoubleOptions = {}): Promise<PyroscopeDouble> {
  const limits: PyroscopeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const pushes: PushRecord[] = [];
  const profiles: StoredPyroscopeProfile[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let down = false;
  let connections = 0;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (down) return void req.socket.destroy();
    readBody(req)
      .then((body) => handle(req, res, body))
      .catch(() => req.socket.destroy());
  };
  const server = options.tls === undefined ? createServer(onRequest) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    if (down) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const fault = faults.shift();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'raw') return replyRaw(res, fault.status, fault.contentType, fault.body);
    const path = new URL(req.url ?? '/', 'http://pyroscope').pathname;
    if (path !== PUSH_PATH) return replyRaw(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    if (req.method !== 'POST') return replyRaw(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', { allow: 'POST' });
    if (options.authorization !== undefined && req.headers.authorization !== options.authorization) {
      return replyRaw(res, 401, 'text/plain; charset=utf-8', 'Unauthorized\n');
    }
    const codec = codecOf(req.headers['content-type']);
    if (codec === undefined) return replyRaw(res, 415, 'text/plain; charset=utf-8', '', { 'accept-post': 'application/json, application/proto' });
    const record: PushRecord = { headers: req.headers, series: undefined, status: undefined };
    pushes.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    const fail = (code: ConnectCode, message: string) => {
      record.code = code;
      record.message = message;
      replyConnectError(res, code, message);
    };
    const decoded = decodeRequest(req.headers, body, codec);
    if ('error' in decoded) return fail(decoded.code, decoded.error);
    record.series = decoded.series;
    if (fault?.kind === 'connect') return fail(fault.code, fault.message);
    const tenant = header(req.headers, 'x-scope-orgid');
    if (options.requireTenant && tenant === undefined) return fail('unauthenticated', 'no org id');
    const accepted = acceptSeries(decoded.series, tenant);
    if (typeof accepted === 'string') return fail('invalid_argument', accepted);
    profiles.push(...accepted);
    replyEmptyMessage(res, codec);
  }

  /**
   * The distributor's checks in its order: every sample fits the size limit and decodes (and is
   * recent enough), at least one sample, then the labels. A push is stored whole or not at all.
   */
  function acceptSeries(series: readonly WireSeries[], tenant: string | undefined): StoredPyroscopeProfile[] | string {
    const decoded: { series: WireSeries; samples: AcceptedSample[] }[] = [];
    for (const s of series) {
      const samples = decodeSamples(s, limits);
      if (typeof samples === 'string') return samples;
      const problem = firstProblem(samples, s, Date.now());
      if (problem !== undefined) return problem;
      decoded.push({ series: s, samples });
    }
    if (decoded.every((d) => d.samples.length === 0)) return 'no profiles received';
    const stored: StoredPyroscopeProfile[] = [];
    for (const { series: s, samples } of decoded) {
      const problem = validateLabels(s.labels, limits);
      if (problem !== undefined) return problem;
      const labels = Object.fromEntries(s.labels.map((l) => [l.name, l.value]));
      for (const sample of samples) stored.push({ tenant, labels, id: sample.id, rawProfile: sample.rawProfile, profile: sample.profile });
    }
    return stored;
  }

  function firstProblem(samples: readonly AcceptedSample[], series: WireSeries, nowMs: number): string | undefined {
    for (const sample of samples) {
      const problem = validateSample(sample, series.labels, limits, nowMs);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const queue = (n: number, fault: Fault) => faults.push(...Array.from({ length: n }, () => fault));

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${address}:${port}`,
    get connections() {
      return connections;
    },
    pushes,
    profiles,
    failNext: (n, code, message = `${code.replace(/_/g, ' ')} (scripted)`) => queue(n, { kind: 'connect', code, message }),
    failNextRaw: (n, status, body, contentType = 'text/html') => queue(n, { kind: 'raw', status, contentType, body }),
    hangNext: (n) => queue(n, { kind: 'hang' }),
    setDown(value) {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Decoded = { series: WireSeries[] } | { code: ConnectCode; error: string };

/** connect-go's unary handling: protocol version, compression, then the codec. */
function decodeRequest(headers: IncomingHttpHeaders, body: Buffer, codec: Codec): Decoded {
  const version = header(headers, 'connect-protocol-version');
  if (version !== undefined && version !== '1') return { code: 'invalid_argument', error: `connect-protocol-version must be "1": got "${version}"` };
  const encoding = header(headers, 'content-encoding') ?? 'identity';
  let bytes = body;
  if (encoding === 'gzip') {
    try {
      bytes = gunzipSync(body);
    } catch (err) {
      return { code: 'invalid_argument', error: `decompress: ${(err as Error).message}` };
    }
  } else if (encoding !== 'identity') {
    return { code: 'unimplemented', error: `unknown compression "${encoding}": supported encodings are gzip` };
  }
  try {
    return { series: codec === 'proto' ? decodePushRequest(bytes) : decodePushRequestJson(bytes.toString('utf8')) };
  } catch (err) {
    return { code: 'invalid_argument', error: `unmarshal into push.v1.PushRequest: ${(err as Error).message}` };
  }
}

function codecOf(contentType: string | undefined): Codec | undefined {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (media === 'application/proto') return 'proto';
  if (media === 'application/json') return 'json';
  return undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

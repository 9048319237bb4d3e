import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { PROFILE_TYPE_SPECS, PROFILE_TYPES, type ProfileType } from '../../src/profile-types.js';
import { fixture } from './fixtures.js';

/** Go's net/http `bufferBeforeChunkingSize`: larger responses without a declared length are chunked. */
const GO_CHUNKING_BUFFER_BYTES = 2048;

/**
 * A Go program serving net/http/pprof, as seen from the network: the same paths, status codes,
 * headers and error texts as Go's handlers (src/net/http/pprof/pprof.go, Go 1.19), real profile
 * bytes, `/profile` blocking for `?seconds=N` (default 30), and named profiles given `seconds`
 * answering after N seconds as Go's delta profiles (`<name>-delta`; the bytes are the fixture,
 * not a real delta). Options emulate a server's WriteTimeout, Go before 1.16 and custom
 * profiles. Faults make one type misbehave.
 */
export type Fault =
  | 'status404' // Go's mux 404 "404 page not found"
  | 'status500' // 500 from the pprof handler (e.g. a CPU profile already running)
  | 'html' // 200 text/html: an app's catch-all page instead of pprof
  | 'text' // 200 text/plain: the ?debug=1 output (goroutine-debug1.txt)
  | 'empty' // 200 with an empty body
  | 'truncated' // 200 with the first half of the gzipped profile
  | 'huge' // 200, chunked, no Content-Length, streams more than any cap
  | 'huge-declared' // 200 with a Content-Length of HUGE_BODY_BYTES, then streams
  | 'hang' // accepts the request and never answers
  | 'stall' // sends the headers and half the body, then nothing more
  | 'redirect' // 302 to a login page
  | 'reset'; // resets the connection

export const FAULTS: readonly Fault[] = [
  'status404',
  'status500',
  'html',
  'text',
  'empty',
  'truncated',
  'huge',
  'huge-declared',
  'hang',
  'stall',
  'redirect',
  'reset',
];

/** What `huge` and `huge-declared` would send if nobody stopped reading. */
export const HUGE_BODY_BYTES = 1024 * 1024 * 1024;

export interface FakePodOptions {
  /** Listen address: any 127.x.y.z. Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Where net/http/pprof is mounted. Default `/debug/pprof`. */
  prefix?: string;
  /** Bytes served per type. Default: the real fixtures. */
  profiles?: Partial<Record<ProfileType, Buffer>>;
  faults?: Partial<Record<ProfileType, Fault>>;
  /** Serve HTTPS with this certificate and key (PEM), as a Go program's ListenAndServeTLS does. */
  tls?: { cert: string; key: string };
  /**
   * The program's http.Server WriteTimeout, in seconds: Go refuses a CPU or delta profile whose
   * `seconds` is not below it (400 "profile duration exceeds server's WriteTimeout").
   */
  writeTimeoutSeconds?: number;
  /** Serve named profiles as Go before 1.16 did: `seconds` ignored, the cumulative profile at once. */
  beforeGo116?: boolean;
  /**
   * Profiles the program made with pprof.NewProfile, served by pprof.Handler(name) under the
   * prefix (bytes per name). Go serves no delta for them: `seconds` gets 400.
   */
  customProfiles?: Readonly<Record<string, Buffer>>;
}

/** One request the pod received. The byte counters keep moving while the response streams. */
export interface FakePodRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly at: Date;
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** Body bytes written so far. */
  bytesSent: number;
  /** The response was completely written. */
  finished: boolean;
  /** The connection closed before the response was completely written. */
  closedEarly: boolean;
}

export interface FakePod {
  readonly ip: string;
  readonly port: number;
  /** `ip:port` */
  readonly host: string;
  readonly prefix: string;
  readonly requests: FakePodRequest[];
  /** `http://ip:port<prefix>/<endpoint>[?seconds=N]` for a type. */
  url(type: ProfileType, seconds?: number): string;
  setFault(type: ProfileType, fault: Fault | undefined): void;
  setProfile(type: ProfileType, body: Buffer): void;
  close(): Promise<void>;
}

const HTML_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Orders</title></head>
<body><div id="root"></div><script src="/static/app.3f9c1.js"></script></body>
</html>
`;

const INDEX_PAGE = (prefix: string): string => `<html>
<head>
<title>${prefix}/</title>
</head>
<body>
${prefix}/<br>
<p>Set debug=1 as a query parameter to export in legacy text format</p>
<br>
Types of profiles available:
<table>
<thead><td>Count</td><td>Profile</td></thead>
${PROFILE_TYPES.filter((t) => t !== 'cpu')
  .map((t) => `<tr><td>1</td><td><a href='${t}?debug=1'>${t}</a></td></tr>`)
  .join('\n')}
<tr><td></td><td><a href='profile'>profile</a></td></tr>
</table>
</body>
</html>
`;

const ZEROS = Buffer.alloc(64 * 1024);

/** The headers of Go's pprof handlers for a profile. */
const pprofHeaders = (filename: string) => ({
  'X-Content-Type-Options': 'nosniff',
  'Content-Type': 'application/octet-stream',
  'Content-Disposition': `attachment; filename="${filename}"`,
});

/** Go's profileSupportsDelta: the profiles `seconds` makes a delta of; any other (custom) profile gets 400. */
const GO_DELTA_PROFILES: ReadonlySet<string> = new Set(['allocs', 'block', 'goroutine', 'heap', 'mutex', 'threadcreate']);

export async function startFakePod(opts: FakePodOptions = {}): Promise<FakePod> {
  const host = opts.host ?? '127.0.0.1';
  const prefix = (opts.prefix ?? '/debug/pprof').replace(/\/+$/, '');
  const profiles = new Map<ProfileType, Buffer>();
  for (const type of PROFILE_TYPES) profiles.set(type, opts.profiles?.[type] ?? fixture(type));
  const faults = new Map<ProfileType, Fault>(Object.entries(opts.faults ?? {}) as Array<[ProfileType, Fault]>);
  const byEndpoint = new Map<string, ProfileType>(PROFILE_TYPES.map((t) => [PROFILE_TYPE_SPECS[t].endpoint, t]));
  const requests: FakePodRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let cpuBusy = false;
  let closing = false;

  const later = (ms: number, res: ServerResponse, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    // Like Go's sleep(r, d): a client that goes away ends the wait.
    res.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const tls = opts.tls;
  const serve = (listener: RequestListener): Server =>
    tls === undefined ? createServer(listener) : (createHttpsServer({ cert: tls.cert, key: tls.key }, listener) as unknown as Server);
  const server: Server = serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-pod');
    const record: FakePodRequest = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: new Date(),
      headers: req.headers,
      bytesSent: 0,
      finished: false,
      closedEarly: false,
    };
    requests.push(record);
    res.once('finish', () => {
      record.finished = true;
    });
    res.once('close', () => {
      if (!record.finished) record.closedEarly = true;
    });
    const send = (status: number, headers: Record<string, string | number>, body?: Buffer | string): void => {
      const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
      // Like Go's net/http: a handler's output that fits its 2048-byte chunking buffer gets a
      // Content-Length; anything larger (every real profile but the smallest) goes out chunked.
      res.writeHead(status, bytes.length <= GO_CHUNKING_BUFFER_BYTES ? { ...headers, 'Content-Length': bytes.length } : headers);
      record.bytesSent += bytes.length;
      res.end(bytes);
    };
    const serveError = (status: number, text: string): void => {
      send(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'X-Go-Pprof': '1' }, `${text}\n`);
    };

    if (url.pathname === prefix) {
      send(301, { Location: `${prefix}/`, 'Content-Type': 'text/html; charset=utf-8' }, `<a href="${prefix}/">Moved Permanently</a>.\n\n`);
      return;
    }
    if (!url.pathname.startsWith(`${prefix}/`)) {
      send(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, '404 page not found\n');
      return;
    }
    const name = url.pathname.slice(prefix.length + 1);
    if (name === '') {
      send(200, { 'Content-Type': 'text/html; charset=utf-8' }, INDEX_PAGE(prefix));
      return;
    }
    const custom = opts.customProfiles?.[name];
    if (custom !== undefined) {
      serveNamed(name, custom, url.searchParams, res, send, serveError, true);
      return;
    }
    const type = byEndpoint.get(name);
    if (type === undefined) {
      serveError(404, 'Unknown profile');
      return;
    }
    const fault = faults.get(type);
    if (fault !== undefined) {
      serveFault(fault, type, req, res, record, send, serveError);
      return;
    }
    const profile = profiles.get(type)!;
    const seconds = url.searchParams.get('seconds');

    if (type === 'cpu') {
      // Go: an unparsable or non-positive value means the default, 30 s.
      const parsed = parseGoInt(seconds ?? '');
      const sec = parsed === undefined || parsed <= 0 ? 30 : parsed;
      if (exceedsWriteTimeout(sec)) {
        serveError(400, "profile duration exceeds server's WriteTimeout");
        return;
      }
      if (cpuBusy) {
        serveError(500, 'Could not enable CPU profiling: cpu profiling already in use');
        return;
      }
      cpuBusy = true;
      res.once('close', () => {
        cpuBusy = false;
      });
      later(sec * 1000, res, () => send(200, pprofHeaders('profile'), profile));
      return;
    }

    serveNamed(name, profile, url.searchParams, res, send, serveError, opts.beforeGo116 !== true);
  });

  const exceedsWriteTimeout = (seconds: number): boolean => opts.writeTimeoutSeconds !== undefined && seconds >= opts.writeTimeoutSeconds;

  /** Go's pprof.Handler(name): the profile, its `?debug=1` text, or (`deltas`: Go 1.16+) a delta over `seconds`. */
  function serveNamed(
    name: string,
    profile: Buffer,
    query: URLSearchParams,
    res: ServerResponse,
    send: (status: number, headers: Record<string, string | number>, body?: Buffer | string) => void,
    serveError: (status: number, text: string) => void,
    deltas: boolean,
  ): void {
    const seconds = query.get('seconds');
    const debug = parseGoInt(query.get('debug') ?? '') ?? 0;
    if (deltas && seconds !== null && seconds !== '') {
      // Go's serveDeltaProfile: its checks, in its order.
      const sec = parseGoInt(seconds);
      if (sec === undefined || sec <= 0) {
        serveError(400, 'invalid value for "seconds" - must be a positive integer');
        return;
      }
      if (!GO_DELTA_PROFILES.has(name)) {
        serveError(400, '"seconds" parameter is not supported for this profile type');
        return;
      }
      if (exceedsWriteTimeout(sec)) {
        serveError(400, "profile duration exceeds server's WriteTimeout");
        return;
      }
      if (debug !== 0) {
        serveError(400, 'seconds and debug params are incompatible');
        return;
      }
      later(sec * 1000, res, () => send(200, pprofHeaders(`${name}-delta`), profile));
      return;
    }
    if (debug !== 0) {
      const text = name === 'goroutine' ? fixture('goroutine-debug1') : `${name} profile: total 1\n1 @ 0x43a5a6 0x46b8e1\n#\t0x43a5a5\truntime.main+0x205\n`;
      send(200, { 'X-Content-Type-Options': 'nosniff', 'Content-Type': 'text/plain; charset=utf-8' }, text);
      return;
    }
    send(200, pprofHeaders(name), profile);
  }

  function serveFault(
    fault: Fault,
    type: ProfileType,
    req: IncomingMessage,
    res: ServerResponse,
    record: FakePodRequest,
    send: (status: number, headers: Record<string, string | number>, body?: Buffer | string) => void,
    serveError: (status: number, text: string) => void,
  ): void {
    const octet = { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${PROFILE_TYPE_SPECS[type].endpoint}"` };
    switch (fault) {
      case 'status404':
        send(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, '404 page not found\n');
        return;
      case 'status500':
        serveError(500, type === 'cpu' ? 'Could not enable CPU profiling: cpu profiling already in use' : 'failed to collect profile');
        return;
      case 'html':
        send(200, { 'Content-Type': 'text/html; charset=utf-8' }, HTML_PAGE);
        return;
      case 'text':
        send(200, { 'Content-Type': 'text/plain; charset=utf-8' }, fixture('goroutine-debug1'));
        return;
      case 'empty':
        send(200, octet);
        return;
      case 'truncated': {
        const profile = profiles.get(type)!;
        send(200, octet, profile.subarray(0, Math.floor(profile.length / 2)));
        return;
      }
      case 'huge':
      case 'huge-declared':
        res.writeHead(200, fault === 'huge' ? octet : { ...octet, 'Content-Length': HUGE_BODY_BYTES });
        streamZeros(res, record);
        return;
      case 'hang':
        return;
      case 'stall': {
        const profile = profiles.get(type)!;
        res.writeHead(200, { ...octet, 'Content-Length': profile.length });
        const half = profile.subarray(0, Math.floor(profile.length / 2));
        record.bytesSent += half.length;
        res.write(half);
        return;
      }
      case 'redirect': {
        const location = `http://${req.socket.localAddress}:${req.socket.localPort}/login?next=${encodeURIComponent(req.url ?? '/')}`;
        send(302, { Location: location, 'Content-Type': 'text/html; charset=utf-8' }, `<a href="${location}">Found</a>.\n\n`);
        return;
      }
      case 'reset':
        req.socket.resetAndDestroy();
        return;
    }
  }

  /** Writes a gzip magic then zeros until HUGE_BODY_BYTES, respecting backpressure, until the client leaves. */
  function streamZeros(res: ServerResponse, record: FakePodRequest): void {
    const first = Buffer.from(ZEROS);
    first[0] = 0x1f;
    first[1] = 0x8b;
    let chunk: Buffer = first;
    const pump = (): void => {
      while (!closing && !res.destroyed && record.bytesSent < HUGE_BODY_BYTES) {
        const piece = chunk.subarray(0, Math.min(chunk.length, HUGE_BODY_BYTES - record.bytesSent));
        record.bytesSent += piece.length;
        chunk = ZEROS;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed && record.bytesSent >= HUGE_BODY_BYTES) res.end();
    };
    pump();
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    ip: host,
    port,
    host: `${host}:${port}`,
    prefix,
    requests,
    url(type, seconds) {
      const query = seconds === undefined ? '' : `?seconds=${seconds}`;
      return `${tls === undefined ? 'http' : 'https'}://${host}:${port}${prefix}/${PROFILE_TYPE_SPECS[type].endpoint}${query}`;
    },
    setFault(type, fault) {
      if (fault === undefined) faults.delete(type);
      else faults.set(type, fault);
    },
    setProfile(type, body) {
      profiles.set(type, body);
    },
    async close() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Go's strconv.ParseInt(s, 10, 64) for the values that matter here: an optional sign and digits. */
function parseGoInt(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface FakePodFleet {
  readonly pods: FakePod[];
  close(): Promise<void>;
}

/**
 * `n` pods on distinct loopback addresses 127.0.x.y (y from 1 to 254), each on a free port, the
 * way pods have distinct IPs in a cluster. Linux routes all of 127/8 to lo, so no setup is needed.
 */
export async function startFakePods(n: number, opts: Omit<FakePodOptions, 'host' | 'port'> = {}): Promise<FakePodFleet> {
  if (n > 254 * 256) throw new Error(`startFakePods: at most ${254 * 256} pods fit in 127.0.0.0/16`);
  const pods: FakePod[] = [];
  const batch = 256;
  for (let start = 0; start < n; start += batch) {
    const ips = Array.from({ length: Math.min(batch, n - start) }, (_, k) => loopbackIp(start + k));
    const started = await Promise.allSettled(ips.map((host) => startFakePod({ ...opts, host })));
    for (const result of started) if (result.status === 'fulfilled') pods.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(pods.map((pod) => pod.close()));
      throw failed.reason;
    }
  }
  return {
    pods,
    close: async () => {
      await Promise.all(pods.map((pod) => pod.close()));
    },
  };
}

/** The i-th address of 127.0.0.1, 127.0.0.2, ..., 127.0.0.254, 127.0.1.1, ... */
export function loopbackIp(i: number): string {
  return `127.0.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

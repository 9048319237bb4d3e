import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { Target } from '../discover/target.js';
import { ProfileError } from '../profile-error.js';
import { PROFILE_TYPE_SPECS } from '../profile-types.js';
import { VERSION } from '../version.js';
import type { ScrapedProfile } from './scraped-profile.js';
import { describeSource, validateProfile } from './validate-profile.js';

export interface FetchProfileOptions {
  /** Request timeout in ms; for timed types (cpu) the pod's `seconds` are added to it. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes (`--max-profile-size`). */
  readonly maxBytes: number;
  /** Aborts the fetch; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** undici dispatcher; the global one by default. */
  readonly dispatcher?: Dispatcher;
  /** Told of every chunk of body bytes as it arrives (for the run's byte budget). */
  readonly onBytes?: (bytes: number) => void;
}

export const USER_AGENT = `kube-profefe/${VERSION}`;

/**
 * The bound on the whole exchange (connect, headers and body). A timed profile (cpu) makes the
 * pod block for `seconds` before it answers, so those are added to `timeoutMs`.
 */
export function requestTimeoutMs(target: Pick<Target, 'type' | 'seconds'>, timeoutMs: number): number {
  if (PROFILE_TYPE_SPECS[target.type].timed && target.seconds !== undefined) return target.seconds * 1000 + timeoutMs;
  return timeoutMs;
}

/**
 * Fetches one target's profile and validates it as pprof. Never follows redirects, never buffers
 * more than `maxBytes`. Rejects with ProfileError (TARGET_*), or with `signal.reason` when the
 * caller aborts.
 */
export async function fetchProfile(target: Target, opts: FetchProfileOptions): Promise<ScrapedProfile> {
  opts.signal?.throwIfAborted();
  const where = describeSource(target);
  const totalMs = requestTimeoutMs(target, opts.timeoutMs);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${totalMs} ms`));
  }, totalMs);
  const onAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let body: Buffer;
  try {
    body = await download(target, opts, controller.signal, totalMs, where);
  } catch (err) {
    if (err instanceof ProfileError) throw err;
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timedOut || isUndiciTimeout(err)) throw timeoutError(target, opts.timeoutMs, totalMs, where, err);
    throw connectionError(target, where, err);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  const scrapedAt = new Date();
  await validateProfile(body, target);
  return { target, body, scrapedAt };
}

async function download(
  target: Target,
  opts: FetchProfileOptions,
  signal: AbortSignal,
  totalMs: number,
  where: string,
): Promise<Buffer> {
  const response = await request(target.url, {
    method: 'GET',
    headers: { accept: 'application/octet-stream', 'user-agent': USER_AGENT },
    signal,
    // Our own timer bounds the exchange; undici's inactivity timeouts must not fire first.
    headersTimeout: totalMs + 1000,
    bodyTimeout: totalMs + 1000,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  const { statusCode, headers, body } = response;

  if (statusCode >= 300 && statusCode < 400) {
    discard(body);
    const location = headerValue(headers.location) ?? '(no Location header)';
    throw new ProfileError(
      'TARGET_HTTP_STATUS',
      `redirect to ${location} not followed${where}: the pod answered ${statusCode}; ` +
        'point the annotation at the pprof endpoint itself (profefe.com/path and profefe.com/port)',
    );
  }
  if (statusCode < 200 || statusCode >= 300) {
    const snippet = await readSnippet(body);
    throw new ProfileError('TARGET_HTTP_STATUS', `HTTP ${statusCode}${where}: ${JSON.stringify(snippet)}; ${statusAdvice(statusCode)}`);
  }

  const declared = Number(headerValue(headers['content-length']) ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    discard(body);
    throw tooLarge(opts.maxBytes, `its Content-Length is ${declared} bytes`, where);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > opts.maxBytes) {
      discard(body);
      throw tooLarge(opts.maxBytes, `more than ${opts.maxBytes} bytes arrived`, where);
    }
    chunks.push(chunk);
    size += chunk.length;
    opts.onBytes?.(chunk.length);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function statusAdvice(status: number): string {
  if (status === 404) return 'check the profefe.com/path and profefe.com/port annotations: the pod serves no pprof endpoint there';
  if (status === 401 || status === 403) return 'the endpoint wants credentials; expose net/http/pprof without authentication on the pod network';
  if (status >= 500) return 'the pod failed to produce the profile; see its logs';
  return 'the endpoint must answer 200 with a Go pprof profile';
}

function tooLarge(maxBytes: number, detail: string, where: string): ProfileError {
  return new ProfileError(
    'TARGET_TOO_LARGE',
    `the profile is larger than the ${formatBytes(maxBytes)} cap${where}: ${detail}; ` +
      'raise --max-profile-size if profiles this large are expected',
  );
}

function timeoutError(target: Target, timeoutMs: number, totalMs: number, where: string, cause: unknown): ProfileError {
  const budget = totalMs === timeoutMs ? `${totalMs} ms` : `${totalMs} ms (${target.seconds} s of profiling + ${timeoutMs} ms)`;
  return new ProfileError(
    'TARGET_TIMEOUT',
    `no complete answer within ${budget}${where}: the pod is slow or overloaded, or something drops the traffic; raise --timeout if the pod is just slow`,
    { cause },
  );
}

const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

function connectionError(target: Target, where: string, cause: unknown): ProfileError {
  const address = hostPort(target.url);
  const code = errorCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  let message: string;
  if (code !== undefined && REFUSED.has(code)) {
    message = `nothing listens on ${address}${where}: check the profefe.com/port annotation and that the program serves net/http/pprof`;
  } else if (code !== undefined && RESET.has(code)) {
    message = `the connection to ${address} was ${code === 'ECONNRESET' ? 'reset' : 'closed'} before the response was complete${where} (${code}: ${detail}): the pod may be restarting or crashed while profiling`;
  } else if (code !== undefined && UNREACHABLE.has(code)) {
    message = `no route to ${address}${where} (${code}): the pod may be gone, or a network policy blocks the scraper`;
  } else if (code?.startsWith('HPE_')) {
    message = `${address} does not answer with valid HTTP${where} (${code}): check the profefe.com/port annotation`;
  } else {
    message = `could not fetch from ${address}${where}: ${code ?? 'error'}: ${detail}`;
  }
  return new ProfileError('TARGET_CONNECT', message, { cause });
}

function isUndiciTimeout(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT';
}

/** The error's code, looking through `cause` and AggregateError members. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    const inner = e instanceof AggregateError ? e.errors[0] : (e as { cause?: unknown }).cause;
    e = inner;
  }
  return undefined;
}

/** The first 200 bytes of an error body, printable characters only. */
async function readSnippet(body: Readable): Promise<string> {
  const limit = 200;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // A snippet is best effort: the status says enough.
  } finally {
    discard(body);
  }
  const text = Buffer.concat(chunks, size).subarray(0, limit).toString('utf8');
  return text
    .replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ')
    .replace(/\uFFFD/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Drops a body we will not read; undici reports the abort as an 'error' nobody needs to hear. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? (parsed.protocol === 'https:' ? '443' : '80') : parsed.port}`;
  } catch {
    return url;
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (bytes >= 1024 * 1024 && Number.isInteger(mib * 10)) return `${mib} MiB`;
  const kib = bytes / 1024;
  if (bytes >= 1024 && Number.isInteger(kib * 10)) return `${kib} KiB`;
  return `${bytes} bytes`;
}

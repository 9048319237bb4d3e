import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Target } from '../discover/target.js';
import { freeBuffer } from '../free-buffer.js';
import { onAbort } from '../on-abort.js';
import { PROFILE_TYPE_SPECS } from '../profile-types.js';
import { VERSION } from '../version.js';
import { connectionError, redirectError, statusError, timeoutError, tooLarge } from './fetch-errors.js';
import { answeredWindow, cumulativeError, emptyAnswer, refusedWindow, refusesSeconds, withoutSeconds } from './fetch-window.js';
import type { ScrapedProfile } from './scraped-profile.js';
import { describeSource, validateProfile } from './validate-profile.js';

export interface FetchProfileOptions {
  /** Request timeout in ms; for window types (cpu, allocs, block, mutex) the pod's `seconds` are added to it. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes (`--max-profile-size`). */
  readonly maxBytes: number;
  /** Aborts the fetch; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Agent from the run's transport (a pool to pod IPs, or one that dials a port-forward); an https.Agent for https targets; the global agent of the scheme by default. */
  readonly agent?: http.Agent;
  /** Extra request headers (an https target's Authorization); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Told of every chunk of body bytes as it arrives (for the run's byte budget). */
  readonly onBytes?: (bytes: number) => void;
  /**
   * Called when the pod has answered 2xx, before its body is read; the body waits (TCP
   * back-pressure) and the timeout clock stops until it resolves, then `timeoutMs` is left for
   * the body. The run admits window profiles into its byte budget here: they start at once, and
   * their bytes only exist N seconds later.
   */
  readonly beforeBody?: () => Promise<void>;
}

export const USER_AGENT = `kube-profefe/${VERSION}`;

/**
 * The bound on the whole exchange (connect, headers and body). A window profile (cpu, allocs,
 * block, mutex) makes the pod block for `seconds` before it answers, so those are added to `timeoutMs`.
 */
export function requestTimeoutMs(target: Pick<Target, 'type' | 'seconds'>, timeoutMs: number): number {
  if (PROFILE_TYPE_SPECS[target.type].timed && target.seconds !== undefined) return target.seconds * 1000 + timeoutMs;
  return timeoutMs;
}

/**
 * Fetches one target's profile and validates it as pprof. Never follows redirects, never buffers
 * more than `maxBytes`. Rejects with ProfileError (TARGET_*), or with `signal.reason` when the
 * caller aborts. A window profile says the window it covers; for a counter type (allocs, block,
 * mutex) whose target refuses `?seconds` (400), the target is asked once more without it, and the
 * profile says it is cumulative (fetch-window.ts). A window profile without samples rejects with
 * EmptyWindow (not a ProfileError: not a failure); without samples otherwise, TARGET_EMPTY.
 */
export async function fetchProfile(target: Target, opts: FetchProfileOptions): Promise<ScrapedProfile> {
  opts.signal?.throwIfAborted();
  const spec = PROFILE_TYPE_SPECS[target.type];
  const seconds = target.seconds;
  if (!spec.timed || seconds === undefined) return (await fetchOnce(target, opts)).profile;
  const startedAt = performance.now();
  let fetched: Fetched;
  try {
    fetched = await fetchOnce(target, opts, true);
  } catch (err) {
    if (!spec.cumulativeFallback || !refusesSeconds(err)) throw err;
    const window = refusedWindow(target, err);
    try {
      return { ...(await fetchOnce(withoutSeconds(target), opts)).profile, target, window };
    } catch (again) {
      throw cumulativeError(again, window);
    }
  }
  const window = spec.cumulativeFallback ? answeredWindow(seconds, performance.now() - startedAt) : { kind: 'window' as const, seconds };
  if (fetched.samples === 0) throw emptyAnswer(target, window);
  return { ...fetched.profile, window };
}

interface Fetched {
  readonly profile: ScrapedProfile;
  /** Samples in the profile: 0 only when `allowNoSamples` let a profile without samples through. */
  readonly samples: number;
}

async function fetchOnce(target: Target, opts: FetchProfileOptions, allowNoSamples = false): Promise<Fetched> {
  const body = await download(target, opts, describeSource(target));
  const scrapedAt = new Date();
  const { samples } = await validateProfile(body, target, { allowNoSamples });
  return { profile: { target, body, scrapedAt }, samples };
}

/**
 * One GET with node:http (far less memory per open request than undici). Settles once; every
 * failure destroys the request and its socket, so a refused body stops being read at once.
 */
function download(target: Target, opts: FetchProfileOptions, where: string): Promise<Buffer> {
  const totalMs = requestTimeoutMs(target, opts.timeoutMs);
  return new Promise<Buffer>((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = (target.scheme === 'https' ? https : http).get({
        host: target.pod.ip,
        port: target.port,
        path: target.path,
        agent: opts.agent,
        headers: { ...opts.headers, accept: 'application/octet-stream', 'user-agent': USER_AGENT },
      });
    } catch (err) {
      reject(connectionError(target, opts.timeoutMs, totalMs, where, err));
      return;
    }
    let settled = false;
    const settle = (err: unknown, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      if (body === undefined) {
        req.destroy();
        reject(err);
      } else {
        resolve(body);
      }
    };
    const timedOut = (): void => settle(timeoutError(target, opts.timeoutMs, totalMs, where, new Error(`timed out after ${totalMs} ms`)));
    let timer = setTimeout(timedOut, totalMs);
    const stopListening = onAbort(opts.signal, () => settle(opts.signal?.reason));
    const failed = (err: unknown): void => settle(connectionError(target, opts.timeoutMs, totalMs, where, err));
    req.on('error', failed);

    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.on('error', () => {});
        settle(redirectError(status, headerValue(res.headers.location), where));
        return;
      }
      if (status < 200 || status >= 300) {
        readSnippet(res, (snippet) => settle(statusError(status, snippet, where)));
        return;
      }
      res.on('error', failed); // the connection closed before the body was complete
      const declared = Number(headerValue(res.headers['content-length']) ?? NaN);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        settle(tooLarge(opts.maxBytes, `its Content-Length is ${declared} bytes`, where));
        return;
      }
      if (opts.beforeBody === undefined) {
        readBody(res);
        return;
      }
      // Until its data listener is added, the response reads nothing: the pod's writes wait.
      clearTimeout(timer);
      opts.beforeBody().then(
        () => {
          if (settled) return;
          timer = setTimeout(timedOut, opts.timeoutMs);
          readBody(res);
        },
        (err: unknown) => settle(err),
      );
    });

    function readBody(res: IncomingMessage): void {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > opts.maxBytes) {
          settle(tooLarge(opts.maxBytes, `more than ${opts.maxBytes} bytes arrived`, where));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
        opts.onBytes?.(chunk.length);
      });
      res.on('end', () => {
        if (chunks.length === 1) {
          settle(undefined, chunks[0]!);
          return;
        }
        const body = Buffer.concat(chunks, size);
        // node:http copies each piece of body into its own buffer: they are not needed any more.
        for (const chunk of chunks) freeBuffer(chunk);
        settle(undefined, body);
      });
    }
  });
}

/** The first 200 bytes of an error body, printable characters only (best effort: errors end it early). */
function readSnippet(res: IncomingMessage, done: (snippet: string) => void): void {
  const limit = 200;
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    const text = Buffer.concat(chunks, size).subarray(0, limit).toString('utf8');
    done(
      text
        .replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ')
        .replace(/\uFFFD/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  };
  res.on('data', (chunk: Buffer) => {
    if (finished) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) finish();
  });
  res.on('end', finish);
  res.on('error', finish);
  res.on('close', finish);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

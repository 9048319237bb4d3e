/**
 * A failed push to Pyroscope, and whether trying again may help: the rules of Grafana Alloy's
 * writer (/work/shared/PYROSCOPE_API.md): retry 5xx, 408, 429, connection errors, timeouts and
 * the Connect codes unknown, internal, unavailable, data_loss, aborted and resource_exhausted;
 * never another 4xx. A failed TLS handshake is a connection error Alloy would retry, but a
 * certificate that is not trusted, not for the host or expired does not fix itself in seconds:
 * it is not retried, and the message says what to change. Carries the server's own message and
 * never a request header.
 */
import { codedError, type TlsFailure } from '../transport/tls-failure.js';

export type PyroscopeFailureKind =
  | 'status' // an answer other than 200 (a Connect error, or a proxy's page)
  | 'network' // connection refused, reset or closed before a complete answer
  | 'tls' // an https:// URL whose TLS handshake failed (certificate not trusted, ...)
  | 'timeout' // no complete answer within the push timeout
  | 'aborted' // the caller's AbortSignal fired
  | 'bad-reply'; // 200, but not a Connect answer to Push

/** Connect codes Alloy retries whatever the HTTP status. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['unknown', 'internal', 'unavailable', 'data_loss', 'aborted', 'resource_exhausted']);

export interface PyroscopeErrorInit {
  readonly kind: PyroscopeFailureKind;
  /** `--pyroscope-url` as given (no credentials can be in it). */
  readonly baseUrl: string;
  readonly status?: number;
  /** The Connect code, as the server's JSON names it or as Connect derives it from the status. */
  readonly code?: string;
  /** The server's message, verbatim (empty when the answer had none). */
  readonly serverMessage?: string;
  readonly timeoutMs?: number;
  /** What failed in the TLS handshake (kind `tls`). */
  readonly tls?: TlsFailure;
  readonly cause?: unknown;
}

export class PyroscopeError extends Error {
  override readonly name = 'PyroscopeError';
  readonly kind: PyroscopeFailureKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly serverMessage: string | undefined;
  readonly tls: TlsFailure | undefined;
  readonly retryable: boolean;

  constructor(init: PyroscopeErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.tls = init.tls;
    this.retryable = shouldRetryPush(init);
  }
}

/** The `shouldRetry` predicate for retryWithBackoff. */
export function isRetryablePyroscopeError(err: unknown): boolean {
  return err instanceof PyroscopeError && err.retryable;
}

/** Alloy's rule, as a pure function of what the push got back; a failed TLS handshake (`tls`) is not retried. */
export function shouldRetryPush(failure: Pick<PyroscopeErrorInit, 'kind' | 'status' | 'code'>): boolean {
  if (failure.kind === 'network' || failure.kind === 'timeout') return true;
  if (failure.kind !== 'status' || failure.status === undefined) return false;
  const { status } = failure;
  if (status >= 500 || status === 408 || status === 429) return true;
  if (status >= 400) return false;
  return failure.code !== undefined && RETRYABLE_CODES.has(failure.code);
}

/** Pyroscope's message for a profile over `max_profile_size_bytes`: `... (max_profile_size_byte, actual: N, limit: M)`. */
const SIZE_LIMIT = /max_profile_size_bytes?, actual: (\d+), limit: (\d+)/;

function describe(init: PyroscopeErrorInit): string {
  const at = `Pyroscope at ${init.baseUrl}`;
  switch (init.kind) {
    case 'status': {
      const code = init.code !== undefined ? ` (${init.code})` : '';
      const what = init.serverMessage ? `: ${init.serverMessage}` : '';
      return `${at} answered ${init.status}${code} to Push${what}${hint(init)}`;
    }
    case 'network':
      return `could not reach ${at}: ${causeText(init.cause)}. Check --pyroscope-url and that Pyroscope is running`;
    case 'tls':
      return tlsText(at, init.tls, init.cause);
    case 'timeout':
      return `${at} did not answer Push within ${init.timeoutMs === undefined ? 'the timeout' : `${init.timeoutMs / 1000}s`}`;
    case 'aborted':
      return `the push to ${at} was cancelled`;
    case 'bad-reply':
      return `${at} answered 200 to Push with something that is not a Connect reply${
        init.serverMessage ? ` (${init.serverMessage})` : ''
      }. Check that --pyroscope-url is Pyroscope's base URL`;
  }
}

function tlsText(at: string, failure: TlsFailure | undefined, error: unknown): string {
  const cause = causeText(error);
  switch (failure) {
    case 'untrusted':
      return `the certificate of ${at} is not trusted (${cause}): pass --pyroscope-ca-file with the CA that signed it`;
    case 'wrong-name':
      return `the certificate of ${at} is not for its host (${cause}): use a --pyroscope-url whose host name the certificate holds`;
    case 'expired':
      return `the certificate of ${at} is not valid now (${cause}): renew Pyroscope's certificate`;
    case 'not-tls':
      // OpenSSL's message for a plain-HTTP answer is a long internal trace: its code says enough.
      return `${at} does not speak TLS (${codedError(error)?.code ?? 'EPROTO'}): use an http:// --pyroscope-url, or check its port`;
    default:
      return `the TLS handshake with ${at} failed (${cause})`;
  }
}

function hint(init: PyroscopeErrorInit): string {
  const size = SIZE_LIMIT.exec(init.serverMessage ?? '');
  if (size !== null) {
    return (
      `. The profile is ${size[1]} bytes uncompressed, over the tenant's limit of ${size[2]}: raise Pyroscope's ` +
      'max_profile_size_bytes for the tenant (flag -validation.max-profile-size-bytes, or the tenant overrides)'
    );
  }
  const status = init.status;
  if (status === 413) return '. A proxy in front of Pyroscope limits the request body size: raise that limit (the profile is sent gzipped, as scraped)';
  if (status === 401 || status === 403 || init.code === 'unauthenticated' || init.code === 'permission_denied') {
    return '. Check --pyroscope-basic-auth-file or --pyroscope-bearer-token-file, and --pyroscope-tenant';
  }
  if (status === 404 || status === 405 || status === 415) {
    return `. Check that --pyroscope-url is Pyroscope's base URL: the push API is ${init.baseUrl}/push.v1.PusherService/Push`;
  }
  if (status !== undefined && status >= 300 && status < 400) return '. Redirects are not followed: use the URL Pyroscope is served at';
  if (status === 429 || init.code === 'resource_exhausted') return ". The tenant's ingestion rate limit was reached";
  return '';
}

function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  let error: unknown = cause;
  // Connect wraps the socket error; its own message repeats the code, so show the innermost one.
  while (error instanceof Error && error.cause instanceof Error) error = error.cause;
  const inner = error as Error & { code?: unknown };
  const message = inner.message || inner.name;
  return typeof inner.code === 'string' && !message.includes(inner.code) ? `${message} (${inner.code})` : message;
}

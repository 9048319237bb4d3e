/**
 * A failed request to the profefe collector. Carries what a person needs to act on it (the
 * collector's own `error` text verbatim, the method and URL) and never any request header.
 */

export type ProfefeFailureKind =
  | 'status' // the collector (or a proxy in front of it) answered something other than 200
  | 'network' // connection refused, reset or closed before a complete answer
  | 'timeout' // no complete answer within the client's timeout
  | 'aborted' // the caller's AbortSignal fired
  | 'bad-reply'; // 200, but the body is not a profefe envelope

export interface ProfefeErrorInit {
  kind: ProfefeFailureKind;
  /** The collector base URL, without credentials, e.g. `http://profefe:10100`. */
  baseUrl: string;
  method: string;
  /** Path below the base URL, e.g. `/api/0/profiles`. */
  path: string;
  /** The full request URL, without credentials. */
  url: string;
  status?: number;
  serverError?: string;
  /** For non-envelope answers: the start of the body, to show what answered instead. */
  bodyExcerpt?: string;
  timeoutMs?: number;
  cause?: unknown;
}

export class ProfefeError extends Error {
  override readonly name = 'ProfefeError';
  readonly kind: ProfefeFailureKind;
  /** HTTP status; `undefined` when no answer arrived (network error, timeout, abort). */
  readonly status: number | undefined;
  /** The collector's `error` text, verbatim, when the answer was a profefe error envelope. */
  readonly serverError: string | undefined;
  readonly method: string;
  readonly url: string;
  /** Whether trying again may succeed: 5xx, 429, network errors and timeouts. Not other 4xx. */
  readonly retryable: boolean;

  constructor(init: ProfefeErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.serverError = init.serverError;
    this.method = init.method;
    this.url = init.url;
    this.retryable = isRetryable(init.kind, init.status);
  }

  /** The collector's "no results" answer: 404 with `nothing found` (list, merge, services, get). */
  get nothingFound(): boolean {
    return this.status === 404 && this.serverError === 'nothing found';
  }
}

/** The `shouldRetry` predicate for retryWithBackoff. */
export function isRetryableProfefeError(err: unknown): boolean {
  return err instanceof ProfefeError && err.retryable;
}

function isRetryable(kind: ProfefeFailureKind, status: number | undefined): boolean {
  if (kind === 'network' || kind === 'timeout') return true;
  if (kind !== 'status' || status === undefined) return false;
  return status >= 500 || status === 429;
}

function describe(init: ProfefeErrorInit): string {
  const at = `profefe at ${init.baseUrl}`;
  const request = `${init.method} ${init.path}`;
  switch (init.kind) {
    case 'status': {
      const what =
        init.serverError !== undefined
          ? `: ${init.serverError}`
          : init.bodyExcerpt
            ? ` with a body that is not a profefe reply: ${JSON.stringify(init.bodyExcerpt)}`
            : ' with an empty body';
      return `${at} answered ${init.status} to ${request}${what}${statusHint(init.status)}`;
    }
    case 'network':
      return `could not reach ${at} (${request}): ${causeText(init.cause)}. Check the collector URL and that the collector is running`;
    case 'timeout':
      return `${at} did not answer ${request} within ${formatSeconds(init.timeoutMs)}`;
    case 'aborted':
      return `${request} to ${at} was cancelled`;
    case 'bad-reply':
      return `${at} answered 200 to ${request} with a body that is not a profefe reply${
        init.bodyExcerpt ? `: ${JSON.stringify(init.bodyExcerpt)}` : ''
      }. Check that the URL points at the profefe collector`;
  }
}

function statusHint(status: number | undefined): string {
  if (status === 401 || status === 403 || status === 407) {
    return '. The collector has no authentication of its own: a proxy in front of it refused the request; check the headers configured for the collector';
  }
  if (status !== undefined && status >= 300 && status < 400) {
    return '. Redirects are not followed: use the URL the collector is served at';
  }
  if (status === 413) return '. A proxy in front of the collector limits the request body size';
  return '';
}

function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const message = cause.message || cause.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

function formatSeconds(ms: number | undefined): string {
  if (ms === undefined) return 'the timeout';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

import type { Target } from '../discover/target.js';
import { ProfileError } from '../profile-error.js';
import { codedError, tlsFailure } from '../transport/tls-failure.js';
import { formatBytes } from '../units/byte-size.js';

/** The ProfileErrors of fetchProfile: what went wrong with a target, and what to do about it. */

export function redirectError(status: number, location: string | undefined, where: string): ProfileError {
  return new ProfileError(
    'TARGET_HTTP_STATUS',
    `redirect to ${location ?? '(no Location header)'} not followed${where}: the pod answered ${status}; ` +
      'point the annotation at the pprof endpoint itself (profefe.com/path and profefe.com/port)',
  );
}

/** A non-2xx answer; its status and the start of its body are kept for callers that act on them (a 400 to `?seconds`). */
export class TargetStatusError extends ProfileError {
  constructor(
    readonly status: number,
    readonly snippet: string,
    message: string,
  ) {
    super('TARGET_HTTP_STATUS', message);
  }
}

export function statusError(status: number, snippet: string, where: string): TargetStatusError {
  return new TargetStatusError(status, snippet, `HTTP ${status}${where}: ${JSON.stringify(snippet)}; ${statusAdvice(status, snippet)}`);
}

function statusAdvice(status: number, snippet: string): string {
  if (status === 404) return 'check the profefe.com/path and profefe.com/port annotations: the pod serves no pprof endpoint there';
  if (status === 400 && snippet.includes('HTTPS server')) return 'the pod serves HTTPS: annotate it profefe.com/scheme: https (or pass --target-scheme https)';
  if (status === 401 || status === 403)
    return 'the endpoint wants credentials: pass --target-bearer-token-file (the token is sent over https only: profefe.com/scheme: https)';
  if (status >= 500) return 'the pod failed to produce the profile; see its logs';
  return 'the endpoint must answer 200 with a Go pprof profile';
}

export function tooLarge(maxBytes: number, detail: string, where: string): ProfileError {
  return new ProfileError(
    'TARGET_TOO_LARGE',
    `the profile is larger than the ${formatBytes(maxBytes)} cap${where}: ${detail}; ` + 'raise --max-profile-size if profiles this large are expected',
  );
}

export function timeoutError(target: Target, timeoutMs: number, totalMs: number, where: string, cause: unknown): ProfileError {
  const budget = totalMs === timeoutMs ? `${totalMs} ms` : `${totalMs} ms (${target.seconds} s of profiling + ${timeoutMs} ms)`;
  return new ProfileError(
    'TARGET_TIMEOUT',
    `no complete answer within ${budget}${where}: the pod is slow or overloaded, or something drops the traffic; raise --timeout if the pod is just slow`,
    { cause },
  );
}

const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** A socket-level failure (node:http / node:net error), or a connect timed out by the OS. */
export function connectionError(target: Target, timeoutMs: number, totalMs: number, where: string, cause: unknown): ProfileError {
  const address = hostPort(target.url);
  const code = errorCode(cause);
  if (code === 'ETIMEDOUT') return timeoutError(target, timeoutMs, totalMs, where, cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  const tls = tlsError(code, detail, address, where, cause);
  if (tls !== undefined) return tls;
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

/** A failed TLS handshake with an https target (TARGET_TLS), or undefined when the error is not one. */
function tlsError(code: string | undefined, detail: string, address: string, where: string, cause: unknown): ProfileError | undefined {
  if (code === undefined) return undefined;
  let message: string;
  switch (tlsFailure(code, detail)) {
    case 'untrusted':
      message = `certificate not trusted; pass --target-ca-file with the CA that signed the certificate of ${address}${where} (${code}: ${detail})`;
      break;
    case 'wrong-name':
      message = `the certificate of ${address} is not for the name checked${where} (${detail}); pass --target-server-name with a name the certificate holds`;
      break;
    case 'expired':
      message = `the certificate of ${address} is not valid now${where} (${code}: ${detail}): renew the pod's certificate`;
      break;
    case 'not-tls':
      message = `${address} does not speak TLS${where} (${code}): annotate the pod profefe.com/scheme: http, or check profefe.com/port`;
      break;
    case 'handshake':
      message = `the TLS handshake with ${address} failed${where} (${code}: ${detail})`;
      break;
    case undefined:
      return undefined;
  }
  return new ProfileError('TARGET_TLS', message, { cause });
}

/** The error's code, looking through `cause` and AggregateError members. */
function errorCode(err: unknown): string | undefined {
  return codedError(err)?.code;
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? (parsed.protocol === 'https:' ? '443' : '80') : parsed.port}`;
  } catch {
    return url;
  }
}

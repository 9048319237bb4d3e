/**
 * What a failed TLS handshake means, from the error code Node gives it: shared by the scrape of
 * HTTPS pods (TARGET_TLS) and the push to an HTTPS Pyroscope, which word their own advice.
 */

/** `untrusted`: no trusted CA signed it; `wrong-name`: not for the name checked; `expired`: not valid now; `not-tls`: the other end speaks plain HTTP; `handshake`: any other TLS failure. */
export type TlsFailure = 'untrusted' | 'wrong-name' | 'expired' | 'not-tls' | 'handshake';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The kind of TLS failure of an error with `code` and message `detail`, or undefined when it is not one. */
export function tlsFailure(code: string | undefined, detail: string): TlsFailure | undefined {
  if (code === undefined) return undefined;
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrong-name';
  if (EXPIRED.has(code)) return 'expired';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/.test(detail)) return 'not-tls';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO' || /^(CERT|UNABLE_TO)_/.test(code)) return 'handshake';
  return undefined;
}

/** The first error carrying a string `code` (Node's codes; not Connect's numeric ones), looking through `cause` and AggregateError members. */
export function codedError(err: unknown): (Error & { code: string }) | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return e as Error & { code: string };
    e = e instanceof AggregateError ? e.errors[0] : (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Why a profile was not stored. Every failure carries a stable `code` (the run summary counts
 * failures by it) and a message that says what happened and what to do.
 */
export type ProfileErrorCode =
  // scrape: the target
  | 'TARGET_CONNECT' // connection refused, reset, no route
  | 'TARGET_TLS' // HTTPS target: certificate not trusted, not for this name, expired; or no TLS spoken
  | 'TARGET_TIMEOUT' // no complete answer within the request timeout
  | 'TARGET_HTTP_STATUS' // non-2xx answer (404, 500, ...), or a redirect (never followed)
  | 'TARGET_TEXT' // 200 with text or HTML instead of pprof
  | 'TARGET_EMPTY' // 200 with an empty body, or a profile with no samples
  | 'TARGET_INVALID_PPROF' // bytes that are neither gzip nor protobuf pprof, or a truncated gzip
  | 'TARGET_TOO_LARGE' // body over the size cap
  // store: the sink
  | 'SINK_REJECTED' // the collector answered 4xx, or its TLS certificate fails verification: retrying cannot help
  | 'SINK_UNAVAILABLE' // 5xx, 429 or connection errors, after the retries
  | 'SINK_IO' // local file system errors
  // the run
  | 'INTERRUPTED' // the run was stopped (SIGINT/SIGTERM) before this profile was stored
  | 'INTERNAL_ERROR'; // a bug in a stage: reported and counted, never dropped

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly code: ProfileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

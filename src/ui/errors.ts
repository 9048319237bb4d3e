/**
 * How a failure shows on a page or in the API: a bad URL parameter is the user's to fix (400); a
 * source that cannot be reached (collector down, 5xx, timeout; a directory gone) is temporary:
 * the page says so and reloads itself until the source is back (503); anything else (profiles of
 * different kinds in one merge, a profile that does not decode) is shown as it is (422).
 */
import { ProfefeError } from '../profefe/profefe-error.js';
import { SourceError } from '../source/source-error.js';
import { ViewParamError } from './view-params.js';

export type FailureKind = 'bad-request' | 'unavailable' | 'refused';

export interface UiFailure {
  readonly kind: FailureKind;
  readonly status: 400 | 503 | 422;
  readonly message: string;
}

export function describeFailure(err: unknown): UiFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ViewParamError) return { kind: 'bad-request', status: 400, message };
  if (isUnavailable(err)) return { kind: 'unavailable', status: 503, message };
  return { kind: 'refused', status: 422, message };
}

/** The source cannot answer now; asking again later may work. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof ProfefeError) return err.retryable;
  if (err instanceof SourceError) return err.kind === 'unavailable';
  return err instanceof Error && err.cause !== undefined && isUnavailable(err.cause);
}

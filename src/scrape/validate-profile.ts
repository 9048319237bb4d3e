/**
 * The scraper's side of the profile check: every fetched body goes through checkProfile
 * (pprof/valid-profile.ts, the rules and reasons `kubectl profefe load` applies too), with the
 * target named in the message. A refused body is an InvalidProfileError, a ProfileError whose
 * code (TARGET_EMPTY, TARGET_TEXT, TARGET_INVALID_PPROF, TARGET_TOO_LARGE) the run counts.
 */
import { checkProfile, type InvalidProfileError, noSamplesError, type ProfileWireSummary } from '../pprof/valid-profile.js';

/** Where a profile came from, for messages. A Target fits. */
export interface ProfileSource {
  readonly url: string;
  readonly type?: string;
  readonly pod?: { readonly namespace: string; readonly name: string };
}

/** ` (heap profile of pod default/api-1, GET http://10.0.0.7:6060/debug/pprof/heap)`, or '' without a source. */
export function describeSource(source: ProfileSource | undefined): string {
  if (source === undefined) return '';
  const what = source.type === undefined ? 'profile' : `${source.type} profile`;
  const pod = source.pod === undefined ? '' : ` of pod ${source.pod.namespace}/${source.pod.name}`;
  return ` (${what}${pod}, GET ${source.url})`;
}

export interface ValidateOptions {
  readonly maxInflatedBytes?: number;
  /**
   * Accept a profile with sample types and no samples (its summary says `samples: 0`): a window
   * profile, whose caller tells an empty window from a failure (fetch-window.ts).
   */
  readonly allowNoSamples?: boolean;
}

/**
 * Accepts what `go tool pprof` and the profefe collector accept: a gzipped or raw protobuf
 * Profile with at least one sample type and one sample, checked while it inflates (see
 * checkProfile). Throws InvalidProfileError (a ProfileError): TARGET_EMPTY (empty body, no
 * samples), TARGET_TEXT (text or HTML), TARGET_INVALID_PPROF (anything else, including a
 * truncated gzip), TARGET_TOO_LARGE (inflates past `maxInflatedBytes`).
 */
export function validateProfile(body: Buffer, source?: ProfileSource, options: ValidateOptions = {}): Promise<ProfileWireSummary> {
  const subject = { kind: 'target', where: describeSource(source) } as const;
  return checkProfile(body, { subject, maxInflatedBytes: options.maxInflatedBytes, allowNoSamples: options.allowNoSamples });
}

/** The refusal validateProfile gives a profile without samples, for one accepted with `allowNoSamples` and then found not storable. */
export function noSamplesFrom(source: ProfileSource): InvalidProfileError {
  return noSamplesError({ kind: 'target', where: describeSource(source) });
}

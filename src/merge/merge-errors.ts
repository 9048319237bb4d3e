/**
 * Why a profile was not merged: it is not a pprof profile the merge can read (a
 * ProfileDecodeError naming it, as everywhere else in kube-profefe), or it is not of the same
 * kind as the profiles merged before it (IncompatibleProfilesError, naming both).
 */
import { ProfileDecodeError } from '../pprof/decode-profile.js';
import { InvalidProfileError } from '../pprof/valid-profile.js';
import { SourceProfileError } from './source-profile.js';

export { ProfileDecodeError };

/** Profiles of different kinds (sample types or period type): `go tool pprof` refuses to merge them too. */
export class IncompatibleProfilesError extends Error {
  override readonly name = 'IncompatibleProfilesError';
  constructor(
    message: string,
    /** The profile that was refused. */
    readonly profile: string,
    /** The first profile merged, whose kind the others must have. */
    readonly mergedWith: string,
  ) {
    super(message);
  }
}

/** A decode failure for the profile called `name`, as a ProfileDecodeError that names it. */
export function namedDecodeError(name: string, err: unknown): unknown {
  if (err instanceof ProfileDecodeError) return err;
  if (err instanceof InvalidProfileError) return new ProfileDecodeError(name, err.reason, err.message, { cause: err });
  if (err instanceof SourceProfileError)
    return new ProfileDecodeError(name, 'MALFORMED', `${name} is a malformed pprof profile: ${err.message}`, { cause: err });
  return err;
}

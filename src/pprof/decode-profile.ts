/**
 * Bytes <-> pprof `Profile` (pprof-format). What is accepted, and the message for what is not,
 * is valid-profile.ts: the rules the scraper and `kubectl profefe load` apply. Messages name the
 * bytes as the caller does (a file, a URL, a profile id).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { isGzip } from './gzip.js';
import { checkDecodedProfile, checkProfileSync, InvalidProfileError, undecodableProfile, type ProfileRejection, type ProfileSubject } from './valid-profile.js';

export { Profile, isGzip };

/** The bytes are not a pprof profile. `source` is what the caller named them (file, URL, id). */
export class ProfileDecodeError extends InvalidProfileError {
  constructor(
    readonly source: string,
    reason: ProfileRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }
}

/**
 * Checks (checkProfileSync) and decodes a pprof profile, gzipped or raw. `source` names the bytes
 * in error messages ("profile.pb.gz", "http://…/debug/pprof/heap"). A profile with sample types
 * but no samples is accepted: it can be shown, though the collector would not store it.
 * Throws ProfileDecodeError (an InvalidProfileError) with the reason valid-profile.ts gives.
 */
export function decodeProfile(bytes: Uint8Array, source = 'profile'): Profile {
  return named(source, (subject) => {
    const { protobuf } = checkProfileSync(bytes, { subject, allowNoSamples: true });
    return decodeProtobuf(protobuf, subject);
  });
}

/**
 * Decodes bytes that already passed checkProfile (as `kubectl profefe load` does: the scraper's
 * check first, then this for the decoded profile), applying the checks only a decoded profile
 * allows. Throws ProfileDecodeError.
 */
export function decodeCheckedProfile(bytes: Uint8Array, source = 'profile'): Profile {
  return named(source, (subject) => decodeProtobuf(isGzip(bytes) ? gunzipSync(bytes) : bytes, subject));
}

/** Serialises a profile; gzipped by default, as Go's runtime/pprof writes it. */
export function encodeProfile(profile: Profile, options: { gzip?: boolean } = {}): Buffer {
  const raw = profile.encode();
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return options.gzip === false ? buffer : gzipSync(buffer);
}

function decodeProtobuf(protobuf: Uint8Array, subject: ProfileSubject): Profile {
  let profile: Profile;
  try {
    profile = Profile.decode(protobuf);
  } catch (err) {
    throw undecodableProfile(err, subject);
  }
  checkDecodedProfile(profile, subject);
  return profile;
}

/** Runs `fn` with `source` as the subject; its InvalidProfileError comes out as a ProfileDecodeError for `source`. */
function named<T>(source: string, fn: (subject: ProfileSubject) => T): T {
  try {
    return fn({ kind: 'named', name: source });
  } catch (err) {
    if (err instanceof InvalidProfileError && !(err instanceof ProfileDecodeError)) {
      throw new ProfileDecodeError(source, err.reason, err.message, err.cause === undefined ? undefined : { cause: err.cause });
    }
    throw err;
  }
}

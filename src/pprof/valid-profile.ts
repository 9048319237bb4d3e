/**
 * What kube-profefe accepts as a pprof profile and why it refuses anything else. This file holds
 * the one set of rules and reasons for every way a profile comes in: a body the scraper fetched
 * (scrape/validate-profile.ts, on every scrape), a file `kubectl profefe load` uploads, and the
 * bytes the other commands decode (decode-profile.ts).
 *
 * Accepted: a gzipped or raw protobuf pprof Profile that the Go decoder (`go tool pprof`, the
 * profefe collector) reads, with at least one sample type and one sample. The check streams:
 * gzip is inflated as it is scanned by ProfileWireScanner (pprof-wire.ts), so a large profile is
 * never held inflated and nothing is decoded into objects, and inflating stops at
 * `maxInflatedBytes` (a gzip bomb).
 *
 * Refused, with an InvalidProfileError whose `reason` says why:
 *   EMPTY           no bytes, or a gzip stream that inflates to nothing
 *   TEXT            text instead of a profile: `?debug=1` output, an HTML or JSON page, gzipped or not
 *   NO_SAMPLES      a profile without samples (or sample types): there is nothing to store
 *   NOT_PPROF       binary that is not a pprof protobuf, raw or inside gzip
 *   MALFORMED       a pprof protobuf whose parts do not fit together (string indices, values per
 *                   sample; once decoded, the ids samples, locations, mappings and functions refer to)
 *   TRUNCATED_GZIP  a gzip stream cut short
 *   CORRUPT_GZIP    a gzip stream that does not inflate
 *   TOO_LARGE       a gzip stream that inflates past `maxInflatedBytes`
 *
 * The message names the bytes as the caller knows them (a scrape target: "the target returned
 * ... (heap profile of pod shop/api-1, GET http://...)"; anything else by name: "cpu.pb.gz is
 * ...") and says the same thing about the bytes either way.
 *
 * What only a decoded profile shows (the id references) is checked by checkDecodedProfile, which
 * callers that decode anyway apply after checkProfile; the scraper does not decode and leaves
 * those to the collector, which refuses them. Bodies over FULL_CHECK_MAX_BODY_BYTES get the
 * top-level wire check (see there); checkDecodedProfile covers the rest for callers that decode.
 */
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Profile } from 'pprof-format';
import { ProfileError, type ProfileErrorCode } from '../profile-error.js';
import { isGzip } from './gzip.js';
import { PprofWireError, ProfileWireScanner, profileConsistencyError, sampleValuesMismatch, type ProfileWireSummary } from './pprof-wire.js';

export type { ProfileWireSummary } from './pprof-wire.js';

/** Why bytes are not a profile kube-profefe accepts. */
export type ProfileRejection = 'EMPTY' | 'TEXT' | 'NO_SAMPLES' | 'NOT_PPROF' | 'MALFORMED' | 'TRUNCATED_GZIP' | 'CORRUPT_GZIP' | 'TOO_LARGE';

/** The run summary's failure code for each reason (a scraped body that is refused is counted by it). */
export const PROFILE_ERROR_CODES: Readonly<Record<ProfileRejection, ProfileErrorCode>> = {
  EMPTY: 'TARGET_EMPTY',
  NO_SAMPLES: 'TARGET_EMPTY',
  TEXT: 'TARGET_TEXT',
  TOO_LARGE: 'TARGET_TOO_LARGE',
  NOT_PPROF: 'TARGET_INVALID_PPROF',
  MALFORMED: 'TARGET_INVALID_PPROF',
  TRUNCATED_GZIP: 'TARGET_INVALID_PPROF',
  CORRUPT_GZIP: 'TARGET_INVALID_PPROF',
};

/** The bytes are not a profile kube-profefe accepts: `reason` says why, the message says it to a person. */
export class InvalidProfileError extends ProfileError {
  constructor(
    readonly reason: ProfileRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(PROFILE_ERROR_CODES[reason], message, options);
  }
}

/** How messages name the bytes. */
export type ProfileSubject =
  /** A scrape target's response. `where` follows the headline: ` (heap profile of pod shop/api-1, GET http://...)`, or ''. */
  | { readonly kind: 'target'; readonly where: string }
  /** Bytes with a name: a file, a URL, a profile id. */
  | { readonly kind: 'named'; readonly name: string };

export interface CheckProfileOptions {
  /** Default: a target, without context. */
  readonly subject?: ProfileSubject | undefined;
  /** A gzip stream that inflates past this is refused (TOO_LARGE). Default DEFAULT_MAX_INFLATED_BYTES. */
  readonly maxInflatedBytes?: number | undefined;
  /**
   * Accept a profile that has sample types but no samples. For showing a profile (`top` of an
   * empty profile is an empty table), never for storing one: the collector refuses it.
   */
  readonly allowNoSamples?: boolean | undefined;
}

/**
 * Bodies up to this size get the full check, nested messages included; larger ones (a busy
 * service's heap profile is megabytes) get the top-level check, which still proves the stream
 * inflates completely, is a pprof Profile field by field, and has samples. The collector and
 * `go tool pprof` decode everything anyway; this bounds the scraper's main-thread time.
 */
export const FULL_CHECK_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Bodies up to this size are inflated in one synchronous call (well under a millisecond for a
 * typical profile) instead of through a zlib stream. A stream costs its own zlib state, window
 * and output buffer until it finishes: when a thousand CPU profiles come back at the same moment,
 * a thousand streams at once were a hundred megabytes, and their bookkeeping the largest share
 * of the scraper's CPU time.
 */
export const SYNC_INFLATE_MAX_BODY_BYTES = 256 * 1024;

/** Output allowed to a synchronous inflate; a body that inflates further is checked as a stream. */
const SYNC_INFLATE_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

const INFLATE_CHUNK_BYTES = 256 * 1024;

/** A gzip stream that inflates past this is refused (a real profile is far smaller). */
export const DEFAULT_MAX_INFLATED_BYTES = 1024 * 1024 * 1024;

/** How many leading (inflated) bytes decide whether the body is text. */
const HEAD_BYTES = 512;

const NO_SUBJECT: ProfileSubject = { kind: 'target', where: '' };

/** What to do about a target that answers with something else than a profile. */
const CHECK_ENDPOINT =
  'check that the profefe.com/path and profefe.com/port annotations point at the Go pprof endpoint, which must serve the binary format (no ?debug=1)';
/** What to do about a file (or URL) that holds text. */
const FETCH_BINARY = 'fetch the protobuf form (no ?debug=1 or ?debug=2) from a Go net/http/pprof endpoint';
const EXPECTED = 'expected a pprof profile (gzipped protobuf)';
const NOTHING_TO_STORE =
  'there is nothing to store (the profefe collector rejects empty profiles); ' +
  'block and mutex profiles stay empty until the program calls runtime.SetBlockProfileRate or runtime.SetMutexProfileFraction';

/**
 * The check the scraper runs on every body, and `kubectl profefe load` on every file: see the top
 * of this file. Returns what the scan found; throws InvalidProfileError.
 */
export async function checkProfile(body: Uint8Array, options: CheckProfileOptions = {}): Promise<ProfileWireSummary> {
  const subject = options.subject ?? NO_SUBJECT;
  const maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  if (body.length === 0) throw emptyBody(subject);
  const gzipped = isGzip(body);
  const scanner = new ProfileWireScanner({ nested: body.length <= FULL_CHECK_MAX_BODY_BYTES });
  let head: Uint8Array = body.subarray(0, HEAD_BYTES);
  let summary: ProfileWireSummary;
  try {
    const inflated = gzipped && body.length <= SYNC_INFLATE_MAX_BODY_BYTES ? inflateSmall(body, maxInflatedBytes) : undefined;
    if (inflated !== undefined) {
      head = inflated.subarray(0, HEAD_BYTES);
      scanner.push(inflated);
    } else if (gzipped) {
      head = new Uint8Array(0);
      await inflateInto(body, scanner, maxInflatedBytes, subject, (first) => {
        head = first;
      });
    } else {
      scanner.push(body);
    }
    summary = scanner.end();
  } catch (err) {
    throw rejectionFor(err, head, gzipped, body.length, subject);
  }
  return accepted(summary, head, gzipped, subject, options.allowNoSamples === true);
}

/**
 * checkProfile in one synchronous call, for callers that decode the profile next and need it
 * inflated anyway (decodeProfile): the same rules and reasons, and the inflated protobuf. One
 * difference: a gzip stream that inflates past `maxInflatedBytes` is TOO_LARGE even when its
 * first inflated bytes are already not a profile (checkProfile stops there with NOT_PPROF).
 */
export function checkProfileSync(body: Uint8Array, options: CheckProfileOptions = {}): { summary: ProfileWireSummary; protobuf: Uint8Array } {
  const subject = options.subject ?? NO_SUBJECT;
  const maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  if (body.length === 0) throw emptyBody(subject);
  const gzipped = isGzip(body);
  const scanner = new ProfileWireScanner({ nested: body.length <= FULL_CHECK_MAX_BODY_BYTES });
  let head: Uint8Array = body.subarray(0, HEAD_BYTES);
  let protobuf: Uint8Array = body;
  let summary: ProfileWireSummary;
  try {
    if (gzipped) {
      try {
        protobuf = gunzipSync(body, { maxOutputLength: maxInflatedBytes });
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxInflatedBytes, subject);
        throw err;
      }
      head = protobuf.subarray(0, HEAD_BYTES);
    }
    scanner.push(protobuf);
    summary = scanner.end();
  } catch (err) {
    throw rejectionFor(err, head, gzipped, body.length, subject);
  }
  return { summary: accepted(summary, head, gzipped, subject, options.allowNoSamples === true), protobuf };
}

/**
 * The checks only a decoded profile allows (those of Go's profile.CheckValid that matter for
 * reading it): ids, and the strings, locations, mappings and functions things refer to; string
 * indices and values per sample again, for bodies too large for the full wire check. For a
 * profile that passed checkProfile; throws InvalidProfileError (MALFORMED).
 */
export function checkDecodedProfile(profile: Profile, subject: ProfileSubject = NO_SUBJECT): void {
  const problem = decodedProfileProblem(profile);
  if (problem !== undefined) throw malformed(problem, subject);
}

/** A pprof-format decode failed on bytes the wire check passed: MALFORMED, with the decoder's words. */
export function undecodableProfile(err: unknown, subject: ProfileSubject = NO_SUBJECT): InvalidProfileError {
  const message = err instanceof Error ? err.message : String(err);
  return malformed(`it could not be decoded (${message})`, subject, err);
}

/** Printable UTF-8 with ordinary whitespace only. A pprof protobuf has control bytes within a few bytes. */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
    if (b === 0x7f) return false;
  }
  // Cut a multi-byte character split at the end of the head before decoding strictly.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back]!;
    if ((b & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((b & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The rules that need the whole scan: something inflated, parts that fit together, samples. */
function accepted(summary: ProfileWireSummary, head: Uint8Array, gzipped: boolean, subject: ProfileSubject, allowNoSamples: boolean): ProfileWireSummary {
  if (summary.bytes === 0) throw emptyGzip(subject);
  const problem = profileConsistencyError(summary);
  const empty = summary.sampleTypes === 0 || (summary.samples === 0 && !allowNoSamples);
  // Text that happens to scan as protobuf fields is still text.
  if ((problem !== undefined || empty) && looksLikeText(head)) throw text(head, gzipped, subject);
  if (problem !== undefined) throw malformed(problem, subject);
  if (empty) throw noSamples(summary.sampleTypes === 0, subject);
  return summary;
}

/** What an error thrown while inflating or scanning means. */
function rejectionFor(err: unknown, head: Uint8Array, gzipped: boolean, size: number, subject: ProfileSubject): InvalidProfileError {
  if (err instanceof InvalidProfileError) return err;
  if (err instanceof PprofWireError) return looksLikeText(head) ? text(head, gzipped, subject) : notPprof(err, gzipped, subject);
  return gzipError(err, size, subject);
}

/**
 * The whole inflated body, or undefined when it inflates past SYNC_INFLATE_MAX_OUTPUT_BYTES or
 * `maxInflatedBytes` (then the stream path checks it, and says which limit it broke). Gzip
 * errors are thrown as the stream path throws them.
 */
function inflateSmall(body: Uint8Array, maxInflatedBytes: number): Buffer | undefined {
  try {
    return gunzipSync(body, { maxOutputLength: Math.min(SYNC_INFLATE_MAX_OUTPUT_BYTES, maxInflatedBytes) });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
}

async function inflateInto(
  body: Uint8Array,
  scanner: ProfileWireScanner,
  maxInflatedBytes: number,
  subject: ProfileSubject,
  onHead: (head: Buffer) => void,
): Promise<void> {
  // 256 KiB output chunks: a 4 MB heap profile inflates in ~30 chunks instead of ~120, and each
  // chunk is a round trip between the zlib thread and the main thread.
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  gunzip.end(body);
  let inflated = 0;
  // zlib waits while its output is unread, so only a chunk or two is ever inflated ahead.
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    if (inflated === 0) onHead(Buffer.from(chunk.subarray(0, HEAD_BYTES)));
    inflated += chunk.length;
    if (inflated > maxInflatedBytes) throw tooLarge(maxInflatedBytes, subject);
    scanner.push(chunk);
  }
}

// The refusals, each worded for a target and for named bytes.

function refuse(
  reason: ProfileRejection,
  subject: ProfileSubject,
  forTarget: (where: string) => string,
  forNamed: (name: string) => string,
  cause?: unknown,
): InvalidProfileError {
  const message = subject.kind === 'target' ? forTarget(subject.where) : forNamed(subject.name);
  return new InvalidProfileError(reason, message, cause === undefined ? undefined : { cause });
}

function emptyBody(subject: ProfileSubject): InvalidProfileError {
  return refuse(
    'EMPTY',
    subject,
    (where) => `the target returned an empty body${where}: ${CHECK_ENDPOINT}`,
    (name) => `${name} is empty: ${EXPECTED}`,
  );
}

function emptyGzip(subject: ProfileSubject): InvalidProfileError {
  return refuse(
    'EMPTY',
    subject,
    (where) => `the target returned a gzip stream that inflates to nothing${where}: ${CHECK_ENDPOINT}`,
    (name) => `${name} is an empty gzip stream (it inflates to nothing): ${EXPECTED}`,
  );
}

function text(head: Uint8Array, gzipped: boolean, subject: ProfileSubject): InvalidProfileError {
  const line = JSON.stringify(firstLine(head));
  return refuse(
    'TEXT',
    subject,
    (where) => `the target returned text, not a pprof profile${where}: the body${gzipped ? ' (gzipped)' : ''} starts with ${line}; ${CHECK_ENDPOINT}`,
    (name) => `${name} is text, not a pprof profile (it ${gzipped ? 'is gzipped and ' : ''}starts with ${line}); ${FETCH_BINARY}`,
  );
}

/**
 * The refusal of a profile with sample types and no samples, for a caller that accepted it first
 * (`allowNoSamples`) and then found it cannot use it: the same words as checkProfile's.
 */
export function noSamplesError(subject: ProfileSubject = NO_SUBJECT): InvalidProfileError {
  return noSamples(false, subject);
}

function noSamples(noSampleTypes: boolean, subject: ProfileSubject): InvalidProfileError {
  const what = noSampleTypes ? 'no samples and no sample types' : 'no samples';
  return refuse(
    'NO_SAMPLES',
    subject,
    (where) => `profile has ${what}${where}: ${NOTHING_TO_STORE}`,
    (name) => `${name} has ${what}: ${NOTHING_TO_STORE}`,
  );
}

function notPprof(err: PprofWireError, gzipped: boolean, subject: ProfileSubject): InvalidProfileError {
  const what = gzipped ? 'a gzip stream that does not hold a pprof profile' : 'bytes that are neither gzip nor a pprof protobuf';
  const at = gzipped ? `at inflated byte ${err.offset}` : `at byte ${err.offset}`;
  return refuse(
    'NOT_PPROF',
    subject,
    (where) => `the target returned ${what}${where}: ${err.message} ${at}; ${CHECK_ENDPOINT}`,
    (name) => `${name} is not a pprof profile: ${what} (${err.message} ${at})`,
    err,
  );
}

function malformed(problem: string, subject: ProfileSubject, cause?: unknown): InvalidProfileError {
  return refuse(
    'MALFORMED',
    subject,
    (where) => `the target returned a malformed pprof profile${where}: ${problem}`,
    (name) => `${name} is a malformed pprof profile: ${problem}`,
    cause,
  );
}

function tooLarge(maxInflatedBytes: number, subject: ProfileSubject): InvalidProfileError {
  return refuse(
    'TOO_LARGE',
    subject,
    (where) => `the profile inflates to more than ${maxInflatedBytes} bytes${where}: refusing what looks like a gzip bomb`,
    (name) => `${name} inflates to more than ${maxInflatedBytes} bytes: refusing what looks like a gzip bomb`,
  );
}

function gzipError(err: unknown, size: number, subject: ProfileSubject): InvalidProfileError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    const ends = `the stream ends after ${size} bytes, before its end marker`;
    return refuse(
      'TRUNCATED_GZIP',
      subject,
      (where) => `truncated gzip${where}: ${ends}; the response was cut short (pod restarting, proxy or connection trouble)`,
      (name) => `${name} could not be decompressed: truncated gzip, ${ends}; the download or copy was cut short`,
      err,
    );
  }
  return refuse(
    'CORRUPT_GZIP',
    subject,
    (where) => `corrupt gzip${where}: ${message}; ${CHECK_ENDPOINT}`,
    (name) => `${name} could not be decompressed: corrupt gzip (${message})`,
    err,
  );
}

function firstLine(head: Uint8Array): string {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8').trim();
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}

function decodedProfileProblem(p: Profile): string | undefined {
  const strings = p.stringTable.strings.length;
  const sampleTypes = p.sampleType.length;
  for (const st of p.sampleType) {
    if (Number(st.type) >= strings || Number(st.unit) >= strings) return 'a sample type refers to a missing string';
  }
  const functions = new Set<number>();
  for (const fn of p.function) {
    const id = Number(fn.id);
    if (id === 0) return 'a function has id 0';
    if (Number(fn.name) >= strings || Number(fn.systemName) >= strings || Number(fn.filename) >= strings) {
      return `function ${id} refers to a missing string`;
    }
    functions.add(id);
  }
  const mappings = new Set<number>();
  for (const m of p.mapping) {
    const id = Number(m.id);
    if (id === 0) return 'a mapping has id 0';
    if (Number(m.filename) >= strings || Number(m.buildId) >= strings) return `mapping ${id} refers to a missing string`;
    mappings.add(id);
  }
  const locations = new Set<number>();
  for (const loc of p.location) {
    const id = Number(loc.id);
    if (id === 0) return 'a location has id 0';
    const mappingId = Number(loc.mappingId);
    if (mappingId !== 0 && !mappings.has(mappingId)) return `location ${id} refers to missing mapping ${mappingId}`;
    for (const line of loc.line) {
      const fnId = Number(line.functionId);
      if (fnId !== 0 && !functions.has(fnId)) return `location ${id} refers to missing function ${fnId}`;
    }
    locations.add(id);
  }
  for (let i = 0; i < p.sample.length; i++) {
    const sample = p.sample[i]!;
    if (sample.value.length !== sampleTypes) return sampleValuesMismatch(i, sample.value.length, sampleTypes);
    for (const locId of sample.locationId) {
      if (!locations.has(Number(locId))) return `sample ${i} refers to missing location ${String(locId)}`;
    }
  }
  return undefined;
}

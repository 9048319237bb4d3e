/**
 * Bytes <-> pprof `Profile` (pprof-format). Accepts gzipped or raw protobuf, as `go tool pprof`
 * does, and refuses anything that is not a pprof profile with a message that names where the
 * bytes came from (a file, a URL, a profile id).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export { Profile };

/** The bytes are not a pprof profile. `source` is what the caller named them (file, URL, id). */
export class ProfileDecodeError extends Error {
  override readonly name = 'ProfileDecodeError';
  constructor(
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/**
 * Decodes a pprof profile, gunzipping it first when it starts with the gzip magic `1f 8b`.
 * `source` names the bytes in error messages ("profile.pb.gz", "http://…/debug/pprof/heap").
 * Throws ProfileDecodeError for empty input, broken gzip, text/HTML, or a protobuf that is not a
 * valid profile (no sample types, samples with the wrong number of values, dangling ids).
 */
export function decodeProfile(bytes: Uint8Array, source = 'profile'): Profile {
  if (bytes.length === 0) {
    throw new ProfileDecodeError(source, `${source} is empty: expected a pprof profile (gzipped protobuf)`);
  }
  let raw: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      throw new ProfileDecodeError(
        source,
        `${source} starts like gzip but could not be decompressed (${(err as Error).message}): the download may be truncated`,
        { cause: err },
      );
    }
    if (raw.length === 0) {
      throw new ProfileDecodeError(source, `${source} is an empty gzip stream: expected a pprof profile`);
    }
  }
  let profile: Profile;
  try {
    profile = Profile.decode(raw);
  } catch (err) {
    throw new ProfileDecodeError(source, notPprofMessage(source, raw), { cause: err });
  }
  const problem = invalidProfileReason(profile);
  if (problem !== undefined) {
    const text = looksLikeText(raw) ? `; ${notPprofMessage(source, raw)}` : '';
    throw new ProfileDecodeError(source, `${source} is not a valid pprof profile: ${problem}${text}`);
  }
  return profile;
}

/** Serialises a profile; gzipped by default, as Go's runtime/pprof writes it. */
export function encodeProfile(profile: Profile, options: { gzip?: boolean } = {}): Buffer {
  const raw = profile.encode();
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return options.gzip === false ? buffer : gzipSync(buffer);
}

function notPprofMessage(source: string, raw: Uint8Array): string {
  if (looksLikeText(raw)) {
    const firstLine = Buffer.from(raw.subarray(0, 200)).toString('utf8').split('\n')[0]?.trim() ?? '';
    return (
      `${source} is text, not a pprof profile (it starts with ${JSON.stringify(firstLine.slice(0, 80))}); ` +
      'fetch the protobuf form (no ?debug=1 or ?debug=2) from a Go net/http/pprof endpoint'
    );
  }
  return `${source} is not a pprof profile: neither gzip (1f 8b) nor a pprof protobuf`;
}

/** Text or HTML: the first bytes are printable ASCII/UTF-8 with line breaks, no control bytes. */
function looksLikeText(raw: Uint8Array): boolean {
  const head = raw.subarray(0, 512);
  if (head.length === 0) return false;
  for (const byte of head) {
    if (byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    if (byte < 0x20 || byte === 0x7f) return false;
  }
  return true;
}

/** The checks of Go's profile.CheckValid that matter for reading a profile, plus "has sample types". */
function invalidProfileReason(p: Profile): string | undefined {
  const strings = p.stringTable.strings.length;
  const sampleTypes = p.sampleType.length;
  if (sampleTypes === 0) return 'it has no sample types';
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
    if (sample.value.length !== sampleTypes) {
      return `sample ${i} has ${sample.value.length} values for ${sampleTypes} sample types`;
    }
    for (const locId of sample.locationId) {
      if (!locations.has(Number(locId))) return `sample ${i} refers to missing location ${String(locId)}`;
    }
  }
  return undefined;
}

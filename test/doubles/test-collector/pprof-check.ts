import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

/**
 * The collector's upload validation (google/pprof `profile.Parse` + profefe's "no samples" check),
 * reduced to what it answers: the error text after `could not parse pprof profile: `. The
 * protobuf is only walked at the top level (field tags and lengths), never decoded, so a 7.7 MB
 * heap profile is checked in milliseconds and nothing but the stored bytes is kept.
 */

export type UploadCheck = { ok: true; timeNanos: bigint; samples: number } | { ok: false; error: string };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Large bodies are inflated on libuv's thread pool so they do not stall other requests; small ones
 * synchronously (a zlib stream per small upload costs more than the inflating).
 */
export async function checkUpload(body: Buffer): Promise<UploadCheck> {
  let raw: Buffer = body;
  if (isGzip(body)) {
    try {
      raw = body.length > 64 * 1024 ? await gunzipAsync(body, { chunkSize: outputChunkSize(body) }) : gunzipSync(body);
    } catch (err) {
      return { ok: false, error: `decompressing profile: ${goGzipError(err)}` };
    }
  }
  if (raw.length === 0) return { ok: false, error: 'parsing profile: empty input file' };
  const scan = scanProfile(raw);
  if (scan === 'concatenated') return { ok: false, error: 'parsing profile: concatenated profiles detected' };
  if (scan === undefined) return { ok: false, error: 'parsing profile: unrecognized profile format' };
  if (scan.samples === 0) return { ok: false, error: 'profile is empty: no samples' };
  return { ok: true, timeNanos: scan.timeNanos, samples: scan.samples };
}

/**
 * zlib's output chunk for a gzip body: the inflated size from the gzip trailer (ISIZE), so a 7.7 MB
 * profile inflates in one piece instead of ~480 16 KiB chunks, each a trip from the zlib thread to
 * the main thread and a copy when they are joined. Only a hint: a trailer that lies costs speed.
 */
function outputChunkSize(body: Buffer): number {
  const isize = body.readUInt32LE(body.length - 4);
  return Math.min(Math.max(isize, 64 * 1024), 32 * 1024 * 1024);
}

/** Go's messages for what Node's zlib reports. */
function goGzipError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'Z_BUF_ERROR' || /unexpected end/.test(e.message ?? '')) return 'unexpected EOF';
  if (/incorrect data check|incorrect length check/.test(e.message ?? '')) return 'gzip: invalid checksum';
  if (/header|unknown compression method/.test(e.message ?? '')) return 'gzip: invalid header';
  return 'flate: corrupt input before offset 0';
}

// Profile fields (proto/profile.proto) and the wire type Go's decoder accepts for each.
const LEN = 2;
const VARINT = 0;
const MESSAGE_FIELDS = new Set([1, 2, 3, 4, 5, 6, 11]);
const VARINT_FIELDS = new Set([7, 8, 9, 10, 12, 14]);
const PACKABLE_FIELDS = new Set([13]);

interface Scan {
  samples: number;
  timeNanos: bigint;
}

/** undefined when the bytes are not a Profile message. */
function scanProfile(buf: Buffer): Scan | 'concatenated' | undefined {
  let pos = 0;
  let samples = 0;
  let strings = 0;
  let firstStringEmpty = false;
  let timeNanos = 0n;
  let timeNanosSeen = false;

  const varint = (): bigint | undefined => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) return undefined;
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    return undefined;
  };
  const smallVarint = (): number | undefined => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) return undefined;
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return undefined;
  };

  while (pos < buf.length) {
    const tag = smallVarint();
    if (tag === undefined) return undefined;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) return undefined;
    if (MESSAGE_FIELDS.has(field) && wire !== LEN) return undefined;
    if (VARINT_FIELDS.has(field) && wire !== VARINT) return undefined;
    if (PACKABLE_FIELDS.has(field) && wire !== VARINT && wire !== LEN) return undefined;
    switch (wire) {
      case 0: {
        const value = varint();
        if (value === undefined) return undefined;
        if (field === 9) {
          const signed = BigInt.asIntN(64, value);
          if (timeNanosSeen && signed !== 0n && timeNanos !== 0n) return 'concatenated';
          timeNanosSeen = true;
          timeNanos = signed;
        }
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = smallVarint();
        if (length === undefined || pos + length > buf.length) return undefined;
        if (field === 2) samples++;
        if (field === 6) {
          if (strings === 0) firstStringEmpty = length === 0;
          strings++;
        }
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        return undefined; // groups (3, 4) and 6, 7 do not exist in pprof
    }
    if (pos > buf.length) return undefined;
  }
  if (strings === 0 || !firstStringEmpty) return undefined;
  return { samples, timeNanos: timeNanos > 0n ? timeNanos : 0n };
}

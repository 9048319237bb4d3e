/**
 * Inflating a gzipped profile for the merge in one piece: the gzip trailer says how large the
 * output is (ISIZE), so zlib writes it into one buffer instead of 16 KiB chunks joined at the end
 * (half the time for a large heap profile). inflateProfile does it on libuv's thread pool, so
 * the next profiles inflate while the merge folds the current one. Both give undefined when the
 * bytes are not gzip or do not inflate cleanly: the merge then checks the original bytes, and
 * valid-profile.ts says what is wrong with them.
 */
import { gunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import { isGzip } from '../pprof/gzip.js';
import { DEFAULT_MAX_INFLATED_BYTES } from '../pprof/valid-profile.js';

/** No larger than this as one chunk: a trailer can say anything. */
const MAX_CHUNK_BYTES = 256 * 1024 * 1024;
const MIN_CHUNK_BYTES = 64 * 1024;

export function inflateProfileSync(bytes: Uint8Array): Uint8Array | undefined {
  if (!isGzip(bytes)) return undefined;
  try {
    return gunzipSync(bytes, options(bytes));
  } catch {
    return undefined;
  }
}

export function inflateProfile(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  if (!isGzip(bytes)) return Promise.resolve(undefined);
  return new Promise((resolve) => gunzip(bytes, options(bytes), (err, inflated) => resolve(err ? undefined : inflated)));
}

function options(bytes: Uint8Array): ZlibOptions {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length >= 18 ? view.getUint32(bytes.length - 4, true) : 0;
  // One more byte than the output, so that zlib sees the end inside the first chunk.
  const chunkSize = Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, size + 1));
  return { chunkSize, maxOutputLength: DEFAULT_MAX_INFLATED_BYTES };
}

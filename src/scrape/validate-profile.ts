import { createGunzip, gunzipSync } from 'node:zlib';
import { ProfileError } from '../profile-error.js';
import { PprofWireError, ProfileWireScanner, profileConsistencyError, type ProfileWireSummary } from './pprof-wire.js';

/** Where a profile came from, for messages. A Target fits. */
export interface ProfileSource {
  readonly url: string;
  readonly type?: string;
  readonly pod?: { readonly namespace: string; readonly name: string };
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

/** ` (heap profile of pod default/api-1, GET http://10.0.0.7:6060/debug/pprof/heap)`, or '' without a source. */
export function describeSource(source: ProfileSource | undefined): string {
  if (source === undefined) return '';
  const what = source.type === undefined ? 'profile' : `${source.type} profile`;
  const pod = source.pod === undefined ? '' : ` of pod ${source.pod.namespace}/${source.pod.name}`;
  return ` (${what}${pod}, GET ${source.url})`;
}

const CHECK_ENDPOINT =
  'check that the profefe.com/path and profefe.com/port annotations point at the Go pprof endpoint, which must serve the binary format (no ?debug=1)';

/**
 * Accepts what `go tool pprof` and the profefe collector accept: a gzipped or raw protobuf
 * Profile with at least one sample type and one sample. Gzip is inflated as a stream and
 * checked while it inflates, so the inflated profile is never held in memory.
 * Throws ProfileError: TARGET_EMPTY (empty body, no samples), TARGET_TEXT (text or HTML),
 * TARGET_INVALID_PPROF (anything else, including a truncated gzip), TARGET_TOO_LARGE (inflates
 * past `maxInflatedBytes`).
 */
export async function validateProfile(
  body: Buffer,
  source?: ProfileSource,
  options: { maxInflatedBytes?: number } = {},
): Promise<ProfileWireSummary> {
  const where = describeSource(source);
  const maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  if (body.length === 0) {
    throw new ProfileError('TARGET_EMPTY', `the target returned an empty body${where}: ${CHECK_ENDPOINT}`);
  }
  const gzipped = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  const scanner = new ProfileWireScanner({ nested: body.length <= FULL_CHECK_MAX_BODY_BYTES });
  let head: Buffer = body.subarray(0, 512);
  let summary: ProfileWireSummary;
  try {
    const inflated = gzipped && body.length <= SYNC_INFLATE_MAX_BODY_BYTES ? inflateSmall(body, maxInflatedBytes) : undefined;
    if (inflated !== undefined) {
      head = inflated.subarray(0, 512);
      scanner.push(inflated);
    } else if (gzipped) {
      head = Buffer.alloc(0);
      await inflateInto(body, scanner, maxInflatedBytes, where, (first) => {
        head = first;
      });
    } else {
      scanner.push(body);
    }
    summary = scanner.end();
  } catch (err) {
    if (err instanceof ProfileError) throw err;
    if (err instanceof PprofWireError) throw notPprof(err, head, gzipped, where);
    throw gzipError(err, body.length, where);
  }

  if (summary.bytes === 0) {
    throw new ProfileError('TARGET_EMPTY', `the target returned a gzip stream that inflates to nothing${where}: ${CHECK_ENDPOINT}`);
  }
  const malformed = profileConsistencyError(summary);
  if (malformed !== undefined) {
    throw new ProfileError('TARGET_INVALID_PPROF', `the target returned a malformed pprof profile${where}: ${malformed}`);
  }
  if (summary.samples === 0 || summary.sampleTypes === 0) {
    throw new ProfileError(
      'TARGET_EMPTY',
      `profile has no samples${where}: there is nothing to store (the profefe collector rejects empty profiles); ` +
        'block and mutex profiles stay empty until the program calls runtime.SetBlockProfileRate or runtime.SetMutexProfileFraction',
    );
  }
  return summary;
}

/**
 * The whole inflated body, or undefined when it inflates past SYNC_INFLATE_MAX_OUTPUT_BYTES or
 * `maxInflatedBytes` (then the stream path checks it, and says which limit it broke). Gzip
 * errors are thrown as the stream path throws them.
 */
function inflateSmall(body: Buffer, maxInflatedBytes: number): Buffer | undefined {
  try {
    return gunzipSync(body, { maxOutputLength: Math.min(SYNC_INFLATE_MAX_OUTPUT_BYTES, maxInflatedBytes) });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
}

async function inflateInto(
  body: Buffer,
  scanner: ProfileWireScanner,
  maxInflatedBytes: number,
  where: string,
  onHead: (head: Buffer) => void,
): Promise<void> {
  // 256 KiB output chunks: a 4 MB heap profile inflates in ~30 chunks instead of ~120, and each
  // chunk is a round trip between the zlib thread and the main thread.
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  gunzip.end(body);
  let inflated = 0;
  // zlib waits while its output is unread, so only a chunk or two is ever inflated ahead.
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    if (inflated === 0) onHead(Buffer.from(chunk.subarray(0, 512)));
    inflated += chunk.length;
    if (inflated > maxInflatedBytes) {
      throw new ProfileError(
        'TARGET_TOO_LARGE',
        `the profile inflates to more than ${maxInflatedBytes} bytes${where}: refusing what looks like a gzip bomb`,
      );
    }
    scanner.push(chunk);
  }
}

function notPprof(err: PprofWireError, head: Buffer, gzipped: boolean, where: string): ProfileError {
  if (looksLikeText(head)) {
    const gz = gzipped ? ' (gzipped)' : '';
    return new ProfileError(
      'TARGET_TEXT',
      `the target returned text, not a pprof profile${where}: the body${gz} starts with ${JSON.stringify(firstLine(head))}; ${CHECK_ENDPOINT}`,
    );
  }
  const what = gzipped ? 'a gzip stream that does not hold a pprof profile' : 'bytes that are neither gzip nor a pprof protobuf';
  const at = gzipped ? `at inflated byte ${err.offset}` : `at byte ${err.offset}`;
  return new ProfileError('TARGET_INVALID_PPROF', `the target returned ${what}${where}: ${err.message} ${at}; ${CHECK_ENDPOINT}`, {
    cause: err,
  });
}

function gzipError(err: unknown, size: number, where: string): ProfileError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return new ProfileError(
      'TARGET_INVALID_PPROF',
      `truncated gzip${where}: the stream ends after ${size} bytes, before its end marker; the response was cut short (pod restarting, proxy or connection trouble)`,
      { cause: err },
    );
  }
  return new ProfileError('TARGET_INVALID_PPROF', `corrupt gzip${where}: ${message}; ${CHECK_ENDPOINT}`, { cause: err });
}

/** Printable UTF-8 with ordinary whitespace only. A pprof protobuf has control bytes within a few bytes. */
export function looksLikeText(head: Buffer): boolean {
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

function firstLine(head: Buffer): string {
  const text = head.toString('utf8').trim();
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}

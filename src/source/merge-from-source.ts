/**
 * The profiles of a query merged here, from any ProfileSource: listed, each one read (up to 4 at
 * once; through the ProfileCache when the source's reads are downloads) and folded into a
 * ProfileMerger, which gives what `go tool pprof -proto` gives. One profile: its stored bytes.
 *
 * A profile that is gone since the listing (ProfileGoneError) or that does not decode (a corrupt
 * file) is skipped and reported with its id (a directory's: its path) and why; the rest are
 * merged. When every profile is skipped, or two are of different kinds, it throws a
 * SourceMergeError whose message names them.
 */
import { downloadAndFold, ProfileFetchError, type FoldSummary, type ProfileItem } from '../merge/fold-profiles.js';
import type { MergeState } from '../merge/output-plan.js';
import type { ProfileCache } from '../merge/profile-cache.js';
import { IncompatibleProfilesError, ProfileDecodeError, ProfileMerger } from '../merge/profile-merger.js';
import type { CollectorType } from '../profile-types.js';
import { ProfileGoneError, type ProfileSource, type SourceQuery, type StoredProfile } from './profile-source.js';

export const SOURCE_MERGE_CONCURRENCY = 4;

export interface SourceMergeOptions {
  /** Used only when the source is cacheable. */
  readonly cache?: ProfileCache;
  /** Profiles read at once; default 4. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Profiles folded or skipped so far, of `total` listed (distinct ids). */
  readonly onProgress?: (done: number, total: number) => void;
  /** false: no bytes (`bytes` stays undefined), only `merged`, for a reader in this process. Default true. */
  readonly encode?: boolean;
}

export interface SkippedProfile {
  readonly id: string;
  readonly reason: string;
  /** Whether it was gone (deleted since the listing) rather than unreadable as a profile. */
  readonly gone: boolean;
}

export interface SourceMerge {
  /** The merged profile (gzipped pprof; one profile: its stored bytes); undefined: nothing listed, or `encode: false`. */
  readonly bytes: Buffer | undefined;
  /** The merge's tables (ProfileMerger.state()); undefined: nothing listed. */
  readonly merged: MergeState | undefined;
  readonly listed: readonly StoredProfile[];
  /** Profiles merged into `bytes`. */
  readonly used: number;
  readonly skipped: readonly SkippedProfile[];
}

/** No merge: every profile listed was skipped, or profiles of different kinds were found. */
export class SourceMergeError extends Error {
  override readonly name = 'SourceMergeError';
  constructor(
    readonly kind: 'none-usable' | 'incompatible',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function mergeFromSource(
  source: ProfileSource,
  query: SourceQuery & { readonly type: CollectorType },
  options: SourceMergeOptions = {},
): Promise<SourceMerge> {
  const { signal } = options;
  const listed = await source.list(query, signal);
  if (listed.length === 0) return { bytes: undefined, merged: undefined, listed, used: 0, skipped: [] };
  const ids = [...new Set(listed.map((p) => p.id))];
  let single: Uint8Array | undefined;
  const items: ProfileItem[] = ids.map((id) => ({
    id,
    fetch: async (fetchSignal) => {
      const bytes = await source.read(id, fetchSignal);
      if (ids.length === 1) single = bytes;
      return bytes;
    },
  }));
  const cache = source.cacheable ? options.cache : undefined;
  const merger = new ProfileMerger();
  const summary = await fold(items, merger, listed, { ...options, cache });
  const skipped = summary.skipped.map(({ id, error }) => skippedProfile(id, error));
  if (summary.folded === 0) throw noneUsable(source, ids.length, skipped);
  const merged = merger.state();
  if (options.encode === false) return { bytes: undefined, merged, listed, used: summary.folded, skipped };
  if (ids.length === 1) {
    // Read from the cache, the single profile was never fetched: its bytes are there.
    const stored = single ?? (await cache?.get(ids[0] ?? '').catch(() => undefined));
    if (stored !== undefined) return { bytes: asBuffer(stored), merged, listed, used: 1, skipped };
  }
  return { bytes: merger.encodeGzipped(), merged, listed, used: summary.folded, skipped };
}

async function fold(items: ProfileItem[], merger: ProfileMerger, listed: readonly StoredProfile[], options: SourceMergeOptions): Promise<FoldSummary> {
  try {
    return await downloadAndFold(items, merger, {
      concurrency: options.concurrency ?? SOURCE_MERGE_CONCURRENCY,
      cache: options.cache,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.(p.folded + p.skipped, items.length),
      onError: (_id, error) => (isGone(error) || error instanceof ProfileDecodeError ? 'skip' : 'fail'),
      onCacheError: () => undefined, // a cache that cannot be written only costs a download next time
    });
  } catch (err) {
    throw explainFailure(err, listed);
  }
}

function isGone(error: unknown): boolean {
  return error instanceof ProfileFetchError && error.cause instanceof ProfileGoneError;
}

function skippedProfile(id: string, error: unknown): SkippedProfile {
  if (isGone(error)) return { id, reason: ((error as ProfileFetchError).cause as ProfileGoneError).detail, gone: true };
  return { id, reason: error instanceof Error ? error.message : String(error), gone: false };
}

function noneUsable(source: ProfileSource, count: number, skipped: readonly SkippedProfile[]): SourceMergeError {
  const what = skipped.every((s) => s.gone) ? `could be ${source.cacheable ? 'downloaded' : 'read'} (deleted since they were listed?)` : 'could be merged';
  const reasons = skipped.map((s) => `${s.id}: ${s.reason}`).join('; ');
  return new SourceMergeError('none-usable', `none of the ${count} profile${count === 1 ? '' : 's'} listed in ${source.name} ${what}: ${reasons}`);
}

/** A read that failed as its source reported it; a refused merge naming both profiles and the types they are stored as. */
function explainFailure(err: unknown, listed: readonly StoredProfile[]): unknown {
  if (err instanceof ProfileFetchError) return err.cause;
  if (err instanceof IncompatibleProfilesError) {
    const typeOf = new Map(listed.map((p) => [p.id, p.type]));
    const type = (id: string): string => (typeOf.has(id) ? ` (stored as type ${typeOf.get(id)})` : '');
    return new SourceMergeError(
      'incompatible',
      `${err.message}; profiles ${err.mergedWith}${type(err.mergedWith)} and ${err.profile}${type(err.profile)} are not of the same kind: narrow the query (--labels) to profiles of one kind`,
      { cause: err },
    );
  }
  return err;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

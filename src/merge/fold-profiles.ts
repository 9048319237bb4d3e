/**
 * Download then fold: profiles come from an async source of (id, fetch) items, up to
 * `concurrency` are downloaded at once, and each is folded into a ProfileMerger as soon as it
 * and the ones before it are in, in the source's order (so the same profiles always merge to
 * the same bytes). At most `concurrency` profiles are held between download and fold, so memory
 * stays bounded whatever the number of profiles; each is dropped once folded.
 *
 * With a ProfileCache, a cached profile is read from disk instead of downloaded, and a
 * downloaded one is cached once it has been merged (so only profiles that decode are kept); a
 * cached copy that does not decode is deleted and downloaded again.
 *
 * A profile that cannot be downloaded (ProfileFetchError, naming it) or merged (the merger's
 * errors, which name it) stops the whole fold, the other downloads aborted, unless `onError`
 * says to skip it.
 */
import { ProfileDecodeError } from '../pprof/decode-profile.js';
import type { ProfileCache } from './profile-cache.js';
import type { ProfileMerger } from './profile-merger.js';

export interface ProfileItem {
  /** Immutable: the same id always has the same bytes. Names the profile in errors and in the cache. */
  readonly id: string;
  /** The profile's bytes (gzipped or raw pprof), downloaded or read. */
  fetch(signal: AbortSignal): Promise<Uint8Array>;
}

export interface FoldProgress {
  /** What just happened, and to which profile. */
  readonly event: 'downloaded' | 'cached' | 'folded' | 'skipped';
  readonly id: string;
  /** Profiles downloaded or read from the cache so far, and their bytes. */
  readonly fetched: number;
  readonly bytes: number;
  readonly folded: number;
  readonly skipped: number;
}

export interface FoldOptions {
  /** Profiles downloaded (or held before folding) at once; default 4. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: FoldProgress) => void;
  readonly signal?: AbortSignal;
  readonly cache?: ProfileCache;
  /** A cache that cannot be written is no reason to stop; this hears about it. */
  readonly onCacheError?: (id: string, error: unknown) => void;
  /** For a profile that cannot be downloaded or merged: 'fail' (the default) stops the fold and throws; 'skip' leaves it out. */
  readonly onError?: (id: string, error: unknown) => 'skip' | 'fail';
}

export interface FoldSummary {
  readonly folded: number;
  readonly fromCache: number;
  /** Bytes downloaded or read from the cache. */
  readonly bytes: number;
  readonly skipped: readonly { readonly id: string; readonly error: unknown }[];
}

/** A profile could not be downloaded. */
export class ProfileFetchError extends Error {
  override readonly name = 'ProfileFetchError';
  constructor(
    readonly id: string,
    cause: unknown,
  ) {
    super(`could not get profile ${id}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export const DEFAULT_FOLD_CONCURRENCY = 4;

interface Fetched {
  readonly item: ProfileItem;
  readonly outcome: { readonly bytes: Uint8Array; readonly fromCache: boolean } | { readonly error: unknown };
}

export async function downloadAndFold(
  items: AsyncIterable<ProfileItem> | Iterable<ProfileItem>,
  merger: ProfileMerger,
  options: FoldOptions = {},
): Promise<FoldSummary> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_FOLD_CONCURRENCY);
  const controller = new AbortController();
  const stopOnAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stopOnAbort, { once: true });
  const source = iterate(items);
  const window: Promise<Fetched>[] = [];
  const tally = { fetched: 0, bytes: 0, folded: 0, fromCache: 0, skipped: [] as { id: string; error: unknown }[] };
  const report = (event: FoldProgress['event'], id: string): void =>
    options.onProgress?.({ event, id, fetched: tally.fetched, bytes: tally.bytes, folded: tally.folded, skipped: tally.skipped.length });
  const fetchOne = async (item: ProfileItem): Promise<Fetched> => {
    try {
      const outcome = await fetchBytes(item, options.cache, controller.signal);
      tally.fetched += 1;
      tally.bytes += outcome.bytes.length;
      if (outcome.fromCache) tally.fromCache += 1;
      report(outcome.fromCache ? 'cached' : 'downloaded', item.id);
      return { item, outcome };
    } catch (error) {
      return { item, outcome: { error: controller.signal.aborted ? error : new ProfileFetchError(item.id, error) } };
    }
  };
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      while (window.length < concurrency) {
        const next = await source.next();
        if (next.done) break;
        window.push(fetchOne(next.value));
      }
      const head = window.shift();
      if (head === undefined) break;
      const { item, outcome } = await head;
      options.signal?.throwIfAborted();
      try {
        if ('error' in outcome) throw outcome.error;
        await foldFetched(merger, item, outcome, options, controller.signal);
        tally.folded += 1;
        report('folded', item.id);
      } catch (error) {
        if (options.onError?.(item.id, error) !== 'skip') throw error;
        tally.skipped.push({ id: item.id, error });
        report('skipped', item.id);
      }
    }
  } catch (error) {
    controller.abort(error);
    await Promise.allSettled(window);
    await source.return?.();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stopOnAbort);
  }
  return { folded: tally.folded, fromCache: tally.fromCache, bytes: tally.bytes, skipped: tally.skipped };
}

async function fetchBytes(item: ProfileItem, cache: ProfileCache | undefined, signal: AbortSignal): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
  const cached = await cache?.get(item.id).catch(() => undefined);
  if (cached !== undefined) return { bytes: cached, fromCache: true };
  return { bytes: await item.fetch(signal), fromCache: false };
}

/** Folds the bytes in; caches downloaded ones that merged; downloads again a cached copy that does not decode. */
async function foldFetched(
  merger: ProfileMerger,
  item: ProfileItem,
  fetched: { bytes: Uint8Array; fromCache: boolean },
  options: FoldOptions,
  signal: AbortSignal,
): Promise<void> {
  let { bytes, fromCache } = fetched;
  try {
    merger.add(bytes, item.id);
  } catch (err) {
    if (!(fromCache && err instanceof ProfileDecodeError)) throw err;
    await options.cache?.delete(item.id).catch(() => undefined);
    try {
      bytes = await item.fetch(signal);
    } catch (fetchError) {
      throw new ProfileFetchError(item.id, fetchError);
    }
    fromCache = false;
    merger.add(bytes, item.id);
  }
  if (!fromCache && options.cache) {
    await options.cache.put(item.id, bytes).catch((error: unknown) => options.onCacheError?.(item.id, error));
  }
}

function iterate(items: AsyncIterable<ProfileItem> | Iterable<ProfileItem>): AsyncIterator<ProfileItem> | Iterator<ProfileItem> {
  return Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
}

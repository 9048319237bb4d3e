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
import { inflateProfile } from './inflate-profile.js';
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

interface Bytes {
  readonly bytes: Uint8Array;
  readonly fromCache: boolean;
}

interface Fetched {
  readonly item: ProfileItem;
  readonly outcome: Bytes | { readonly error: unknown };
}

/** A profile between download and fold. */
interface Slot {
  readonly fetched: Promise<Fetched>;
  /** Inflated on the thread pool while the profile before it folds; undefined when not gzip (or not gzip that inflates). */
  inflated?: Promise<Uint8Array | undefined>;
}

export async function downloadAndFold(
  items: AsyncIterable<ProfileItem> | Iterable<ProfileItem>,
  merger: ProfileMerger,
  options: FoldOptions = {},
): Promise<FoldSummary> {
  return new Fold(merger, options).run(Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]());
}

class Fold {
  private readonly concurrency: number;
  private readonly controller = new AbortController();
  private readonly window: Slot[] = [];
  private readonly tally = { fetched: 0, bytes: 0, folded: 0, fromCache: 0, skipped: [] as { id: string; error: unknown }[] };

  constructor(
    private readonly merger: ProfileMerger,
    private readonly options: FoldOptions,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_FOLD_CONCURRENCY);
  }

  async run(source: AsyncIterator<ProfileItem> | Iterator<ProfileItem>): Promise<FoldSummary> {
    const signal = this.options.signal;
    const stopOnAbort = (): void => this.controller.abort(signal?.reason);
    signal?.addEventListener('abort', stopOnAbort, { once: true });
    try {
      for (;;) {
        signal?.throwIfAborted();
        await this.fill(source);
        const head = this.window.shift();
        if (head === undefined) break;
        await this.foldOne(head);
      }
    } catch (error) {
      this.controller.abort(error);
      await Promise.allSettled(this.window.map((slot) => slot.fetched));
      await source.return?.();
      throw error;
    } finally {
      signal?.removeEventListener('abort', stopOnAbort);
    }
    const { folded, fromCache, bytes, skipped } = this.tally;
    return { folded, fromCache, bytes, skipped };
  }

  /** Starts downloads until `concurrency` profiles are between download and fold. */
  private async fill(source: AsyncIterator<ProfileItem> | Iterator<ProfileItem>): Promise<void> {
    while (this.window.length < this.concurrency) {
      const next = await source.next();
      if (next.done) return;
      this.window.push({ fetched: this.fetch(next.value) });
    }
  }

  private async fetch(item: ProfileItem): Promise<Fetched> {
    try {
      const cached = await this.options.cache?.get(item.id).catch(() => undefined);
      const outcome = { bytes: cached ?? (await item.fetch(this.controller.signal)), fromCache: cached !== undefined };
      this.tally.fetched += 1;
      this.tally.bytes += outcome.bytes.length;
      if (outcome.fromCache) this.tally.fromCache += 1;
      this.report(outcome.fromCache ? 'cached' : 'downloaded', item.id);
      return { item, outcome };
    } catch (error) {
      return { item, outcome: { error: this.controller.signal.aborted ? error : new ProfileFetchError(item.id, error) } };
    }
  }

  private async foldOne(slot: Slot): Promise<void> {
    const { item, outcome } = await slot.fetched;
    const inflated = await inflateAhead(slot);
    this.options.signal?.throwIfAborted();
    // The next profile inflates on the thread pool while this one folds on the main thread.
    const next = this.window[0];
    if (next !== undefined) void inflateAhead(next);
    try {
      if ('error' in outcome) throw outcome.error;
      await foldFetched(this.merger, item, outcome, inflated, this.options, this.controller.signal);
      this.tally.folded += 1;
      this.report('folded', item.id);
    } catch (error) {
      if (this.options.onError?.(item.id, error) !== 'skip') throw error;
      this.tally.skipped.push({ id: item.id, error });
      this.report('skipped', item.id);
    }
  }

  private report(event: FoldProgress['event'], id: string): void {
    const { fetched, bytes, folded, skipped } = this.tally;
    this.options.onProgress?.({ event, id, fetched, bytes, folded, skipped: skipped.length });
  }
}

function inflateAhead(slot: Slot): Promise<Uint8Array | undefined> {
  slot.inflated ??= slot.fetched.then(({ outcome }) => ('error' in outcome ? undefined : inflateProfile(outcome.bytes)));
  return slot.inflated;
}

/** Folds the bytes in; caches downloaded ones that merged; downloads again a cached copy that does not decode. */
async function foldFetched(
  merger: ProfileMerger,
  item: ProfileItem,
  fetched: Bytes,
  inflated: Uint8Array | undefined,
  options: FoldOptions,
  signal: AbortSignal,
): Promise<void> {
  let { bytes, fromCache } = fetched;
  try {
    merger.add(bytes, item.id, { inflated });
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

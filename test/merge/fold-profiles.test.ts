import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadAndFold, ProfileFetchError, type FoldProgress, type ProfileItem } from '../../src/merge/fold-profiles.js';
import { cacheFileName, ProfileCache } from '../../src/merge/profile-cache.js';
import { ProfileDecodeError, ProfileMerger } from '../../src/merge/profile-merger.js';
import { fixture } from '../doubles/fixtures.js';

const NAMES = ['cpu', 'cpu-large'] as const;

/** Twelve cpu profiles; profile i's download takes a pseudo-random time, so they finish out of order. */
function source(
  count = 12,
  options: { failing?: Set<number>; corrupt?: Set<number> } = {},
): { items: AsyncIterable<ProfileItem>; calls: string[]; maxInFlight: () => number; aborted: () => number } {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let aborted = 0;
  async function* items(): AsyncGenerator<ProfileItem> {
    for (let i = 0; i < count; i++) {
      yield {
        id: `p${i}`,
        async fetch(signal) {
          calls.push(`p${i}`);
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            await sleep(((i * 37) % 11) * 3, undefined, { signal });
          } catch (err) {
            aborted += 1;
            throw err;
          } finally {
            inFlight -= 1;
          }
          if (options.failing?.has(i)) throw new Error('HTTP 503');
          if (options.corrupt?.has(i)) return Buffer.from('not a profile at all');
          return fixture(NAMES[i % 2]!);
        },
      };
    }
  }
  return { items: items(), calls, maxInFlight: () => maxInFlight, aborted: () => aborted };
}

function sequentialMerge(count: number, skip: Set<number> = new Set()): Buffer {
  const merger = new ProfileMerger();
  for (let i = 0; i < count; i++) if (!skip.has(i)) merger.add(fixture(NAMES[i % 2]!), `p${i}`);
  return merger.encodeGzipped();
}

describe('downloadAndFold', () => {
  it('downloads at most `concurrency` at once and folds in the source order, whatever order downloads finish in', async () => {
    const src = source();
    const merger = new ProfileMerger();
    const progress: FoldProgress[] = [];
    const summary = await downloadAndFold(src.items, merger, { concurrency: 3, onProgress: (p) => progress.push(p) });
    expect(src.maxInFlight()).toBe(3);
    expect(summary).toMatchObject({ folded: 12, fromCache: 0, skipped: [] });
    expect(summary.bytes).toBe(6 * (fixture('cpu').length + fixture('cpu-large').length));
    expect(merger.encodeGzipped().equals(sequentialMerge(12))).toBe(true);
    expect(progress.filter((p) => p.event === 'folded').map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`));
    expect(progress.filter((p) => p.event === 'downloaded')).toHaveLength(12);
    expect(progress.at(-1)).toMatchObject({ event: 'folded', fetched: 12, folded: 12, skipped: 0, bytes: summary.bytes });
  });

  it('takes a plain array too', async () => {
    const merger = new ProfileMerger();
    const items = [0, 1].map((i) => ({ id: `p${i}`, fetch: async () => fixture(NAMES[i]!) }));
    expect((await downloadAndFold(items, merger)).folded).toBe(2);
  });

  it('stops at a profile that cannot be downloaded, naming it, and aborts the other downloads', async () => {
    const src = source(12, { failing: new Set([4]) });
    const merger = new ProfileMerger();
    const err = await downloadAndFold(src.items, merger, { concurrency: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileFetchError);
    expect(err).toMatchObject({ id: 'p4', message: 'could not get profile p4: HTTP 503' });
    expect(merger.stats.profiles).toBe(4);
    expect(src.calls.length).toBeLessThan(12);
    expect(src.aborted()).toBeGreaterThan(0);
  });

  it('stops at a profile that does not decode, with the merger error naming it', async () => {
    const err = await downloadAndFold(source(6, { corrupt: new Set([2]) }).items, new ProfileMerger()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileDecodeError);
    expect(err).toMatchObject({ source: 'p2' });
    expect((err as Error).message).toMatch(/^p2 /);
  });

  it('gives the same message for a gzipped body it inflated off the main thread', async () => {
    const items = [{ id: 'text-1', fetch: async () => gzipSync(fixture('goroutine-debug1')) }];
    await expect(downloadAndFold(items, new ProfileMerger())).rejects.toThrow(/^text-1 is text, not a pprof profile \(it is gzipped and starts with/);
  });

  it('leaves out what onError says to skip, and says which', async () => {
    const merger = new ProfileMerger();
    const summary = await downloadAndFold(source(8, { failing: new Set([1]), corrupt: new Set([6]) }).items, merger, { onError: () => 'skip' });
    expect(summary.folded).toBe(6);
    expect(summary.skipped.map((s) => [s.id, (s.error as Error).name])).toEqual([
      ['p1', 'ProfileFetchError'],
      ['p6', 'ProfileError'],
    ]);
    expect(merger.encodeGzipped().equals(sequentialMerge(8, new Set([1, 6])))).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const src = source(12);
    const run = downloadAndFold(src.items, new ProfileMerger(), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.folded === 2) controller.abort(new Error('stopped by the user'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the user');
    expect(src.calls.length).toBeLessThan(12);
  });
});

describe('downloadAndFold with a ProfileCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kprofefe-fold-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('caches what it merged, then reads it from the cache instead of downloading', async () => {
    const cache = new ProfileCache({ dir });
    const first = source(6);
    await downloadAndFold(first.items, new ProfileMerger(), { cache });
    expect((await readdir(dir)).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map(cacheFileName).sort());

    const second = source(6);
    const merger = new ProfileMerger();
    const progress: FoldProgress['event'][] = [];
    const summary = await downloadAndFold(second.items, merger, { cache, onProgress: (p) => progress.push(p.event) });
    expect(second.calls).toEqual([]);
    expect(summary.fromCache).toBe(6);
    expect(progress.filter((e) => e === 'cached')).toHaveLength(6);
    expect(merger.encodeGzipped().equals(sequentialMerge(6))).toBe(true);
  });

  it('does not cache a profile that does not decode, and downloads again a cached copy that does not', async () => {
    const cache = new ProfileCache({ dir });
    await downloadAndFold(source(4, { corrupt: new Set([1]) }).items, new ProfileMerger(), { cache, onError: () => 'skip' });
    expect(await cache.get('p1')).toBeUndefined();
    await writeFile(join(dir, cacheFileName('p2')), 'damaged on disk');
    const again = source(4);
    const merger = new ProfileMerger();
    await downloadAndFold(again.items, merger, { cache });
    expect(again.calls).toEqual(['p1', 'p2']);
    expect((await cache.get('p2'))?.equals(fixture('cpu'))).toBe(true);
    expect(merger.encodeGzipped().equals(sequentialMerge(4))).toBe(true);
  });
});

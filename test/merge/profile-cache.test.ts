import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName, defaultProfileCacheDir, ProfileCache } from '../../src/merge/profile-cache.js';
import { content, PROFILE_IDS } from './cache-writer.js';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kprofefe-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Marks a cached profile as last used `secondsAgo` seconds ago. */
async function usedAgo(cache: ProfileCache, id: string, secondsAgo: number): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(join(cache.dir, cacheFileName(id)), when, when);
}

describe('defaultProfileCacheDir', () => {
  it('is $XDG_CACHE_HOME/kube-profefe/profiles, else ~/.cache/kube-profefe/profiles', () => {
    expect(defaultProfileCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/me')).toBe('/var/cache/me/kube-profefe/profiles');
    expect(defaultProfileCacheDir({}, '/home/me')).toBe('/home/me/.cache/kube-profefe/profiles');
    // The XDG spec ignores a relative path.
    expect(defaultProfileCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/me')).toBe('/home/me/.cache/kube-profefe/profiles');
  });
});

describe('ProfileCache', () => {
  it('misses, then hits with the same bytes, in a directory it creates for the user only', async () => {
    const cache = new ProfileCache({ dir: join(dir, 'a', 'b') });
    expect(await cache.get('bqcph2vm0h6a7q9h2hm0')).toBeUndefined();
    await cache.put('bqcph2vm0h6a7q9h2hm0', content(1));
    expect((await cache.get('bqcph2vm0h6a7q9h2hm0'))?.equals(content(1))).toBe(true);
    expect(await readdir(cache.dir)).toEqual(['bqcph2vm0h6a7q9h2hm0.pprof']);
    expect((await stat(cache.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(cache.dir, 'bqcph2vm0h6a7q9h2hm0.pprof'))).mode & 0o777).toBe(0o600);
  });

  it('keeps ids that are not plain file names apart, under their SHA-256', async () => {
    const cache = new ProfileCache({ dir });
    const ids = ['../escape', 'UPPER', 'upper', 'a/b', ''];
    for (const [i, id] of ids.entries()) await cache.put(id, content(i));
    for (const [i, id] of ids.entries()) expect((await cache.get(id))?.equals(content(i))).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(ids.map(cacheFileName).sort());
    expect(cacheFileName('../escape')).toMatch(/^[0-9a-f]{64}\.h\.pprof$/);
    expect(cacheFileName('upper')).toBe('upper.pprof');
  });

  it('evicts the least recently used profiles past the cap; a read counts as a use', async () => {
    const size = content(0).length;
    const cache = new ProfileCache({ dir, maxBytes: 3 * size + 10 });
    for (const id of ['p0', 'p1', 'p2']) await cache.put(id, content(0));
    await usedAgo(cache, 'p0', 300);
    await usedAgo(cache, 'p1', 200);
    await usedAgo(cache, 'p2', 100);
    // p0 is the oldest, but reading it makes p1 the least recently used.
    expect(await cache.get('p0')).toBeDefined();
    await cache.put('p3', content(0));
    expect((await readdir(dir)).sort()).toEqual(['p0.pprof', 'p2.pprof', 'p3.pprof']);
    expect(await cache.usage()).toEqual({ files: 3, bytes: 3 * size });
  });

  it('evicts as many as it takes for a large profile, and does not keep one larger than the cap', async () => {
    const cache = new ProfileCache({ dir, maxBytes: content(11).length + 1000 });
    for (let k = 0; k < 4; k++) await cache.put(`p${k}`, content(k));
    await cache.put('big', content(11));
    expect(await readdir(dir)).toEqual(['big.pprof']);
    await cache.put('huge', Buffer.alloc(content(11).length + 1001));
    expect(await cache.get('huge')).toBeUndefined();
  });

  it('counts what is already in the directory when it starts, and deletes temporary files of dead writers', async () => {
    const size = content(0).length;
    const first = new ProfileCache({ dir, maxBytes: 2 * size });
    await first.put('old', content(0));
    await usedAgo(first, 'old', 60);
    const stale = join(dir, '.tmp-1-dead');
    await writeFile(stale, 'partial');
    await utimes(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    const fresh = join(dir, '.tmp-2-writing');
    await writeFile(fresh, 'partial');
    const second = new ProfileCache({ dir, maxBytes: 2 * size });
    await second.put('new1', content(0));
    await second.put('new2', content(0));
    expect((await readdir(dir)).sort()).toEqual(['.tmp-2-writing', 'new1.pprof', 'new2.pprof']);
  });

  it('stays whole with concurrent writers and readers in four processes', { timeout: 120_000 }, async () => {
    const writer = fileURLToPath(new URL('./cache-writer.ts', import.meta.url));
    const maxBytes = 600_000; // about five of the twelve profiles: constant eviction
    const barrier = await mkdtemp(join(tmpdir(), 'cache-barrier-'));
    const reports = await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const args = ['--import', 'tsx', writer, dir, String(maxBytes), String(w), '20', barrier, '4'];
        const { stdout } = await run(process.execPath, args, { timeout: 100_000 });
        return JSON.parse(stdout) as { reads: number; hits: number; bad: string[]; startedAt: number; endedAt: number };
      }),
    );
    await rm(barrier, { recursive: true, force: true });
    for (const report of reports) {
      expect(report.bad).toEqual([]);
      expect(report.reads).toBe(20 * PROFILE_IDS);
    }
    expect(reports.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(0);
    // They did run at the same time: each overlapped another.
    for (const r of reports) expect(reports.some((o) => o !== r && o.startedAt < r.endedAt && r.startedAt < o.endedAt)).toBe(true);
    // No temporary file left; every file whole and the bytes of its id.
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    for (const name of names) {
      const k = Number(/^p(\d+)\.pprof$/.exec(name)![1]);
      expect((await readFile(join(dir, name))).equals(content(k))).toBe(true);
    }
    // Each process evicts by what it saw: the directory may exceed the cap by what the others wrote since.
    const largest = content(PROFILE_IDS - 1).length;
    expect((await new ProfileCache({ dir, maxBytes }).usage()).bytes).toBeLessThanOrEqual(maxBytes + 3 * largest);
  });
});

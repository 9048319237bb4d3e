/**
 * mergeFromSource on real sources (directories the DirectorySink wrote, the test collector): the
 * merge equals go tool pprof -proto of the same files; profiles gone or corrupt are skipped and
 * named; refusals name the profiles; the cache is used for the collector only.
 */
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ProfileCache } from '../../src/merge/profile-cache.js';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { collectorSource } from '../../src/source/collector-source.js';
import { directorySource } from '../../src/source/directory-source.js';
import { mergeFromSource, SourceMergeError } from '../../src/source/merge-from-source.js';
import type { ProfileSource } from '../../src/source/profile-source.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector } from '../doubles/test-collector.js';
import { withProfileFiles } from '../merge/go-merge.js';
import { goMergedTopLines, pprofTopLines } from './go-reference.js';
import { writeProfiles, type StoredFile } from './sink-written-dir.js';

const QUERY = { service: 'api', type: 'cpu', labels: {}, from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') } as const;
const cpu = (pod: string, at: string, profile: StoredFile['profile'] = 'cpu'): StoredFile => ({
  namespace: 'shop',
  service: 'api',
  pod,
  type: 'cpu',
  at,
  profile,
});

/** go tool pprof shows `bytes` as it shows its own merge of `files`. */
async function expectSameAsGo(bytes: Buffer | undefined, files: readonly string[]): Promise<void> {
  await withProfileFiles([{ name: 'ours', bytes: bytes ?? Buffer.alloc(0) }], async ([ours]) => {
    expect(await pprofTopLines(ours ?? '')).toEqual(await goMergedTopLines(files));
  });
}

describe('mergeFromSource', () => {
  it('merges the listed profiles as go tool pprof -proto does; a corrupt file is skipped, named by its path; progress counts to the total', async () => {
    const truncated = fixture('cpu').subarray(0, 200);
    const { dir, written } = await writeProfiles([
      cpu('api-1', '2026-03-01T10:00:00.000Z'),
      cpu('api-2', '2026-03-01T10:05:00.000Z', 'cpu-large'),
      cpu('api-3', '2026-03-01T10:07:00.000Z', truncated),
      cpu('api-1', '2026-03-01T10:10:00.000Z'),
    ]);
    const progress: Array<[number, number]> = [];
    const merged = await mergeFromSource(await directorySource(dir), QUERY, { onProgress: (done, total) => progress.push([done, total]) });
    expect(merged.listed.map((p) => p.id)).toEqual(written.map((w) => w.id));
    expect(merged.used).toBe(3);
    expect(merged.skipped).toHaveLength(1);
    expect(merged.skipped[0]?.id).toBe('shop/api/cpu/api-3-20260301T100700.000Z.pb.gz');
    expect(merged.skipped[0]?.gone).toBe(false);
    expect(merged.skipped[0]?.reason).toContain('shop/api/cpu/api-3-20260301T100700.000Z.pb.gz');
    expect(progress.at(-1)).toEqual([4, 4]);
    await expectSameAsGo(
      merged.bytes,
      [written[0], written[1], written[3]].map((w) => w?.path ?? ''),
    );
  });

  it('one profile: its stored bytes; nothing listed: no bytes', async () => {
    const { dir, written } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z', 'cpu-large')]);
    const source = await directorySource(dir);
    const one = await mergeFromSource(source, QUERY);
    expect([one.used, one.skipped.length, one.bytes?.equals(written[0]?.bytes ?? Buffer.alloc(0))]).toEqual([1, 0, true]);
    expect(await mergeFromSource(source, { ...QUERY, type: 'heap' })).toEqual({ bytes: undefined, listed: [], used: 0, skipped: [] });
  });

  it('a profile deleted between the listing and its read is skipped as gone; the rest merged', async () => {
    const { dir, written } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z'), cpu('api-2', '2026-03-01T10:05:00.000Z', 'cpu-large')]);
    const source = await directorySource(dir);
    const deleting: ProfileSource = {
      ...source,
      name: source.name,
      cacheable: false,
      list: async (query, signal) => {
        const listed = await source.list(query, signal);
        await rm(written[0]?.path ?? '');
        return listed;
      },
      read: (id, signal) => source.read(id, signal),
    };
    const merged = await mergeFromSource(deleting, QUERY);
    expect(merged.skipped).toEqual([{ id: written[0]?.id, reason: 'the file was deleted since it was listed', gone: true }]);
    expect(merged.used).toBe(1);
  });

  it('every profile unusable: SourceMergeError naming each; profiles of different kinds: refused naming both ids and types', async () => {
    const bad = await writeProfiles([
      cpu('api-1', '2026-03-01T10:00:00.000Z', Buffer.from('<html>oops</html>')),
      cpu('api-2', '2026-03-01T10:05:00.000Z', gzipSync('x')),
    ]);
    const none = await mergeFromSource(await directorySource(bad.dir), QUERY).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(SourceMergeError);
    expect((none as SourceMergeError).kind).toBe('none-usable');
    expect((none as SourceMergeError).message).toMatch(
      new RegExp(`^none of the 2 profiles listed in directory ${bad.dir} could be merged: ${bad.written[0]?.id}: .*; ${bad.written[1]?.id}: `),
    );
    const mixed = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z'), cpu('api-2', '2026-03-01T10:05:00.000Z', 'heap')]);
    const refused = await mergeFromSource(await directorySource(mixed.dir), QUERY).catch((e: unknown) => e);
    expect((refused as SourceMergeError).kind).toBe('incompatible');
    const [first, second] = mixed.written.map((w) => w.id);
    expect((refused as SourceMergeError).message).toMatch(new RegExp(`^cannot merge ${second} with ${first}: .*`));
    expect((refused as SourceMergeError).message).toContain(
      `profiles ${first} (stored as type cpu) and ${second} (stored as type cpu) are not of the same kind`,
    );
  });

  it('the cache is filled for the collector (ids are downloads) and left alone for a directory', async () => {
    const cacheDir = await tempDir('source-cache-');
    const cache = new ProfileCache({ dir: cacheDir });
    const { dir } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z'), cpu('api-2', '2026-03-01T10:05:00.000Z')]);
    await mergeFromSource(await directorySource(dir), QUERY, { cache });
    expect(await cache.usage()).toEqual({ files: 0, bytes: 0 });
    const collector = await startTestCollector();
    try {
      const client = new ProfefeClient({ baseUrl: collector.url });
      await client.upload(fixture('cpu'), { service: 'api', type: 'cpu' });
      await client.upload(fixture('cpu-large'), { service: 'api', type: 'cpu' });
      const wide = { ...QUERY, from: new Date('2000-01-01T00:00:00Z'), to: new Date() };
      const merged = await mergeFromSource(collectorSource(client), wide, { cache });
      expect(merged.used).toBe(2);
      expect((await cache.usage()).files).toBe(2);
    } finally {
      await collector.close();
    }
  });
});

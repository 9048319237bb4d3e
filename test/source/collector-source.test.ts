/**
 * collectorSource against the test collector (a real HTTP server answering as profefe does),
 * with profiles uploaded through the real client: the listing as StoredProfiles, a profile read
 * by id, a deleted one as ProfileGoneError, the collector's merge and its "nothing found".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { ProfefeError } from '../../src/profefe/profefe-error.js';
import { collectorSource } from '../../src/source/collector-source.js';
import { ProfileGoneError } from '../../src/source/profile-source.js';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { goPprofTop, withTempFile } from '../pprof/go-pprof.js';
import { withTime } from '../plugin/plugin-harness.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterEach(() => collector.reset());
afterAll(() => collector.close());

const at = (hh: string): Date => new Date(`2026-03-01T${hh}:00:00Z`);
const RANGE = { from: at('09'), to: at('13') };

function client(): ProfefeClient {
  return new ProfefeClient({ baseUrl: collector.url });
}

describe('collectorSource', () => {
  it('names the collector; lists services, and profiles oldest first with labels as a record and created_at as a Date', async () => {
    const source = collectorSource(client());
    expect(source.name).toBe(`collector ${collector.url}`);
    expect(source.cacheable).toBe(true);
    expect(await source.services()).toEqual([]);
    const later = await client().upload(withTime(fixture('cpu'), at('11')), { service: 'api', type: 'cpu', labels: { pod: 'api-1', namespace: 'shop' } });
    const earlier = await client().upload(withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu', labels: { pod: 'api-2' } });
    await client().upload(withTime(fixture('allocs'), at('10')), { service: 'api', type: 'other', labels: { pprof_type: 'allocs' } });
    await client().upload(withTime(fixture('heap'), at('10')), { service: 'db', type: 'heap' });
    expect(await source.services()).toEqual(['api', 'db']);
    const listed = await source.list({ service: 'api', type: 'cpu', labels: {}, ...RANGE });
    expect(listed).toEqual([
      { id: earlier.id, service: 'api', type: 'cpu', labels: { pod: 'api-2' }, createdAt: at('10') },
      { id: later.id, service: 'api', type: 'cpu', labels: { namespace: 'shop', pod: 'api-1' }, createdAt: at('11') },
    ]);
    expect((await source.list({ service: 'api', type: 'cpu', labels: { pod: 'api-1' }, ...RANGE })).map((p) => p.id)).toEqual([later.id]);
    expect((await source.list({ service: 'api', type: 'cpu', labels: {}, ...RANGE, limit: 1 })).map((p) => p.id)).toEqual([later.id]);
    const allocs = await source.list({ service: 'api', type: 'other', labels: { pprof_type: 'allocs' }, ...RANGE });
    expect(allocs.map((p) => [p.type, p.labels])).toEqual([['other', { pprof_type: 'allocs' }]]);
  });

  it('read gives the stored bytes; a profile the collector no longer has is ProfileGoneError with its 404', async () => {
    const stored = withTime(fixture('heap'), at('10'));
    const item = await client().upload(stored, { service: 'api', type: 'heap' });
    const source = collectorSource(client());
    expect(Buffer.from(await source.read(item.id)).equals(stored)).toBe(true);
    const missing = 'aaaaaaaaaaaaaaaaaaaa';
    const err = await source.read(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileGoneError);
    expect((err as ProfileGoneError).detail).toBe('404 nothing found');
    expect((err as ProfileGoneError).message).toBe(`profile ${missing} is no longer in collector ${collector.url} (404 nothing found)`);
    collector.failNext(1, 500, 'badger: closed');
    const failed = await source.read(item.id).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProfefeError);
    expect((failed as ProfefeError).status).toBe(500);
  });

  it("serverMerge is the collector's merge (what go tool pprof shows for the files merged); nothing found is undefined", async () => {
    const source = collectorSource(client());
    const query = { service: 'api', type: 'cpu', labels: {}, ...RANGE } as const;
    expect(await source.serverMerge?.(query)).toBeUndefined();
    const first = withTime(fixture('cpu'), at('10'));
    const second = withTime(fixture('cpu-large'), at('11'));
    await client().upload(first, { service: 'api', type: 'cpu' });
    await client().upload(second, { service: 'api', type: 'cpu' });
    const merged = await source.serverMerge?.(query);
    expect(merged).toBeInstanceOf(Buffer);
    const ours = await withTempFile(merged ?? Buffer.alloc(0), (file) => goPprofTop(file));
    const reference = await withTempFile(first, (a) => withTempFile(second, (b) => goPprofTop(a, [b])));
    expect(ours.rows).toEqual(reference.rows);
    expect(ours.rows.length).toBeGreaterThan(0);
  });
});

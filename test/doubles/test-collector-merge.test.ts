import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { fixture, fixturePath, type PprofFixtureName } from './fixtures.js';
import { startTestCollector, type TestCollector } from './test-collector.js';
import { pprofMergeProto, pprofTop, topTotal, topType } from './test-collector/go-pprof.js';
import { sampleTotals } from './test-collector/profile-bytes.js';

/**
 * Merged profiles (`id1+id2` and the merge endpoint) must be real pprof: `go tool pprof` opens
 * them and their totals equal Go's own merge of the same inputs (`go tool pprof -proto a b`).
 */

let collector: TestCollector;
let client: ProfefeClient;
let dir: string;

beforeAll(async () => {
  collector = await startTestCollector();
  client = new ProfefeClient({ baseUrl: collector.url });
  dir = await mkdtemp(join(tmpdir(), 'profefe-merge-'));
});
afterAll(async () => {
  await collector.close();
  await rm(dir, { recursive: true, force: true });
});

const WIDE = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };

/** Our merge and Go's merge of the same fixtures agree on every sample type's total. */
async function expectSameTotalsAsGo(merged: Buffer, inputs: PprofFixtureName[], sampleTypes: number): Promise<void> {
  const ours = join(dir, `ours-${inputs.join('-')}.pb.gz`);
  const reference = join(dir, `go-${inputs.join('-')}.pb.gz`);
  await writeFile(ours, merged);
  await writeFile(reference, await pprofMergeProto(inputs.map(fixturePath)));
  for (let index = 0; index < sampleTypes; index++) {
    const [oursTop, goTop] = await Promise.all([pprofTop(ours, index), pprofTop(reference, index)]);
    expect(topType(oursTop)).toBe(topType(goTop));
    expect(topTotal(oursTop), `sample index ${index}`).toBe(topTotal(goTop));
  }
  // Exact totals too (go tool pprof rounds what it prints): the sum of the inputs.
  const expected: Record<string, bigint> = {};
  for (const name of inputs) {
    for (const [type, total] of Object.entries(sampleTotals(fixture(name)))) expected[type] = (expected[type] ?? 0n) + total;
  }
  expect(sampleTotals(merged)).toEqual(expected);
}

describe('merged profiles open in go tool pprof with the totals of the inputs', () => {
  it('id1+id2 of two cpu profiles', async () => {
    const a = await client.upload(fixture('cpu'), { service: 'merge-ids', type: 'cpu' });
    const b = await client.upload(fixture('cpu-large'), { service: 'merge-ids', type: 'cpu' });
    const merged = await client.getProfiles([a.id, b.id]);
    await expectSameTotalsAsGo(merged, ['cpu', 'cpu-large'], 2);
    const top = await pprofTop(join(dir, 'ours-cpu-cpu-large.pb.gz'));
    expect(top).toMatch(/^Type: cpu$/m);
  });

  it('the merge endpoint over a heap and an allocs profile stored as heap', async () => {
    await client.upload(fixture('heap'), { service: 'merge-range', type: 'heap' });
    await client.upload(fixture('allocs'), { service: 'merge-range', type: 'heap' });
    const merged = await client.merge({ service: 'merge-range', type: 'heap', ...WIDE });
    expect(merged.subarray(0, 2).toString('hex')).toBe('1f8b');
    await expectSameTotalsAsGo(merged, ['heap', 'allocs'], 4);
  });

  it('the same profile twice doubles every total, samples without a stack included', async () => {
    // goroutine.pb.gz holds a sample with no locations. profefe's merge (pprof's profile.Merge)
    // keeps it, while `go tool pprof -proto` drops it on the way out, so the reference here is
    // go tool pprof's own total of the input, doubled.
    const a = await client.upload(fixture('goroutine'), { service: 'merge-twice', type: 'goroutine' });
    const b = await client.upload(fixture('goroutine'), { service: 'merge-twice', type: 'goroutine' });
    const merged = await client.getProfiles([a.id, b.id]);
    const ours = join(dir, 'ours-goroutine-twice.pb.gz');
    await writeFile(ours, merged);
    const single = Number(topTotal(await pprofTop(fixturePath('goroutine'))));
    expect(topTotal(await pprofTop(ours))).toBe(String(2 * single));
    const [name, total] = Object.entries(sampleTotals(fixture('goroutine')))[0] as [string, bigint];
    expect(sampleTotals(merged)).toEqual({ [name]: 2n * total });
  });
});

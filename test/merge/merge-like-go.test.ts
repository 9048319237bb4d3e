import { describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { builtProfile, type BuiltSample } from './built-profile.js';
import { expectSameAsGoMerge, type NamedProfile } from './go-merge.js';

const HEAP_INDEXES = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'];
const CPU_INDEXES = ['samples', 'cpu'];

const copies = (name: 'cpu' | 'heap' | 'cpu-large' | 'heap-large', n: number): NamedProfile[] =>
  Array.from({ length: n }, () => ({ name, bytes: fixture(name) }));

describe('ProfileMerger merges Go profiles as go tool pprof -proto does', () => {
  it('5 copies of the heap fixture', async () => {
    const { merger } = await expectSameAsGoMerge(copies('heap', 5), HEAP_INDEXES);
    expect(merger.stats.profiles).toBe(5);
  });

  it('4 copies of the cpu fixture, with -nodecount', async () => {
    await expectSameAsGoMerge(copies('cpu', 4), CPU_INDEXES, ['-nodecount=10']);
  });

  it('cpu and cpu-large', async () => {
    await expectSameAsGoMerge([...copies('cpu', 1), ...copies('cpu-large', 1)], CPU_INDEXES);
  });

  it('heap and heap-large (3.8 MB)', { timeout: 180_000 }, async () => {
    const { merger } = await expectSameAsGoMerge([...copies('heap', 1), ...copies('heap-large', 1)], HEAP_INDEXES, ['-nodecount=40']);
    // Samples are folded by (labels, stack): far fewer than the two profiles' samples together.
    expect(merger.stats.samples).toBeGreaterThan(100_000);
  });
});

const CALLS: BuiltSample['stack'][] = [['main.leaf', 'main.handler', 'main.main'], ['main.other', 'main.handler', 'main.main'], ['main.main']];

describe('ProfileMerger keeps labels as Go does', () => {
  const sampleTypes = [['requests', 'count'] as const, ['latency', 'nanoseconds'] as const];
  const labelled = (seed: number): Buffer =>
    builtProfile({
      sampleTypes,
      samples: [
        { stack: CALLS[0]!, values: [1, 10 + seed], labels: [{ key: 'handler', str: '/a' }] },
        { stack: CALLS[0]!, values: [2, 20], labels: [{ key: 'handler', str: '/b' }] },
        // A numeric label and a string label with the same key and "value" stay apart.
        { stack: CALLS[0]!, values: [3, 30], labels: [{ key: 'bytes', num: 1024, unit: 'bytes' }] },
        { stack: CALLS[0]!, values: [4, 40], labels: [{ key: 'bytes', str: '1024' }] },
        // The same number with and without a unit, and with another number.
        { stack: CALLS[0]!, values: [5, 50], labels: [{ key: 'size', num: 7 }] },
        { stack: CALLS[0]!, values: [6, 60], labels: [{ key: 'size', num: 7, unit: 'count' }] },
        { stack: CALLS[0]!, values: [7, 70], labels: [{ key: 'size', num: -8 + seed, unit: 'count' }] },
        // Keys in another order are the same labels; values of one key in another order are not.
        {
          stack: CALLS[1]!,
          values: [8, 80],
          labels: [
            { key: 'handler', str: '/a' },
            { key: 'region', str: 'eu' },
          ],
        },
        {
          stack: CALLS[1]!,
          values: [9, 90],
          labels: [
            { key: 'region', str: 'eu' },
            { key: 'handler', str: '/a' },
          ],
        },
        {
          stack: CALLS[1]!,
          values: [10, 100],
          labels: [
            { key: 'handler', str: '/a' },
            { key: 'handler', str: '/b' },
          ],
        },
        {
          stack: CALLS[1]!,
          values: [11, 110],
          labels: [
            { key: 'handler', str: '/b' },
            { key: 'handler', str: '/a' },
          ],
        },
        // A label with neither a string nor a number is dropped: this is the unlabelled sample.
        { stack: CALLS[2]!, values: [12, 120], labels: [{ key: 'empty' }] },
        { stack: CALLS[2]!, values: [13, 130] },
        {
          stack: CALLS[2]!,
          values: [14, 140],
          labels: [
            { key: 'handler', str: `/seed${seed}` },
            { key: 'size', num: seed },
          ],
        },
      ],
      comments: [`seed ${seed}`, 'shared comment'],
    });

  it('string and numeric labels, from three profiles', async () => {
    const profiles = [0, 1, 2].map((seed) => ({ name: `labelled-${seed}`, bytes: labelled(seed) }));
    const { views } = await expectSameAsGoMerge(profiles, ['requests', 'latency']);
    // The check above compares -raw, which lists each sample with its labels; make sure they are there.
    expect(views.raw).toContain('bytes:[1024]');
    expect(views.raw).toMatch(/handler:\[\/a \/b\]/);
    expect(views.raw).toContain('Comment: shared comment');
  });
});

describe('ProfileMerger combines headers and values as Go does', () => {
  const sampleTypes = [['samples', 'count'] as const, ['cpu', 'nanoseconds'] as const];

  it('earliest time, summed durations, largest period, comments once, first default sample type', async () => {
    const profile = (timeNanos: bigint, durationNanos: number, period: number, comments: string[], defaultSampleType?: string): Buffer =>
      builtProfile({
        sampleTypes,
        samples: [{ stack: CALLS[0]!, values: [1, period] }],
        periodType: ['cpu', 'nanoseconds'],
        period,
        timeNanos,
        durationNanos,
        comments,
        ...(defaultSampleType ? { defaultSampleType } : {}),
      });
    await expectSameAsGoMerge(
      [
        { name: 'late', bytes: profile(1_795_315_100_000_000_000n, 10_000_000_000, 10_000_000, ['a', 'b']) },
        { name: 'early', bytes: profile(1_795_315_000_000_000_000n, 30_000_000_000, 20_000_000, ['b', 'c'], 'samples') },
        { name: 'middle', bytes: profile(1_795_315_050_000_000_000n, 5_000_000_000, 1_000_000, ['c', 'd'], 'cpu') },
      ],
      CPU_INDEXES,
    );
  });

  it('drops samples whose values sum to zero, and what only they used', async () => {
    const plus = builtProfile({
      sampleTypes,
      samples: [
        { stack: CALLS[0]!, values: [5, 50] },
        { stack: CALLS[1]!, values: [1, 10] },
      ],
    });
    const minus = builtProfile({
      sampleTypes,
      samples: [
        { stack: CALLS[0]!, values: [-5, -50] },
        { stack: CALLS[2]!, values: [2, 20] },
      ],
    });
    const { views, merger } = await expectSameAsGoMerge(
      [
        { name: 'plus', bytes: plus },
        { name: 'minus', bytes: minus },
      ],
      CPU_INDEXES,
    );
    expect(views.raw).not.toContain('main.leaf');
    expect(merger.result().sample).toHaveLength(2);
  });

  it('sums values past 2^53 exactly and wraps past 2^63 as Go int64 does', async () => {
    const big = (value: bigint): Buffer => builtProfile({ sampleTypes, samples: [{ stack: CALLS[0]!, values: [value, 2n ** 52n + 1n] }] });
    await expectSameAsGoMerge(
      [
        { name: 'a', bytes: big(2n ** 62n + 3n) },
        { name: 'b', bytes: big(2n ** 62n + 5n) },
        { name: 'c', bytes: big(7n) },
      ],
      CPU_INDEXES,
    );
  });

  it('merges the same code loaded at another address (relative addresses, Go mapping keys)', async () => {
    const at = (mappingStart: number): Buffer =>
      builtProfile({ sampleTypes, samples: CALLS.map((stack, i) => ({ stack, values: [i + 1, 10] })), mappingStart });
    const { merger } = await expectSameAsGoMerge(
      [
        { name: 'low', bytes: at(0x400000) },
        { name: 'high', bytes: at(0x7f0000000000) },
      ],
      CPU_INDEXES,
    );
    expect(merger.stats).toMatchObject({ mappings: 1, samples: 3 });
  });
});

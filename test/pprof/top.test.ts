import { describe, expect, it } from 'vitest';
import { formatTop } from '../../src/output/top-table.js';
import { decodeProfile, encodeProfile } from '../../src/pprof/decode-profile.js';
import { SampleIndexError, topFunctions, type TopReport } from '../../src/pprof/top.js';
import { fixture, fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { expectPrintedAs, goPprofTop, withTempFile, type PprofTop } from './go-pprof.js';
import { randomProfile, syntheticProfile, type SyntheticProfileSpec } from './synthetic-profile.js';

/** Every row and every header line of ours equals what pprof printed; raw values match the printed ones. */
function expectSameAsPprof(report: TopReport, pprof: PprofTop): void {
  expect([...report.profileLabels, ...report.reportLabels]).toEqual(pprof.header);
  expect(report.rows.map((r) => r.name)).toEqual(pprof.rows.map((r) => r.name));
  expect(report.rows.map((r) => [r.name, r.flatText, r.flatPercent.trim(), r.sumPercent.trim(), r.cumText, r.cumPercent.trim(), r.inline])).toEqual(
    pprof.rows.map((r) => [r.name, r.flat, r.flatPercent, r.sumPercent, r.cum, r.cumPercent, r.inline]),
  );
  // The raw numbers behind the text: pprof prints them in `outputUnit`, so undo that scaling.
  report.rows.forEach((row, i) => {
    const theirs = pprof.rows[i]!;
    expectPrintedAs(row.flat, theirs.flat);
    expectPrintedAs(row.cum, theirs.cum);
  });
  const showing = /^Showing nodes accounting for (\S+), (\S+) of (\S+) total$/.exec(pprof.header.find((l) => l.startsWith('Showing nodes'))!);
  expect(showing).not.toBeNull();
  expectPrintedAs(report.total, showing![3]!);
  expectPrintedAs(report.shown, showing![1]!);
  const dropped = pprof.header.find((l) => l.startsWith('Dropped '));
  expect(report.droppedNodes).toBe(dropped ? Number(/^Dropped (\d+) /.exec(dropped)![1]) : 0);
}

const FIXTURE_CASES: ReadonlyArray<[PprofFixtureName, string | undefined]> = [
  ['cpu', undefined],
  ['cpu', 'samples'],
  ['cpu-large', undefined],
  ['cpu-large', '0'],
  ['heap', undefined],
  ['heap', 'alloc_objects'],
  ['heap', 'alloc_space'],
  ['heap', 'inuse_objects'],
  ['heap', 'inuse_space'],
  ['heap', '0'],
  ['allocs', undefined],
  ['allocs', 'inuse_space'],
  ['allocs', 'alloc_objects'],
  ['goroutine', undefined],
  ['block', undefined],
  ['block', 'contentions'],
  ['mutex', undefined],
  ['mutex', 'contentions'],
  ['threadcreate', undefined],
  ['heap-large', undefined],
  ['heap-large', 'alloc_objects'],
  ['heap-large', 'inuse_objects'],
];

describe('topFunctions equals go tool pprof -top on the Go fixtures', () => {
  it.each(FIXTURE_CASES)('%s with sample index %s', async (name, sampleIndex) => {
    const pprof = await goPprofTop(fixturePath(name), sampleIndex === undefined ? [] : [`-sample_index=${sampleIndex}`]);
    const report = topFunctions(decodeProfile(fixture(name), name), sampleIndex === undefined ? {} : { sampleIndex });
    expectSameAsPprof(report, pprof);
    expect(report.rows.length).toBeGreaterThan(0);
    expect(formatTop(report)).toBe(pprof.stdout);
  });

  it('picks the sample index pprof picks: default_sample_type, else the last type', () => {
    expect(topFunctions(decodeProfile(fixture('heap'))).sampleType).toEqual({ type: 'inuse_space', unit: 'bytes' });
    expect(topFunctions(decodeProfile(fixture('allocs'))).sampleType).toEqual({ type: 'alloc_space', unit: 'bytes' });
    expect(topFunctions(decodeProfile(fixture('cpu'))).sampleType).toEqual({ type: 'cpu', unit: 'nanoseconds' });
    expect(topFunctions(decodeProfile(fixture('block'))).sampleType).toEqual({ type: 'delay', unit: 'nanoseconds' });
    expect(topFunctions(decodeProfile(fixture('heap')), { sampleIndex: 1 }).sampleType.type).toBe('alloc_space');
  });

  it('applies -nodecount like pprof', async () => {
    for (const nodeCount of [1, 5, 25]) {
      const pprof = await goPprofTop(fixturePath('cpu-large'), [`-nodecount=${nodeCount}`]);
      const report = topFunctions(decodeProfile(fixture('cpu-large')), { nodeCount });
      expectSameAsPprof(report, pprof);
      expect(report.rows).toHaveLength(nodeCount);
      expect(report.reportLabels.some((l) => l.startsWith(`Showing top ${nodeCount} nodes out of `))).toBe(true);
    }
  });

  it('rejects an unknown sample index with the names it accepts, and an index out of range', () => {
    const heap = decodeProfile(fixture('heap'));
    expect(() => topFunctions(heap, { sampleIndex: 'cpu' })).toThrow(SampleIndexError);
    expect(() => topFunctions(heap, { sampleIndex: 'cpu' })).toThrow(/alloc_objects, alloc_space, inuse_objects, inuse_space/);
    expect(() => topFunctions(heap, { sampleIndex: 4 })).toThrow(/outside the range \[0\.\.3\]/);
    expect(() => topFunctions(heap, { sampleIndex: '-1' })).toThrow(/outside the range/);
  });
});

/** Encodes a synthetic profile, runs pprof on it, and compares. */
async function compareSynthetic(spec: SyntheticProfileSpec, args: { sampleIndex?: string; nodeCount?: number } = {}): Promise<TopReport> {
  const bytes = encodeProfile(syntheticProfile(spec));
  const flags = [
    ...(args.sampleIndex !== undefined ? [`-sample_index=${args.sampleIndex}`] : []),
    ...(args.nodeCount !== undefined ? [`-nodecount=${args.nodeCount}`] : []),
  ];
  const pprof = await withTempFile(bytes, (file) => goPprofTop(file, flags));
  const report = topFunctions(decodeProfile(bytes), args);
  expectSameAsPprof(report, pprof);
  return report;
}

const CPU: SyntheticProfileSpec['sampleTypes'] = [
  ['samples', 'count'],
  ['cpu', 'nanoseconds'],
];

describe('topFunctions equals go tool pprof -top on edge cases', () => {
  it('counts a recursive function once per sample in cum', async () => {
    const report = await compareSynthetic({
      sampleTypes: CPU,
      samples: [
        { stack: [['main.leaf'], ['main.rec'], ['main.rec'], ['main.rec'], ['main.main']], values: [3, 30_000_000] },
        { stack: [['main.rec'], ['main.rec'], ['main.main']], values: [1, 10_000_000] },
      ],
      durationNanos: 1_000_000_000,
    });
    expect(report.rows.find((r) => r.name === 'main.rec')?.cum).toBe(40_000_000);
  });

  it('marks inlined and partially inlined functions', async () => {
    const report = await compareSynthetic({
      sampleTypes: CPU,
      samples: [
        { stack: [['bytes.small', 'main.a'], ['main.main']], values: [1, 10_000_000] },
        { stack: [['bytes.small', 'main.b'], ['main.main']], values: [1, 10_000_000] },
        { stack: [['strings.mixed', 'main.a'], ['main.main']], values: [1, 10_000_000] },
        { stack: [['strings.mixed'], ['main.b'], ['main.main']], values: [1, 10_000_000] },
      ],
    });
    expect(report.rows.find((r) => r.name === 'bytes.small')?.inline).toBe('inline');
    expect(report.rows.find((r) => r.name === 'strings.mixed')?.inline).toBe('partial-inline');
  });

  it('names frames without a function by their binary, or <unknown>', async () => {
    const report = await compareSynthetic({
      sampleTypes: [['space', 'bytes']],
      samples: [
        { stack: [null, ['main.main']], values: [1_000_000] },
        { stack: [[''], ['main.main']], values: [2_000_000], mapping: '/usr/lib/x86_64-linux-gnu/libc.so.6' },
        { stack: [null, ['main.main']], values: [3_000_000], mapping: '' },
        { stack: [], values: [500_000] },
      ],
    });
    expect(report.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['[synthetic]', '[libc.so.6]', '<unknown>']));
  });

  it('drops nodes under nodefraction and loses the flat of samples whose leaf was dropped', async () => {
    const samples = [{ stack: [['main.big'], ['main.main']], values: [100_000_000] }];
    for (let i = 0; i < 40; i++) samples.push({ stack: [[`main.tiny${i}`], ['main.caller'], ['main.main']], values: [100_000 + i] });
    const report = await compareSynthetic({ sampleTypes: [['inuse_space', 'bytes']], samples });
    expect(report.droppedNodes).toBe(40);
    expect(report.shown).toBeLessThan(report.total);
  });

  it('sorts ties by name and formats exact rounding ties like Go (half to even)', async () => {
    await compareSynthetic({
      sampleTypes: [['alloc_space', 'bytes']],
      samples: [
        { stack: [['b.same']], values: [1152] }, // 1.125kB: Go prints 1.12kB
        { stack: [['a.same']], values: [1152] },
        { stack: [['C.upper']], values: [1152] },
        { stack: [['z.big']], values: [800 * 1152 - 3 * 1152] }, // makes 1152 0.125% of the total
      ],
    });
  });

  it('prints long, generic and non-ASCII names whole, as pprof does', async () => {
    const long = `github.com/example/very/long/module/path/v3/internal/pkg.(*Type[go.shape.struct { A int; B string }]).${'Method'.repeat(40)}`;
    const report = await compareSynthetic({
      sampleTypes: CPU,
      samples: [
        { stack: [[long], ['main.main']], values: [1, 10_000_000] },
        { stack: [['main.café·1'], ['main.main']], values: [1, 10_000_000] },
        { stack: [['main.𝔘nicode'], ['main.main']], values: [1, 10_000_000] },
        { stack: [['main.\uffffz'], ['main.main']], values: [1, 10_000_000] },
      ],
    });
    expect(report.rows.map((r) => r.name)).toContain(long);
  });

  it('handles negative values (diff profiles) and custom units', async () => {
    await compareSynthetic({
      sampleTypes: [['widgets', 'widget']],
      samples: [
        { stack: [['main.grow'], ['main.main']], values: [500] },
        { stack: [['main.shrink'], ['main.main']], values: [-200] },
        { stack: [['main.flat'], ['main.main']], values: [0] },
      ],
    });
  });

  it('accepts inuse_space for a legacy profile whose sample type is space', async () => {
    const report = await compareSynthetic(
      {
        sampleTypes: [
          ['objects', 'count'],
          ['space', 'bytes'],
          ['other', 'count'],
        ],
        samples: [{ stack: [['main.alloc']], values: [1, 4096, 7] }],
      },
      { sampleIndex: 'inuse_space' },
    );
    expect(report.sampleType.type).toBe('space');
  });

  it('reports an all-zero profile as pprof does', async () => {
    const report = await compareSynthetic({
      sampleTypes: CPU,
      samples: [{ stack: [['main.idle']], values: [0, 0] }],
    });
    expect(report.rows).toEqual([]);
  });

  it('prints the profile labels: comments, duration with the CPU ratio', async () => {
    await compareSynthetic({
      sampleTypes: CPU,
      periodType: ['cpu', 'nanoseconds'],
      period: 10_000_000,
      samples: [{ stack: [['main.spin'], ['main.main']], values: [250, 2_500_000_000] }],
      durationNanos: 10_000_000_000,
      comments: ['a visible comment', '# a hidden one'],
    });
  });

  it.each([1, 2, 3, 4])('matches on a random profile (seed %i) for both sample types and a node count', async (seed) => {
    const bytes = encodeProfile(randomProfile(seed, { samples: 3000, functions: 400, depth: 24 }));
    await withTempFile(bytes, async (file) => {
      const profile = decodeProfile(bytes);
      for (const [sampleIndex, nodeCount] of [
        ['space', undefined],
        ['samples', undefined],
        ['space', 30],
      ] as const) {
        const pprof = await goPprofTop(file, [`-sample_index=${sampleIndex}`, ...(nodeCount ? [`-nodecount=${nodeCount}`] : [])]);
        expectSameAsPprof(topFunctions(profile, { sampleIndex, ...(nodeCount ? { nodeCount } : {}) }), pprof);
      }
    });
  });
});

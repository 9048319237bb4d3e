/**
 * flameGraphData and diffFlameGraphData against the real `go tool pprof` on real Go profiles: the
 * root is pprof's total, the frames named F with no F above them add up to pprof's cum of F (for
 * every function pprof lists), and each of the widest deep paths is the sum of the -traces samples
 * that pass through it. Diffs against `go tool pprof -diff_base`.
 */
import { describe, expect, it } from 'vitest';
import { diffFlameGraphData, FlameDiffError, flameGraphData } from '../../src/flame/flame-tree.js';
import { encodeProfile } from '../../src/pprof/decode-profile.js';
import { SampleIndexError } from '../../src/pprof/top.js';
import { fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { syntheticProfile } from '../pprof/synthetic-profile.js';
import { fixtureFlame, profileFlame } from './flame-input.js';
import { withTempFile } from '../pprof/go-pprof.js';
import { exactUnit, pprofCum, pprofTraces } from './pprof-reference.js';
import { cumFromTree, paths } from './tree-walk.js';

/** `traces: false`: heap-large's -traces is over 64 MiB of text; its ~420 functions' cum values are still all checked. */
const CASES: { fixture: PprofFixtureName; sampleIndex?: string; traces?: false }[] = [
  { fixture: 'cpu' },
  { fixture: 'heap' },
  { fixture: 'heap', sampleIndex: 'alloc_space' },
  { fixture: 'heap', sampleIndex: 'inuse_objects' },
  { fixture: 'heap-large', traces: false },
  { fixture: 'cpu-large' },
];

const SLOW = 180_000;

describe('flameGraphData against go tool pprof', () => {
  for (const c of CASES) {
    const label = `${c.fixture}${c.sampleIndex ? ` -sample_index=${c.sampleIndex}` : ''}`;
    const what = c.traces === false ? '' : ', the widest deep paths = -traces sums';
    it(
      `${label}: root = total, every function's outermost frames = its cum${what}`,
      async () => {
        const data = flameGraphData(fixtureFlame(c.fixture), { sampleIndex: c.sampleIndex });
        const args = [...(c.sampleIndex ? [`-sample_index=${c.sampleIndex}`] : []), ...exactUnit(data.sampleType.unit)];
        const pprof = await pprofCum(fixturePath(c.fixture), args);

        expect(data.root.value).toBe(pprof.total);
        expect(data.total).toBe(pprof.total);
        const ours = cumFromTree(data.root, (n) => n.value);
        expect(pprof.cum.size).toBeGreaterThan(2);
        expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(pprof.cum));

        if (c.traces === false) return;
        const traces = await pprofTraces(fixturePath(c.fixture), args);
        const deep = paths(data.root)
          .filter((p) => p.path.length >= 2)
          .slice(0, 15);
        expect(deep.length).toBeGreaterThan(0);
        for (const { path, node } of deep) {
          const sum = traces.filter((t) => path.every((name, i) => t.stack[i] === name)).reduce((s, t) => s + t.value, 0);
          expect({ path, value: node.value }).toEqual({ path, value: sum });
        }
      },
      SLOW,
    );
  }

  it('children are widest first and each node holds at least the sum of its children', { timeout: SLOW }, () => {
    const data = flameGraphData(fixtureFlame('heap-large'));
    for (const { node } of paths(data.root)) {
      const sum = node.children.reduce((s, c) => s + c.value, 0);
      expect(node.value).toBeGreaterThanOrEqual(sum);
      for (let i = 1; i < node.children.length; i++) expect(node.children[i - 1]!.value).toBeGreaterThanOrEqual(node.children[i]!.value);
    }
  });

  it('inlined calls are frames of their own, caller-most first (as -traces shows them)', async () => {
    const profile = syntheticProfile({
      sampleTypes: [['samples', 'count']],
      samples: [
        { stack: [['leaf', 'inlinedHelper'], ['main.main']], values: [5] },
        { stack: [['main.main']], values: [2] },
      ],
    });
    const data = flameGraphData(profileFlame(profile));
    expect(data.root).toEqual({
      name: 'root',
      value: 7,
      children: [{ name: 'main.main', value: 7, children: [{ name: 'inlinedHelper', value: 5, children: [{ name: 'leaf', value: 5, children: [] }] }] }],
    });
    await withTempFile(encodeProfile(profile), async (file) => {
      const traces = await pprofTraces(file, []);
      expect(traces.find((t) => t.value === 5)?.stack).toEqual(['main.main', 'inlinedHelper', 'leaf']);
    });
  });

  it('an unknown --sample-index is refused with the types there are', () => {
    expect(() => flameGraphData(fixtureFlame('heap'), { sampleIndex: 'nope' })).toThrow(SampleIndexError);
    expect(() => flameGraphData(fixtureFlame('heap'), { sampleIndex: 'nope' })).toThrow(/alloc_objects, alloc_space, inuse_objects, inuse_space/);
  });
});

const DIFFS: { profile: PprofFixtureName; base: PprofFixtureName; sampleIndex?: string }[] = [
  { profile: 'cpu-large', base: 'cpu' },
  { profile: 'heap-large', base: 'heap' },
  { profile: 'cpu', base: 'cpu-large' },
  { profile: 'heap', base: 'heap', sampleIndex: 'alloc_space' },
];

describe('diffFlameGraphData against go tool pprof -diff_base', () => {
  for (const d of DIFFS) {
    it(
      `${d.profile} against ${d.base}${d.sampleIndex ? ` (${d.sampleIndex})` : ''}: deltas are -diff_base's cum, percentages of the base total`,
      async () => {
        const data = diffFlameGraphData(fixtureFlame(d.profile), fixtureFlame(d.base), { sampleIndex: d.sampleIndex });
        const args = [`-diff_base=${fixturePath(d.base)}`, ...(d.sampleIndex ? [`-sample_index=${d.sampleIndex}`] : []), ...exactUnit(data.sampleType.unit)];
        const pprof = await pprofCum(fixturePath(d.profile), args);
        const alone = await pprofCum(fixturePath(d.profile), args.slice(1));
        const base = await pprofCum(fixturePath(d.base), args.slice(1));

        expect(data.total).toBe(pprof.total);
        expect(data.diff?.baseTotal).toBe(base.total);
        expect(data.root.delta).toBe(alone.total - base.total);
        expect(data.root.value).toBe(alone.total + base.total);
        const deltas = cumFromTree(data.root, (n) => n.delta ?? Number.NaN);
        // pprof lists the functions whose merged cum is not zero.
        const changed = Object.fromEntries([...deltas].filter(([, v]) => v !== 0));
        expect(changed).toEqual(Object.fromEntries([...pprof.cum].filter(([, v]) => v !== 0)));
        // Widths: both profiles' values along the path.
        const widths = cumFromTree(data.root, (n) => n.value);
        for (const [name, cum] of alone.cum) expect(widths.get(name)).toBe(cum + (base.cum.get(name) ?? 0));
      },
      SLOW,
    );
  }

  it('profiles of different kinds are refused, naming both sample types', () => {
    expect(() => diffFlameGraphData(fixtureFlame('cpu'), fixtureFlame('heap'))).toThrow(FlameDiffError);
    expect(() => diffFlameGraphData(fixtureFlame('cpu'), fixtureFlame('heap'))).toThrow(
      'the profile holds cpu (nanoseconds) and the base inuse_space (bytes): a diff needs two profiles of the same kind',
    );
  });
});

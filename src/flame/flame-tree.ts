/**
 * A pprof profile as a flame graph's tree: one node per call path, frames named as pprof names
 * functions (inlined frames expanded, via function-graph.ts), the caller-most frame under the
 * root. A node's value is everything sampled in it and below it (pprof's cum along that path), so
 * the root's value is the profile's total, and the nodes named F that have no F above them add up
 * to pprof's cum of F.
 *
 * A diff follows `go tool pprof -diff_base`: the base's values count negatively. Each node's
 * `delta` is new − base along that path (what -diff_base's cum gives for it) and its `value` (the
 * width drawn) is new + base, so code that vanished stays visible; the base's value of a node is
 * (value − delta) / 2 and the new one's (value + delta) / 2. Percentages of a diff are of the
 * base's total, as pprof prints them.
 */
import type { Profile } from 'pprof-format';
import { functionStacks } from '../pprof/function-graph.js';
import { int64, resolveSampleIndex } from '../pprof/top.js';

export interface FlameNode {
  /** The function's name as pprof prints it; `root` at the top. */
  name: string;
  /** Width: the sampled value in this frame and below (in a diff: new + base). */
  value: number;
  /** Diffs only: new − base in this frame and below. */
  delta?: number;
  /** Callees, widest first (then by name). */
  children: FlameNode[];
}

export interface FlameGraphData {
  title: string;
  /** The sample type drawn, e.g. {type: 'cpu', unit: 'nanoseconds'}. */
  sampleType: { type: string; unit: string };
  /** What percentages are of: the profile's total (in a diff, the base's total). */
  total: number;
  root: FlameNode;
  /** Present on a diff: the base profile's total (= `total`). */
  diff?: { baseTotal: number };
}

export interface FlameOptions {
  /** A sample type name (`alloc_space`; `inuse_` may be omitted) or an index, as --sample-index. Default: the profile's. */
  sampleIndex?: string | number;
  /** Shown above the graph. Default: the sample type. */
  title?: string;
}

/** The two profiles of a diff hold different sample types (a heap profile against a CPU profile, say). */
export class FlameDiffError extends Error {
  override readonly name = 'FlameDiffError';
}

export function flameGraphData(profile: Profile, options: FlameOptions = {}): FlameGraphData {
  const values = sampledValues(profile, options.sampleIndex);
  const builder = new TreeBuilder();
  const total = builder.add(profile, values.weights, 1);
  return { title: options.title ?? values.sampleType.type, sampleType: values.sampleType, total, root: builder.finish(false) };
}

/** `profile` against `base`: growth has a positive delta, shrinkage a negative one. Throws FlameDiffError when the sample types differ. */
export function diffFlameGraphData(profile: Profile, base: Profile, options: FlameOptions = {}): FlameGraphData {
  const values = sampledValues(profile, options.sampleIndex);
  const baseValues = sampledValues(base, options.sampleIndex);
  const [a, b] = [values.sampleType, baseValues.sampleType];
  if (a.type !== b.type || a.unit !== b.unit) {
    throw new FlameDiffError(`the profile holds ${a.type} (${a.unit}) and the base ${b.type} (${b.unit}): a diff needs two profiles of the same kind`);
  }
  const builder = new TreeBuilder();
  builder.add(profile, values.weights, 1);
  const baseTotal = builder.add(base, baseValues.weights, -1);
  return {
    title: options.title ?? `${a.type} (diff)`,
    sampleType: a,
    total: baseTotal,
    root: builder.finish(true),
    diff: { baseTotal },
  };
}

interface SampledValues {
  readonly sampleType: { type: string; unit: string };
  readonly weights: Float64Array;
}

function sampledValues(profile: Profile, sampleIndex: string | number | undefined): SampledValues {
  const index = resolveSampleIndex(profile, sampleIndex);
  const strings = profile.stringTable.strings;
  const st = profile.sampleType[index]!;
  const weights = new Float64Array(profile.sample.length);
  profile.sample.forEach((s, i) => {
    weights[i] = int64(s.value[index] ?? 0);
  });
  return { sampleType: { type: strings[Number(st.type)] ?? '', unit: strings[Number(st.unit)] ?? '' }, weights };
}

/** A node while the tree is built: callees by name, and the values of the new profile (+) and the base (−). */
interface BuildNode {
  readonly name: string;
  added: number;
  removed: number;
  readonly children: Map<string, BuildNode>;
}

class TreeBuilder {
  private readonly root: BuildNode = newNode('root');

  /** Adds every sample of `profile` along its stack, `sign` 1 (a profile) or −1 (a diff's base); returns Σ|value|. */
  add(profile: Profile, weights: Float64Array, sign: 1 | -1): number {
    const stacks = functionStacks(profile);
    const { sampleStart, frameNode, names } = stacks;
    let total = 0;
    for (let s = 0; s < weights.length; s++) {
      const w = weights[s]!;
      if (w === 0) continue;
      total += Math.abs(w);
      let node = this.root;
      addValue(node, w * sign);
      for (let f = sampleStart[s]!; f < sampleStart[s + 1]!; f++) {
        const name = names[frameNode[f]!]!;
        let child = node.children.get(name);
        if (child === undefined) {
          child = newNode(name);
          node.children.set(name, child);
        }
        addValue(child, w * sign);
        node = child;
      }
    }
    return total;
  }

  finish(diff: boolean): FlameNode {
    return toFlameNode(this.root, diff);
  }
}

function newNode(name: string): BuildNode {
  return { name, added: 0, removed: 0, children: new Map() };
}

function addValue(node: BuildNode, value: number): void {
  if (value >= 0) node.added += value;
  else node.removed -= value;
}

function toFlameNode(node: BuildNode, diff: boolean): FlameNode {
  const children = [...node.children.values()].map((child) => toFlameNode(child, diff)).filter((child) => child.value !== 0);
  children.sort((l, r) => r.value - l.value || (l.name < r.name ? -1 : l.name > r.name ? 1 : 0));
  if (!diff) return { name: node.name, value: node.added - node.removed, children };
  return { name: node.name, value: node.added + node.removed, delta: node.added - node.removed, children };
}

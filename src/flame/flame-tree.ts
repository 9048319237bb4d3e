/**
 * A pprof profile as a flame graph's tree: one node per call path, frames named as pprof names
 * functions (inlined frames expanded, via function-graph.ts), the caller-most frame under the
 * root. The profile is read as the merge engine's tables (flame-profile.ts), the tree built
 * compact (flame-tree-builder.ts). A node's value is everything sampled in it and below it (pprof's cum along that path), so
 * the root's value is the profile's total, and the nodes named F that have no F above them add up
 * to pprof's cum of F.
 *
 * A diff follows `go tool pprof -diff_base`: the base's values count negatively. Each node's
 * `delta` is new − base along that path (what -diff_base's cum gives for it) and its `value` (the
 * width drawn) is new + base, so code that vanished stays visible; the base's value of a node is
 * (value − delta) / 2 and the new one's (value + delta) / 2. Percentages of a diff are of the
 * base's total, as pprof prints them.
 */
import type { FlameProfile } from './flame-profile.js';
import { FlameTreeBuilder } from './flame-tree-builder.js';
import { sampleIndexOf } from '../pprof/top.js';

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

/** The tree of `profile` (read as flame-profile.ts reads profiles). */
export function flameGraphData(profile: FlameProfile, options: FlameOptions = {}): FlameGraphData {
  const sampled = sampledType(profile, options.sampleIndex);
  const builder = new FlameTreeBuilder();
  const total = builder.add(profile, sampled.index, 1);
  return { title: options.title ?? sampled.sampleType.type, sampleType: sampled.sampleType, total, root: builder.finish(false) };
}

/** `profile` against `base`: growth has a positive delta, shrinkage a negative one. Throws FlameDiffError when the sample types differ. */
export function diffFlameGraphData(profile: FlameProfile, base: FlameProfile, options: FlameOptions = {}): FlameGraphData {
  const sampled = sampledType(profile, options.sampleIndex);
  const baseSampled = sampledType(base, options.sampleIndex);
  const [a, b] = [sampled.sampleType, baseSampled.sampleType];
  if (a.type !== b.type || a.unit !== b.unit) {
    throw new FlameDiffError(`the profile holds ${a.type} (${a.unit}) and the base ${b.type} (${b.unit}): a diff needs two profiles of the same kind`);
  }
  const builder = new FlameTreeBuilder();
  builder.add(profile, sampled.index, 1);
  const baseTotal = builder.add(base, baseSampled.index, -1);
  return {
    title: options.title ?? `${a.type} (diff)`,
    sampleType: a,
    total: baseTotal,
    root: builder.finish(true),
    diff: { baseTotal },
  };
}

interface SampledType {
  readonly index: number;
  readonly sampleType: { type: string; unit: string };
}

function sampledType(profile: FlameProfile, sampleIndex: string | number | undefined): SampledType {
  const types = profile.header.sampleTypes;
  const index = sampleIndexOf(
    types.map((t) => t.type),
    profile.header.defaultSampleType,
    sampleIndex,
  );
  const { type, unit } = types[index]!;
  return { index, sampleType: { type, unit } };
}

/**
 * What `go tool pprof -top` reports for a profile, computed in-process: the same sample index,
 * total, node trimming (nodefraction 0.005, edgefraction 0.001, optional nodecount), output unit,
 * order, values and header lines as pprof in Go 1.19 (google/pprof driver + report + graph).
 */
import type { Profile } from 'pprof-format';
import { buildFunctionGraph, functionStacks, sortByFlatThenName, type FunctionGraph } from './function-graph.js';
import { label, percentage, scale, scaledLabel } from './measurement.js';

export interface TopOptions {
  /** A sample type name (`alloc_space`; `inuse_` may be omitted as in pprof) or an index. Default: pprof's. */
  sampleIndex?: string | number;
  /** Keep only the N heaviest functions, like `-nodecount=N`. Default 0: no limit (pprof's default for -top). */
  nodeCount?: number;
  /** pprof's -nodefraction (default 0.005). */
  nodeFraction?: number;
  /** pprof's -edgefraction (default 0.001); only affects the (inline) markers. */
  edgeFraction?: number;
}

export interface TopRow {
  /** Function name as pprof prints it (`[binary]` or `<unknown>` for frames without a name). */
  readonly name: string;
  /** `inline` when every call seen to it was inlined, `partial-inline` when some were, else ''. */
  readonly inline: '' | 'inline' | 'partial-inline';
  /** Raw values in the sample unit (e.g. nanoseconds, bytes, count). */
  readonly flat: number;
  readonly cum: number;
  /** Running sum of flat down to this row. */
  readonly sum: number;
  /** Columns exactly as pprof prints them: `1.33s`, `94.33%`, `  100%`. */
  readonly flatText: string;
  readonly flatPercent: string;
  readonly sumPercent: string;
  readonly cumText: string;
  readonly cumPercent: string;
}

export interface TopReport {
  /** The sample type shown, e.g. {type:'inuse_space', unit:'bytes'}, and its index. */
  readonly sampleType: { readonly type: string; readonly unit: string };
  readonly sampleIndex: number;
  /** The unit values are printed in (pprof's "minimum" choice), e.g. `MB`, `s`, `count`; 'minimum' when there are no rows. */
  readonly outputUnit: string;
  /** Sum of |value| over all samples, in the sample unit. */
  readonly total: number;
  /** Sum of flat over the rows shown. */
  readonly shown: number;
  /** Functions dropped because their cum was below nodefraction × total. */
  readonly droppedNodes: number;
  /** Functions left after that, before nodecount. */
  readonly nodesBeforeLimit: number;
  readonly rows: readonly TopRow[];
  /** pprof's profile lines: File, Build ID, comments, Type, Time (UTC), Duration. */
  readonly profileLabels: readonly string[];
  /** pprof's report lines: "Showing nodes accounting for …", "Dropped N nodes (cum <= …)", "Showing top N nodes out of M". */
  readonly reportLabels: readonly string[];
}

/** pprof-format hands large varints (every negative int64) back as unsigned bigints. */
export function int64(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(BigInt.asIntN(64, value)) : value;
}

export class SampleIndexError extends Error {
  override readonly name = 'SampleIndexError';
}

const DEFAULT_NODE_FRACTION = 0.005;
const DEFAULT_EDGE_FRACTION = 0.001;

/** profile.SampleIndexByName: '' picks default_sample_type, else the last sample type. */
export function resolveSampleIndex(profile: Profile, sampleIndex?: string | number): number {
  const types = profile.sampleType.map((t) => profile.stringTable.strings[Number(t.type)] ?? '');
  return sampleIndexOf(types, profile.stringTable.strings[Number(profile.defaultSampleType)] ?? '', sampleIndex);
}

/** resolveSampleIndex for a profile's sample type names and its default_sample_type (`preferred`, '' for none). */
export function sampleIndexOf(types: readonly string[], preferred: string, sampleIndex?: string | number): number {
  if (types.length === 0) throw new SampleIndexError('the profile has no sample types');
  const asked = sampleIndex === undefined ? '' : String(sampleIndex).trim();
  if (asked === '') {
    if (preferred !== '') {
      const i = types.indexOf(preferred);
      if (i >= 0) return i;
    }
    return types.length - 1;
  }
  if (/^[+-]?\d+$/.test(asked)) {
    const i = Number(asked);
    if (i < 0 || i >= types.length) {
      throw new SampleIndexError(`--sample-index ${asked} is outside the range [0..${types.length - 1}]`);
    }
    return i;
  }
  const noInuse = asked.startsWith('inuse_') ? asked.slice('inuse_'.length) : asked;
  const i = types.findIndex((t) => t === asked || t === noInuse);
  if (i < 0) throw new SampleIndexError(`--sample-index ${JSON.stringify(asked)} must be one of: ${types.join(', ')} (or an index)`);
  return i;
}

export function topFunctions(profile: Profile, opts: TopOptions = {}): TopReport {
  const strings = profile.stringTable.strings;
  const index = resolveSampleIndex(profile, opts.sampleIndex);
  const st = profile.sampleType[index]!;
  const sampleType = { type: strings[Number(st.type)] ?? '', unit: strings[Number(st.unit)] ?? '' };
  const sampleUnit = sampleType.unit;
  const nodeFraction = opts.nodeFraction ?? DEFAULT_NODE_FRACTION;
  const edgeFraction = opts.edgeFraction ?? DEFAULT_EDGE_FRACTION;
  const nodeCountLimit = opts.nodeCount ?? 0;

  const weights = new Float64Array(profile.sample.length);
  profile.sample.forEach((s, i) => {
    weights[i] = int64(s.value[index] ?? 0);
  });
  const total = computeTotal(profile, weights);
  const stacks = functionStacks(profile);

  // report.newTrimmedGraph (text output: no call tree, flat sort, not visual).
  let graph = buildFunctionGraph(stacks, weights);
  let totalValue = 0;
  for (const n of graph.nodes) totalValue += graph.flat[n]!;
  const nodeCutoff = Math.abs(Math.trunc(totalValue * nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * edgeFraction));
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const keptNodes = graph.nodes.filter((n) => Math.abs(graph.cum[n]!) >= nodeCutoff);
    if (keptNodes.length !== graph.nodes.length) {
      droppedNodes = graph.nodes.length - keptNodes.length;
      graph = buildFunctionGraph(stacks, weights, keepSet(stacks.names.length, keptNodes));
    }
  }
  const nodesBeforeLimit = graph.nodes.length;
  let order = sortByFlatThenName(graph, stacks, graph.nodes.slice());
  if (nodeCountLimit > 0 && nodeCountLimit < order.length) {
    graph = buildFunctionGraph(stacks, weights, keepSet(stacks.names.length, order.slice(0, nodeCountLimit)));
    order = sortByFlatThenName(graph, stacks, graph.nodes.slice());
  }

  const outputUnit = selectOutputUnit(graph, order, total, sampleUnit);
  const format = (v: number): string => scaledLabel(v, sampleUnit, outputUnit);

  const inlineLabels = inlineLabelsByNode(graph, edgeCutoff);
  const rows: TopRow[] = [];
  let sum = 0;
  for (const n of order) {
    const flat = graph.flat[n]!;
    const cum = graph.cum[n]!;
    sum += flat;
    rows.push({
      name: stacks.names[n]!,
      inline: inlineLabels.get(n) ?? '',
      flat,
      cum,
      sum,
      flatText: format(flat),
      flatPercent: percentage(flat, total),
      sumPercent: percentage(sum, total),
      cumText: format(cum),
      cumPercent: percentage(cum, total),
    });
  }

  const reportLabels = [`Showing nodes accounting for ${format(sum)}, ${percentage(sum, total).trim()} of ${format(total)} total`];
  if (total !== 0) {
    if (droppedNodes > 0) {
      const noun = droppedNodes > 1 ? 'nodes' : 'node';
      reportLabels.push(`Dropped ${droppedNodes} ${noun} (cum <= ${format(Math.abs(Math.trunc(total * nodeFraction)))})`);
    }
    if (order.length > 0 && order.length < nodesBeforeLimit) {
      reportLabels.push(`Showing top ${order.length} nodes out of ${nodesBeforeLimit}`);
    }
  }

  return {
    sampleType,
    sampleIndex: index,
    outputUnit,
    total,
    shown: sum,
    droppedNodes,
    nodesBeforeLimit,
    rows,
    profileLabels: profileLabels(profile, sampleType, total, format),
    reportLabels,
  };
}

function keepSet(size: number, nodes: readonly number[]): Uint8Array {
  const kept = new Uint8Array(size);
  for (const n of nodes) kept[n] = 1;
  return kept;
}

/** report.computeTotal: sum of |value|; only the diff base when the profile marks one (pprof::base). */
function computeTotal(profile: Profile, weights: Float64Array): number {
  const strings = profile.stringTable.strings;
  let total = 0;
  let diffTotal = 0;
  profile.sample.forEach((sample, i) => {
    const v = Math.abs(weights[i]!);
    total += v;
    const isBase = sample.label.some((l) => strings[Number(l.key)] === 'pprof::base' && strings[Number(l.str)] === 'true');
    if (isBase) diffTotal += v;
  });
  return diffTotal > 0 ? diffTotal : total;
}

/** report.selectOutputUnit with unit "minimum". */
function selectOutputUnit(graph: FunctionGraph, nodes: readonly number[], total: number, sampleUnit: string): string {
  if (nodes.length === 0) return 'minimum';
  let minValue = 0;
  for (const n of nodes) {
    let nodeMin = Math.abs(graph.flat[n]!);
    if (nodeMin === 0) nodeMin = Math.abs(graph.cum[n]!);
    if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
  }
  const maxValue = total;
  if (minValue === 0) minValue = maxValue;
  const [, minUnit] = scale(minValue, sampleUnit, 'minimum');
  const [, maxUnit] = scale(maxValue, sampleUnit, 'minimum');
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) {
    [, unit] = scale(100 * minValue, sampleUnit, 'minimum');
  }
  return unit !== '' ? unit : sampleUnit;
}

/**
 * "(inline)" when every in-edge left after TrimLowFrequencyEdges is an inlined call,
 * "(partial-inline)" when only some are.
 */
function inlineLabelsByNode(graph: FunctionGraph, edgeCutoff: number): Map<number, TopRow['inline']> {
  const seen = new Map<number, { inline: boolean; notInline: boolean }>();
  for (const edge of graph.edges.values()) {
    if (Math.abs(edge.weight) < edgeCutoff) continue;
    const flags = seen.get(edge.dest) ?? { inline: false, notInline: false };
    if (edge.inline) flags.inline = true;
    else flags.notInline = true;
    seen.set(edge.dest, flags);
  }
  const labels = new Map<number, TopRow['inline']>();
  for (const [node, flags] of seen) {
    if (flags.inline) labels.set(node, flags.notInline ? 'partial-inline' : 'inline');
  }
  return labels;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go layout "Jan 2, 2006 at 3:04pm (MST)" in UTC. */
function formatProfileTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  const hour12 = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const ampm = d.getUTCHours() < 12 ? 'am' : 'pm';
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${hour12}:${minutes}${ampm} (UTC)`;
}

/** report.ProfileLabels. */
function profileLabels(profile: Profile, sampleType: { type: string; unit: string }, total: number, format: (v: number) => string): string[] {
  const strings = profile.stringTable.strings;
  const labels: string[] = [];
  const main = profile.mapping[0];
  if (main !== undefined) {
    const file = strings[Number(main.filename)] ?? '';
    const buildId = strings[Number(main.buildId)] ?? '';
    if (file !== '' && mainFileKept(file, buildId)) labels.push(`File: ${file.replace(/\/+$/, '').split('/').pop() || '/'}`);
    if (buildId !== '') labels.push(`Build ID: ${buildId}`);
  }
  for (const c of profile.comment) {
    const text = strings[Number(c)] ?? '';
    if (!text.startsWith('#')) labels.push(text);
  }
  if (sampleType.type !== '') labels.push(`Type: ${sampleType.type}`);
  const timeNanos = BigInt.asIntN(64, BigInt(profile.timeNanos));
  if (timeNanos !== 0n) labels.push(`Time: ${formatProfileTime(timeNanos)}`);
  const durationNanos = int64(profile.durationNanos);
  if (durationNanos !== 0) {
    const [totalNanos, totalUnit] = scale(total, sampleType.unit, 'nanoseconds');
    const ratio = totalUnit === 'ns' && totalNanos !== 0 ? `(${percentage(Math.trunc(totalNanos), durationNanos)})` : '';
    labels.push(`Duration: ${label(durationNanos, 'nanoseconds')}, Total samples = ${format(total)} ${ratio}`);
  }
  return labels;
}

/** unsourceMappings clears a main mapping file that is an absolute URL when there is no build id. */
function mainFileKept(file: string, buildId: string): boolean {
  return buildId !== '' || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(file);
}

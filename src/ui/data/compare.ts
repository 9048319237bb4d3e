/**
 * A range (or a label value) against another: both merged, the top table of the change per
 * function (new − base, flat and cum, as `go tool pprof -top -diff_base base new` counts them)
 * and the diff flame graph.
 */
import { diffFlameGraphData, type FlameGraphData } from '../../flame/flame-tree.js';
import { type TopReport, topFunctions } from '../../pprof/top.js';
import type { TypedQuery, UiBackend } from '../backend.js';
import { flameProfileOf, type MergedView, mergedView, sampleOrDefault } from './merged-view.js';

export interface FunctionChange {
  readonly name: string;
  readonly baseFlat: number;
  readonly flat: number;
  readonly baseCum: number;
  readonly cum: number;
}

export interface Comparison {
  readonly current: MergedView;
  readonly base: MergedView;
  /** Present when both sides have profiles. */
  readonly diff?: {
    readonly unit: string;
    readonly baseTotal: number;
    readonly total: number;
    /** Largest |flat change| first. */
    readonly changes: readonly FunctionChange[];
    readonly flame: FlameGraphData;
  };
}

export async function compare(backend: UiBackend, query: TypedQuery, baseQuery: TypedQuery, sample: string, signal: AbortSignal): Promise<Comparison> {
  const [current, base] = await Promise.all([mergedView(backend, query, sample, signal), mergedView(backend, baseQuery, sample, signal)]);
  if (!current.merged || !base.merged) return { current, base };
  const options = { sampleIndex: sampleOrDefault(sample), nodeFraction: 0 };
  const now = topFunctions(current.merged.profile, options);
  const before = topFunctions(base.merged.profile, options);
  const [profile, baseProfile] = [flameProfileOf(current)!, flameProfileOf(base)!];
  const flame = diffFlameGraphData(profile, baseProfile, { sampleIndex: sampleOrDefault(sample), title: 'change' });
  return { current, base, diff: { unit: now.sampleType.unit, baseTotal: before.total, total: now.total, changes: changesBetween(before, now), flame } };
}

export function changesBetween(base: TopReport, current: TopReport): FunctionChange[] {
  const byName = new Map<string, FunctionChange>();
  const entry = (name: string): FunctionChange => byName.get(name) ?? { name, baseFlat: 0, flat: 0, baseCum: 0, cum: 0 };
  for (const row of base.rows) byName.set(row.name, { ...entry(row.name), baseFlat: row.flat, baseCum: row.cum });
  for (const row of current.rows) byName.set(row.name, { ...entry(row.name), flat: row.flat, cum: row.cum });
  const change = (c: FunctionChange): number => Math.abs(c.flat - c.baseFlat);
  return [...byName.values()].sort(
    (a, b) => change(b) - change(a) || Math.abs(b.cum - b.baseCum) - Math.abs(a.cum - a.baseCum) || a.name.localeCompare(b.name),
  );
}

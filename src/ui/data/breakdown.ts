/**
 * A query's profiles broken down by one label (pod, node, container, workload, any stored label):
 * each value's profiles merged on their own, with its total and share, and its heaviest function.
 */
import type { TypedQuery, UiBackend } from '../backend.js';
import { type MergedView, mergedView } from './merged-view.js';

export interface BreakdownRow {
  readonly value: string;
  readonly view: MergedView;
}

export interface Breakdown {
  readonly label: string;
  /** Label names the listed profiles carry (for the picker). */
  readonly labels: readonly string[];
  readonly rows: readonly BreakdownRow[];
  /** Profiles listed without the label: not in any row. */
  readonly without: number;
  /** Sum of the rows' totals. */
  readonly total: number;
}

export async function breakdown(backend: UiBackend, query: TypedQuery, label: string, sample: string, signal: AbortSignal): Promise<Breakdown> {
  const listed = await backend.source.list(query, signal);
  const labels = new Set<string>();
  const values = new Set<string>();
  let without = 0;
  for (const profile of listed) {
    for (const name of Object.keys(profile.labels)) labels.add(name);
    const value = profile.labels[label];
    if (value === undefined) without++;
    else values.add(value);
  }
  const rows: BreakdownRow[] = [];
  for (const value of [...values].sort()) {
    rows.push({ value, view: await mergedView(backend, { ...query, labels: { ...query.labels, [label]: value } }, sample, signal) });
  }
  rows.sort((a, b) => totalOf(b) - totalOf(a) || a.value.localeCompare(b.value));
  const total = rows.reduce((sum, row) => sum + totalOf(row), 0);
  return { label, labels: [...labels].sort(), rows, without, total };
}

export function totalOf(row: BreakdownRow): number {
  return row.view.merged?.top.total ?? 0;
}

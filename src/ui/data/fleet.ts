/**
 * The fleet: for one profile type and range, every service's profiles merged, and the functions
 * that weigh most across all of them (flat and cum summed over services, as pprof counts them in
 * each service's merged profile).
 */
import type { TypedQuery, UiBackend } from '../backend.js';
import { type MergedView, mergedView } from './merged-view.js';

export interface FleetService {
  readonly service: string;
  readonly view?: MergedView;
  /** Why this service is not in the sums (no profiles, another sample type, an error). */
  readonly left?: string;
}

export interface FleetFunction {
  readonly name: string;
  readonly flat: number;
  readonly cum: number;
  /** Services where it shows, heaviest (flat) first. */
  readonly services: readonly string[];
}

export interface Fleet {
  readonly sampleType?: { readonly type: string; readonly unit: string };
  readonly total: number;
  readonly services: readonly FleetService[];
  readonly functions: readonly FleetFunction[];
}

export async function fleet(backend: UiBackend, query: Omit<TypedQuery, 'service'>, sample: string, signal: AbortSignal): Promise<Fleet> {
  const names = await backend.source.services(signal);
  const services: FleetService[] = [];
  let sampleType: Fleet['sampleType'];
  const sums = new Map<string, { flat: number; cum: number; by: Array<[string, number]> }>();
  let total = 0;
  for (const service of names) {
    const view = await mergedView(backend, { ...query, service }, sample, signal);
    const top = view.merged?.top;
    if (!top) {
      services.push({ service, view, left: view.outcome.listed === 0 ? 'no profiles in the range' : 'no profile could be used' });
      continue;
    }
    sampleType ??= top.sampleType;
    if (top.sampleType.type !== sampleType.type || top.sampleType.unit !== sampleType.unit) {
      services.push({ service, view, left: `holds ${top.sampleType.type} (${top.sampleType.unit}), not ${sampleType.type} (${sampleType.unit})` });
      continue;
    }
    services.push({ service, view });
    total += top.total;
    for (const row of top.rows) {
      const sum = sums.get(row.name) ?? { flat: 0, cum: 0, by: [] };
      sum.flat += row.flat;
      sum.cum += row.cum;
      sum.by.push([service, row.flat]);
      sums.set(row.name, sum);
    }
  }
  const functions = [...sums].map(([name, s]) => ({ name, flat: s.flat, cum: s.cum, services: s.by.sort((a, b) => b[1] - a[1]).map(([svc]) => svc) }));
  functions.sort((a, b) => b.flat - a.flat || b.cum - a.cum || a.name.localeCompare(b.name));
  return { sampleType, total, services, functions };
}

/** The profiles stored in a range, one row per pod (or per service when a profile has no pod label), oldest first. */
import type { StoredProfile } from '../../source/profile-source.js';
import type { TypedQuery, UiBackend } from '../backend.js';

export interface TimelineRow {
  /** The pod's name, or `(no pod label)`. */
  readonly pod: string;
  readonly profiles: readonly StoredProfile[];
}

export interface Timeline {
  readonly from: Date;
  readonly to: Date;
  readonly profiles: number;
  readonly rows: readonly TimelineRow[];
}

export const NO_POD = '(no pod label)';

export async function timeline(backend: UiBackend, query: TypedQuery, signal: AbortSignal): Promise<Timeline> {
  const listed = await backend.source.list(query, signal);
  const rows = new Map<string, StoredProfile[]>();
  for (const profile of listed) {
    const pod = profile.labels.pod ?? NO_POD;
    const row = rows.get(pod) ?? [];
    row.push(profile);
    rows.set(pod, row);
  }
  const sorted = [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([pod, profiles]) => ({ pod, profiles }));
  return { from: query.from, to: query.to, profiles: listed.length, rows: sorted };
}

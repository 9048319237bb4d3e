/** The profile types a service has in a range, as users name them (allocs rather than other + pprof_type=allocs). */
import type { SourceQuery, StoredProfile } from '../../source/profile-source.js';
import type { UiBackend } from '../backend.js';

export interface TypeCount {
  readonly type: string;
  readonly profiles: number;
  readonly newest: Date;
}

export async function profileTypesOf(backend: UiBackend, query: Omit<SourceQuery, 'type'>, signal: AbortSignal): Promise<TypeCount[]> {
  const listed = await backend.source.list({ ...query, type: undefined }, signal);
  const byType = new Map<string, { profiles: number; newest: Date }>();
  for (const profile of listed) {
    const type = userType(profile);
    if (type === 'trace') continue; // not pprof: nothing to draw
    const entry = byType.get(type) ?? { profiles: 0, newest: profile.createdAt };
    entry.profiles++;
    if (profile.createdAt > entry.newest) entry.newest = profile.createdAt;
    byType.set(type, entry);
  }
  return [...byType].map(([type, entry]) => ({ type, ...entry })).sort((a, b) => a.type.localeCompare(b.type));
}

/** `other` with pprof_type=allocs is shown as allocs (how kprofefe stores it). */
export function userType(profile: StoredProfile): string {
  return profile.type === 'other' && profile.labels.pprof_type === 'allocs' ? 'allocs' : profile.type;
}

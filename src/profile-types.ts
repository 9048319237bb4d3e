/**
 * The Go pprof profile types kube-profefe knows, in one table: where each lives under the
 * pprof prefix and which profefe type stores it. Every stage reads this table; nothing else
 * hard-codes an endpoint or a collector type.
 */

/** Profile types as users name them (flags, annotations, file paths). */
export const PROFILE_TYPES = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

/** Scraped when neither a flag nor an annotation narrows them: every type. */
export const DEFAULT_PROFILE_TYPES: readonly ProfileType[] = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'];

/** Types the profefe collector accepts (docs/profefe-api.md). There is no `allocs`. */
export const COLLECTOR_TYPES = ['cpu', 'heap', 'block', 'mutex', 'goroutine', 'threadcreate', 'other', 'trace'] as const;
export type CollectorType = (typeof COLLECTOR_TYPES)[number];

export interface ProfileTypeSpec {
  /** Path below the pprof prefix, e.g. `profile` for `/debug/pprof/profile`. */
  readonly endpoint: string;
  /**
   * A window profile: the endpoint takes `?seconds=N`, blocks that long and returns what happened
   * in those N seconds (cpu; allocs, block and mutex as Go's delta profiles). The run starts a
   * pod's window profiles together, so they cover the same N seconds. The others are snapshots.
   */
  readonly timed: boolean;
  /**
   * Asked without `?seconds`, the endpoint answers at once with counters since the process
   * started (allocs, block, mutex). A target that refuses `seconds` (HTTP 400: a WriteTimeout
   * shorter than N, a custom handler) is asked again without it, and the profile is stored as
   * cumulative (`delta=false`). cpu has no such fallback: without `seconds` Go profiles 30 s.
   */
  readonly cumulativeFallback: boolean;
  /** The profefe type the profile is stored as. */
  readonly collectorType: CollectorType;
  /** Labels added so a type stored under a shared collector type can still be found. */
  readonly collectorLabels: Readonly<Record<string, string>>;
}

/**
 * `allocs` is the heap profile with `alloc_space` as its default sample index. profefe has no
 * `allocs` type, so it is stored as type `other` with the label `pprof_type=allocs`; query it
 * with `--type other --labels pprof_type=allocs`.
 */
export const PROFILE_TYPE_SPECS: Readonly<Record<ProfileType, ProfileTypeSpec>> = {
  cpu: { endpoint: 'profile', timed: true, cumulativeFallback: false, collectorType: 'cpu', collectorLabels: {} },
  heap: { endpoint: 'heap', timed: false, cumulativeFallback: false, collectorType: 'heap', collectorLabels: {} },
  allocs: { endpoint: 'allocs', timed: true, cumulativeFallback: true, collectorType: 'other', collectorLabels: { pprof_type: 'allocs' } },
  goroutine: { endpoint: 'goroutine', timed: false, cumulativeFallback: false, collectorType: 'goroutine', collectorLabels: {} },
  block: { endpoint: 'block', timed: true, cumulativeFallback: true, collectorType: 'block', collectorLabels: {} },
  mutex: { endpoint: 'mutex', timed: true, cumulativeFallback: true, collectorType: 'mutex', collectorLabels: {} },
  threadcreate: { endpoint: 'threadcreate', timed: false, cumulativeFallback: false, collectorType: 'threadcreate', collectorLabels: {} },
};

export function isProfileType(value: string): value is ProfileType {
  return (PROFILE_TYPES as readonly string[]).includes(value);
}

/**
 * Parses a comma list such as `cpu,heap`. Returns the types in the order given, without
 * duplicates, or the first unknown name.
 */
export function parseProfileTypeList(list: string): { types: ProfileType[] } | { unknown: string } {
  const types: ProfileType[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (!isProfileType(name)) return { unknown: raw.trim() };
    if (!types.includes(name)) types.push(name);
  }
  return { types };
}

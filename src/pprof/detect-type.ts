/**
 * Which kind of Go profile a pprof profile is, read from its sample types (and, for block vs
 * mutex, from its stacks), so `kubectl profefe` can upload a file without `--type`.
 *
 * Go's runtime/pprof writes block and mutex profiles with identical metadata (period type
 * contentions/count, sample types contentions/count + delay/nanoseconds, no comments), so the
 * only difference is where the stacks end: a mutex profile records the goroutine that released
 * a contended lock (innermost frame sync.(*Mutex).Unlock, sync.(*RWMutex).Unlock/RUnlock, or
 * runtime.unlock for runtime-internal locks), a block profile the one that waited (Lock/RLock,
 * channel operations, select, Cond.Wait, WaitGroup.Wait, semacquire). When the innermost frames
 * say nothing (no samples) or say both, the type is undecidable and the caller must ask.
 */
import type { Profile } from 'pprof-format';
import { PROFILE_TYPE_SPECS, type CollectorType, type ProfileType } from '../profile-types.js';

const HEAP_SAMPLE_TYPES = new Set(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);

/** Innermost frames of the goroutine that released a contended lock (mutex profile). */
const MUTEX_LEAF = /^(sync\.\(\*(RW)?Mutex\)\.(R?Unlock|unlockSlow|rUnlockSlow)|runtime\.unlock\w*|runtime\._LostContendedRuntimeLock)$/;
/** Innermost frames of a goroutine that waited (block profile). */
const BLOCK_LEAF =
  /^(sync\.\(\*(RW)?Mutex\)\.(R?Lock|lockSlow)|sync\.\(\*(Cond|WaitGroup)\)\.Wait|sync\.runtime_\w+|runtime\.(chanrecv[12]?|chansend1?|selectgo|semacquire\w*|block))$/;

/**
 * The Go profile type (`cpu`, `heap`, `allocs`, `goroutine`, `block`, `mutex`, `threadcreate`),
 * or undefined when it cannot be told. `allocs` is a heap profile whose default sample type is
 * alloc_space, as /debug/pprof/allocs writes it.
 */
export function detectProfileType(profile: Profile): ProfileType | undefined {
  const strings = profile.stringTable.strings;
  const text = (i: number | bigint | undefined): string => (i === undefined ? '' : (strings[Number(i)] ?? ''));
  const sampleTypes = profile.sampleType.map((t) => `${text(t.type)}/${text(t.unit)}`);
  const names = profile.sampleType.map((t) => text(t.type));
  const period = profile.periodType ? `${text(profile.periodType.type)}/${text(profile.periodType.unit)}` : '';

  if (sampleTypes.includes('cpu/nanoseconds') || period === 'cpu/nanoseconds') return 'cpu';
  if (names.some((n) => HEAP_SAMPLE_TYPES.has(n))) {
    return text(profile.defaultSampleType) === 'alloc_space' ? 'allocs' : 'heap';
  }
  if (sampleTypes.includes('goroutine/count') || period === 'goroutine/count') return 'goroutine';
  if (sampleTypes.includes('threadcreate/count') || period === 'threadcreate/count') return 'threadcreate';
  if (sampleTypes.includes('contentions/count') && sampleTypes.includes('delay/nanoseconds')) {
    return blockOrMutex(profile);
  }
  return undefined;
}

/**
 * The profefe collector type to store the profile as. An allocs profile is a heap profile
 * (the collector has no allocs type), so it is reported as `heap`.
 */
export function detectCollectorType(profile: Profile): CollectorType | undefined {
  const type = detectProfileType(profile);
  if (type === undefined) return undefined;
  if (type === 'allocs') return 'heap';
  return PROFILE_TYPE_SPECS[type].collectorType;
}

function blockOrMutex(profile: Profile): 'block' | 'mutex' | undefined {
  const strings = profile.stringTable.strings;
  const functionNames = new Map<number, string>();
  for (const fn of profile.function) functionNames.set(Number(fn.id), strings[Number(fn.name)] ?? '');
  const leafByLocation = new Map<number, string>();
  for (const loc of profile.location) {
    const innermost = loc.line[0];
    leafByLocation.set(Number(loc.id), innermost ? (functionNames.get(Number(innermost.functionId)) ?? '') : '');
  }
  let mutexVotes = 0;
  let blockVotes = 0;
  for (const sample of profile.sample) {
    const first = sample.locationId[0];
    if (first === undefined) continue;
    const leaf = leafByLocation.get(Number(first)) ?? '';
    if (MUTEX_LEAF.test(leaf)) mutexVotes++;
    else if (BLOCK_LEAF.test(leaf)) blockVotes++;
  }
  if (mutexVotes > 0 && blockVotes === 0) return 'mutex';
  if (blockVotes > 0 && mutexVotes === 0) return 'block';
  return undefined;
}

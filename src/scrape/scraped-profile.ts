import type { Target } from '../discover/target.js';
import { PROFILE_TYPE_SPECS } from '../profile-types.js';

/**
 * The time a window type's profile covers (profile-types.ts, `timed`):
 * - `window`: what happened in the `seconds` the pod profiled (cpu; allocs, block and mutex as
 *   Go's delta profiles);
 * - `cumulative`: the target refused or ignored `?seconds`, so the profile holds the counters
 *   since the process started; `reason` says how the target answered.
 */
export type ProfileWindow = { readonly kind: 'window'; readonly seconds: number } | { readonly kind: 'cumulative'; readonly reason: string };

/** A profile fetched from a target and validated as pprof: ready for a sink. */
export interface ScrapedProfile {
  readonly target: Target;
  /** The bytes exactly as the pod sent them (gzipped pprof, or raw protobuf). */
  readonly body: Buffer;
  /** When the fetch finished. */
  readonly scrapedAt: Date;
  /** For window types: the window the profile covers, or that it is cumulative. Absent for snapshots (heap, goroutine, threadcreate). */
  readonly window?: ProfileWindow;
}

/**
 * Labels that say what time a profile of a counter type (allocs, block, mutex) covers, for the
 * sinks that store labels: `delta=true` for a window, `delta=false` for counters since the
 * process started (the target refused `?seconds`). Other types get none: cpu is always a window,
 * heap, goroutine and threadcreate are snapshots.
 */
export function windowLabels(profile: Pick<ScrapedProfile, 'target' | 'window'>): Readonly<Record<string, string>> {
  if (!PROFILE_TYPE_SPECS[profile.target.type].cumulativeFallback || profile.window === undefined) return {};
  return { delta: profile.window.kind === 'window' ? 'true' : 'false' };
}

/**
 * What a run tells its front end, in the order it happens for each pod: skipped (never started),
 * or started → each profile started, then stored, failed or empty → done. kprofefe passes the run
 * summary and a log (log-observer.ts); capture passes its progress report. The run calls these
 * once per event; observers present, the summary (run-summary.ts) counts.
 */
import type { DiscoveredItem } from '../discover/discover-targets.js';
import type { PodInfo, Target } from '../discover/target.js';
import type { ProfileError } from '../profile-error.js';

/** A listed pod that yields no profile: not enabled or not Running (`ignored`), a bad annotation (`invalid`), or a named pod not found (`missing`). */
export type SkippedPod = Exclude<DiscoveredItem, { kind: 'targets' }>;

export interface RunObserver {
  /**
   * `isError`: the pod was asked for and cannot be scraped (an invalid annotation, a named pod
   * missing or not Running); the run is then not clean. Otherwise the pod was simply not selected.
   */
  podSkipped?(pod: SkippedPod, isError: boolean): void;
  podStarted?(pod: PodInfo, targets: readonly Target[]): void;
  /** The pod is reachable and its profile requested (a window profile now takes `target.seconds`). */
  profileStarted?(target: Target): void;
  /**
   * A window profile of a counter type (allocs, block, mutex) came back cumulative: the target
   * refused or ignored `?seconds` (`reason` says which). It is then stored (labelled `delta=false`) or fails as any other.
   */
  profileCumulative?(target: Target, reason: string): void;
  /** Told once per sink that stored the profile; `sink` is the sink's description. */
  profileStored?(target: Target, location: string, bytes: number, sink: string): void;
  /**
   * Told once per sink that failed to store the profile, naming it; or once, with `sink`
   * undefined, when the profile failed before reaching the sinks (fetch, interruption): it then
   * failed in every sink.
   */
  profileFailed?(target: Target, error: ProfileError, sink?: string): void;
  /**
   * A window profile (`target.seconds`, asked with `?seconds`) came back as valid pprof without
   * samples: nothing the type counts happened in the window (`why`, e.g. no garbage collection
   * completed). Told once, instead of stored or failed: it reaches no sink and is no failure.
   */
  profileEmpty?(target: Target, why: string): void;
  /** Every profile of the pod is stored, failed or empty. */
  podDone?(pod: PodInfo): void;
}

/** One observer that tells each of `observers`, in order. */
export function observeAll(...observers: readonly RunObserver[]): Required<RunObserver> {
  return {
    podSkipped: (pod, isError) => observers.forEach((o) => o.podSkipped?.(pod, isError)),
    podStarted: (pod, targets) => observers.forEach((o) => o.podStarted?.(pod, targets)),
    profileStarted: (target) => observers.forEach((o) => o.profileStarted?.(target)),
    profileCumulative: (target, reason) => observers.forEach((o) => o.profileCumulative?.(target, reason)),
    profileStored: (target, location, bytes, sink) => observers.forEach((o) => o.profileStored?.(target, location, bytes, sink)),
    profileFailed: (target, error, sink) => observers.forEach((o) => o.profileFailed?.(target, error, sink)),
    profileEmpty: (target, why) => observers.forEach((o) => o.profileEmpty?.(target, why)),
    podDone: (pod) => observers.forEach((o) => o.podDone?.(pod)),
  };
}

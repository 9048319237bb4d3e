/**
 * The rules for window profiles of counter types (allocs, block, mutex; profile-types.ts
 * `cumulativeFallback`): Go (1.16 and later) answers `?seconds=N` with the delta of its counters
 * over N seconds. A target that cannot is asked again without `seconds`, and its profile is
 * stored as what it is: counters since the process started. A window (any window type, cpu too)
 * in which nothing happened is an empty window: reported, not stored, not a failure.
 */
import type { Target } from '../discover/target.js';
import { ProfileError } from '../profile-error.js';
import type { ProfileType } from '../profile-types.js';
import { TargetStatusError } from './fetch-errors.js';
import { noSamplesFrom } from './validate-profile.js';
import type { ProfileWindow } from './scraped-profile.js';

/**
 * Go answers 400 when it will not profile for `seconds`: longer than the server's WriteTimeout,
 * a profile without delta support, a custom handler. Asked without `seconds`, the same endpoint
 * serves the cumulative profile.
 */
export function refusesSeconds(err: unknown): err is TargetStatusError {
  return err instanceof TargetStatusError && err.status === 400;
}

/** The same target, asked without `?seconds=N` (the path annotation cannot hold a `?`). */
export function withoutSeconds(target: Target): Target {
  return { ...target, path: target.path.split('?')[0]!, url: target.url.split('?')[0]!, seconds: undefined };
}

export function refusedWindow(target: Target, refusal: TargetStatusError): ProfileWindow {
  return {
    kind: 'cumulative',
    reason: `the target refused ?seconds=${target.seconds} (HTTP 400 ${JSON.stringify(refusal.snippet)}), so it was asked without it`,
  };
}

/**
 * A delta profile cannot be ready before its window has passed: the pod waits N seconds between
 * its two readings of the counters. A profile that arrives within half the window comes from a
 * target that ignores `seconds` (Go before 1.16 serves the cumulative profile at once). Half,
 * not all of it, so that timer rounding never turns a real window into a cumulative profile.
 */
export function answeredWindow(seconds: number, elapsedMs: number): ProfileWindow {
  if (elapsedMs >= (seconds * 1000) / 2) return { kind: 'window', seconds };
  return {
    kind: 'cumulative',
    reason: `the target answered ?seconds=${seconds} after ${(elapsedMs / 1000).toFixed(1)} s: it ignores seconds (as Go before 1.16 does) and sent its counters since the process started`,
  };
}

/**
 * A failure of a profile that came back cumulative (asked again without `seconds`, or a target
 * that ignores it): its error, saying how the target answered.
 */
export function cumulativeError<E>(err: E, window: ProfileWindow): E | ProfileError {
  if (!(err instanceof ProfileError) || window.kind !== 'cumulative') return err;
  return new ProfileError(err.code, `${err.message} (${window.reason})`, { cause: err });
}

/**
 * Why a window profile can be empty: nothing the type counts happened in the window. Common for
 * allocs (Go's allocation counts move only when a garbage collection completes) and for block
 * and mutex (nothing waited, or profiling is off).
 */
const EMPTY_WINDOW_WHY: Readonly<Partial<Record<ProfileType, string>>> = {
  cpu: 'the program used no CPU time the profiler sampled',
  allocs: 'Go counts allocations only up to the last completed garbage collection, and none completed in it',
  block: 'nothing waited on a channel or lock, or the program does not profile it',
  mutex: 'nothing waited on a contended lock, or the program does not profile it',
};

/**
 * A window profile that is valid pprof with sample types and no samples: an empty window, the
 * third outcome of a profile beside stored and failed. Not a failure (a quiet service gives
 * them), and not stored (the profefe collector refuses a profile without samples): fetchProfile
 * throws it instead of returning a profile, and the run tells it (RunObserver.profileEmpty).
 */
export class EmptyWindow extends Error {
  override readonly name = 'EmptyWindow';
  /** Why the window can be empty, for this type (EMPTY_WINDOW_WHY). */
  readonly why: string;

  constructor(
    readonly target: Target,
    readonly seconds: number,
  ) {
    const why = EMPTY_WINDOW_WHY[target.type] ?? 'nothing happened that it counts';
    super(`${target.type} profile of pod ${target.pod.namespace}/${target.pod.name}: empty window (in the ${seconds} s window: ${why})`);
    this.why = why;
  }
}

/**
 * A profile asked with `?seconds` that came back without samples: an empty window when it
 * covers the window; otherwise (a target that ignores `seconds` sent its counters since the
 * process started) an empty cumulative profile, which fails TARGET_EMPTY as an empty snapshot does.
 */
export function emptyAnswer(target: Target, window: ProfileWindow): EmptyWindow | ProfileError {
  if (window.kind === 'window') return new EmptyWindow(target, window.seconds);
  return cumulativeError(noSamplesFrom(target), window);
}

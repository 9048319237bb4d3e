/**
 * What a run did, counted as it goes: pods selected, ignored and skipped (and why), profiles
 * stored, failed (by reason) and empty. Every attempted profile ends one way:
 * profilesStored + profilesFailed + profilesEmpty = profilesAttempted. Counts only, so memory does not grow with the cluster; a few
 * examples of skipped pods are kept for the summary line.
 */
import type { IgnoredWhy } from '../discover/pod-targets.js';
import type { PodInfo, Target } from '../discover/target.js';
import type { ProfileError, ProfileErrorCode } from '../profile-error.js';
import type { ProfileType } from '../profile-types.js';
import type { RunObserver, SkippedPod } from './run-observer.js';
import { SinkTally, type ProfileOutcome, type SinkCountsJson } from './sink-tally.js';

const MAX_EXAMPLES = 10;

export interface RunSummaryJson {
  podsSelected: number;
  podsIgnored: Partial<Record<IgnoredWhy, number>>;
  podsSkipped: number;
  podsSkippedExamples: string[];
  podsMissing: number;
  profilesAttempted: number;
  profilesStored: number;
  profilesFailed: number;
  storedByType: Partial<Record<ProfileType, number>>;
  failedByReason: Partial<Record<ProfileErrorCode, number>>;
  /** Window profiles (allocs, block, mutex) that came back cumulative: the target refused or ignored `?seconds`. Each is also stored or failed. */
  profilesCumulative: number;
  /**
   * Window profiles whose window was empty (valid pprof, no samples): neither stored nor failed,
   * sent to no sink. stored + failed + empty = attempted.
   */
  profilesEmpty: number;
  /**
   * Per sink, in the run's order: each attempted profile that is not an empty window is stored or
   * failed in each (per sink, stored + failed = attempted - empty).
   */
  sinks: SinkCountsJson[];
  durationMs: number;
  /** Peak resident memory of this process so far (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
}

/** The run's counts: the run tells it every event, as it tells the front end's observer. */
export class RunSummary implements RunObserver {
  private readonly startedAt = Date.now();
  podsSelected = 0;
  podsSkipped = 0;
  podsMissing = 0;
  profilesAttempted = 0;
  profilesStored = 0;
  profilesFailed = 0;
  profilesCumulative = 0;
  profilesEmpty = 0;
  readonly podsIgnored: Partial<Record<IgnoredWhy, number>> = {};
  readonly podsSkippedExamples: string[] = [];
  readonly storedByType: Partial<Record<ProfileType, number>> = {};
  readonly failedByReason: Partial<Record<ProfileErrorCode, number>> = {};
  /** Set when listing pods failed part-way; the profiles already queued were still accounted. */
  listError: Error | undefined;
  private readonly sinkTally: SinkTally;

  /**
   * `sinks`: the names (descriptions) of the run's sinks. A profile counts as stored once every
   * sink stored it, as failed once any sink failed it; the counts per sink are in `sinks`.
   */
  constructor(sinks: readonly string[] = []) {
    this.sinkTally = new SinkTally(sinks);
  }

  podStarted(_pod: PodInfo, targets: readonly Target[]): void {
    this.podsSelected += 1;
    this.profilesAttempted += targets.length;
  }

  podSkipped(pod: SkippedPod, isError: boolean): void {
    if (pod.kind === 'missing') {
      this.podsMissing += 1;
    } else if (!isError && pod.kind === 'ignored') {
      this.podsIgnored[pod.why] = (this.podsIgnored[pod.why] ?? 0) + 1;
    } else {
      this.podsSkipped += 1;
      const why = pod.kind === 'invalid' ? `${pod.problem.annotation}="${pod.problem.value}"` : pod.reason;
      if (this.podsSkippedExamples.length < MAX_EXAMPLES) this.podsSkippedExamples.push(`${pod.namespace}/${pod.name}: ${why}`);
    }
  }

  profileCumulative(): void {
    this.profilesCumulative += 1;
  }

  /** An empty window: no sink had it, so it is counted here only, not per sink. */
  profileEmpty(): void {
    this.profilesEmpty += 1;
  }

  /** `sink` undefined: stored in every sink. */
  profileStored(target: Target, _location?: string, _bytes?: number, sink?: string): void {
    this.profileOutcome(target, this.sinkTally.stored(target, sink));
  }

  /** `sink` undefined: failed before reaching the sinks, so in every sink. */
  profileFailed(target: Target, error: ProfileError, sink?: string): void {
    this.profileOutcome(target, this.sinkTally.failed(target, error, sink));
  }

  private profileOutcome(target: Target, outcome: ProfileOutcome): void {
    if (outcome === 'pending') return;
    if (outcome === 'stored') {
      this.profilesStored += 1;
      this.storedByType[target.type] = (this.storedByType[target.type] ?? 0) + 1;
    } else {
      this.profilesFailed += 1;
      this.failedByReason[outcome.code] = (this.failedByReason[outcome.code] ?? 0) + 1;
    }
  }

  /** Per sink: stored and failed there (each attempted profile but the empty windows is one or the other in every sink). */
  get sinks(): SinkCountsJson[] {
    return this.sinkTally.toJSON();
  }

  /** Clean: every attempted profile stored or an empty window, no enabled or named pod skipped, no named pod missing, the listing complete. */
  get clean(): boolean {
    return this.profilesFailed === 0 && this.podsSkipped === 0 && this.podsMissing === 0 && this.listError === undefined;
  }

  toJSON(): RunSummaryJson {
    return {
      podsSelected: this.podsSelected,
      podsIgnored: this.podsIgnored,
      podsSkipped: this.podsSkipped,
      podsSkippedExamples: this.podsSkippedExamples,
      podsMissing: this.podsMissing,
      profilesAttempted: this.profilesAttempted,
      profilesStored: this.profilesStored,
      profilesFailed: this.profilesFailed,
      storedByType: this.storedByType,
      failedByReason: this.failedByReason,
      profilesCumulative: this.profilesCumulative,
      profilesEmpty: this.profilesEmpty,
      sinks: this.sinks,
      durationMs: Date.now() - this.startedAt,
      peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    };
  }
}

/** `, 2 empty windows` (`, 1 empty window`) for a run's closing line, or '' when there were none. */
export function emptyWindowsNote(profilesEmpty: number): string {
  if (profilesEmpty === 0) return '';
  return `, ${profilesEmpty} empty ${profilesEmpty === 1 ? 'window' : 'windows'}`;
}

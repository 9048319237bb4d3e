/**
 * What a run did, counted as it goes: pods selected, ignored and skipped (and why), profiles
 * stored and failed (by reason). Counts only, so memory does not grow with the cluster; a few
 * examples of skipped pods are kept for the summary line.
 */
import type { IgnoredWhy, PodTargets } from '../discover/pod-targets.js';
import type { ProfileErrorCode } from '../profile-error.js';
import type { ProfileType } from '../profile-types.js';

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
  durationMs: number;
  /** Peak resident memory of this process so far (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
}

export class RunSummary {
  private readonly startedAt = Date.now();
  podsSelected = 0;
  podsSkipped = 0;
  podsMissing = 0;
  profilesAttempted = 0;
  profilesStored = 0;
  profilesFailed = 0;
  readonly podsIgnored: Partial<Record<IgnoredWhy, number>> = {};
  readonly podsSkippedExamples: string[] = [];
  readonly storedByType: Partial<Record<ProfileType, number>> = {};
  readonly failedByReason: Partial<Record<ProfileErrorCode, number>> = {};
  /** Set when listing pods failed part-way; the profiles already queued were still accounted. */
  listError: Error | undefined;

  addPod(result: PodTargets): void {
    if (result.kind === 'targets') this.podsSelected += 1;
    else if (result.kind === 'ignored') this.podsIgnored[result.why] = (this.podsIgnored[result.why] ?? 0) + 1;
    else {
      this.podsSkipped += 1;
      if (this.podsSkippedExamples.length < MAX_EXAMPLES) {
        this.podsSkippedExamples.push(`${result.namespace}/${result.name}: ${result.problem.annotation}="${result.problem.value}"`);
      }
    }
  }

  addMissing(): void {
    this.podsMissing += 1;
  }

  attempt(): void {
    this.profilesAttempted += 1;
  }

  stored(type: ProfileType): void {
    this.profilesStored += 1;
    this.storedByType[type] = (this.storedByType[type] ?? 0) + 1;
  }

  failed(code: ProfileErrorCode): void {
    this.profilesFailed += 1;
    this.failedByReason[code] = (this.failedByReason[code] ?? 0) + 1;
  }

  /** Clean: every attempted profile stored, no enabled pod skipped, no named pod missing. */
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
      durationMs: Date.now() - this.startedAt,
      peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    };
  }
}

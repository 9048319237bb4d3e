/**
 * A run's counts per sink, and each profile's outcome over all sinks: stored once every sink has
 * stored it, failed once any sink has failed it (the first failure gives the reason). A profile
 * that failed before reaching the sinks (its fetch) failed in every sink. An empty window
 * (run-summary.ts) reaches no sink and is counted in none, so per sink:
 * stored + failed = attempted - empty.
 * Only profiles still being stored are kept, so memory does not grow with the run.
 */
import type { Target } from '../discover/target.js';
import type { ProfileError, ProfileErrorCode } from '../profile-error.js';

export interface SinkCountsJson {
  /** The sink's description, e.g. `profefe http://collector:10100` or `directory /profiles`. */
  sink: string;
  stored: number;
  failed: number;
  failedByReason: Partial<Record<ProfileErrorCode, number>>;
}

/** A profile's outcome over every sink, or `pending` while some sink has not answered. */
export type ProfileOutcome = 'pending' | 'stored' | ProfileError;

interface Open {
  left: number;
  failure: ProfileError | undefined;
}

export class SinkTally {
  private readonly counts = new Map<string, SinkCountsJson>();
  private readonly open = new Map<Target, Open>();

  constructor(sinks: readonly string[]) {
    for (const sink of sinks) this.countsOf(sink);
  }

  /** `sink` undefined: stored in every sink at once. */
  stored(target: Target, sink: string | undefined): ProfileOutcome {
    if (sink === undefined) {
      for (const counts of this.counts.values()) counts.stored += 1;
      return 'stored';
    }
    this.countsOf(sink).stored += 1;
    return this.answered(target, undefined);
  }

  /** `sink` undefined: the profile failed before any sink had it, so in every sink. */
  failed(target: Target, error: ProfileError, sink: string | undefined): ProfileOutcome {
    if (sink === undefined) {
      for (const counts of this.counts.values()) countFailure(counts, error);
      return error;
    }
    countFailure(this.countsOf(sink), error);
    return this.answered(target, error);
  }

  toJSON(): SinkCountsJson[] {
    return [...this.counts.values()];
  }

  private answered(target: Target, failure: ProfileError | undefined): ProfileOutcome {
    const entry = this.open.get(target) ?? { left: Math.max(1, this.counts.size), failure: undefined };
    entry.left -= 1;
    entry.failure ??= failure;
    if (entry.left > 0) {
      this.open.set(target, entry);
      return 'pending';
    }
    this.open.delete(target);
    return entry.failure ?? 'stored';
  }

  private countsOf(sink: string): SinkCountsJson {
    let counts = this.counts.get(sink);
    if (counts === undefined) {
      counts = { sink, stored: 0, failed: 0, failedByReason: {} };
      this.counts.set(sink, counts);
    }
    return counts;
  }
}

function countFailure(counts: SinkCountsJson, error: ProfileError): void {
  counts.failed += 1;
  counts.failedByReason[error.code] = (counts.failedByReason[error.code] ?? 0) + 1;
}

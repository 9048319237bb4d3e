/**
 * What the UI reads its data through: a ProfileSource (collector or directory) and the merge of a
 * query over it. The merge skips profiles that vanished or do not decode (each named with its
 * reason) and refuses profiles of different kinds; the UI shows what it used and what it skipped.
 * Nothing here caches a failure: a source that was down at one request is asked again at the next.
 */
import type { CollectorType } from '../profile-types.js';
import type { ProfileSource, SourceQuery } from '../source/profile-source.js';

/** A profile listed but left out of a merge, and why (its id is its path for a directory). */
export interface SkippedProfile {
  readonly id: string;
  readonly reason: string;
}

export interface MergeOutcome {
  /** The merged profile (gzipped pprof); undefined when no profile matched. */
  readonly bytes: Buffer | undefined;
  /** Profiles the query listed. */
  readonly listed: number;
  /** Profiles merged. */
  readonly used: number;
  readonly skipped: readonly SkippedProfile[];
}

export type TypedQuery = SourceQuery & { readonly type: CollectorType };

export interface UiBackend {
  readonly source: ProfileSource;
  merge(query: TypedQuery, signal: AbortSignal): Promise<MergeOutcome>;
  /** The clock the relative ranges (`1h`) are read against. */
  now(): Date;
}

/**
 * Where the query commands (get, merge, top, flame, ui) read stored profiles from: a profefe
 * collector or a directory the directory sink wrote. One interface, so each feature is written
 * once and works on both.
 *
 *   ProfileSource.list(query) → StoredProfile[] → ProfileSource.read(id) → bytes → merge engine
 */
import type { CollectorType } from '../profile-types.js';

/** Which profiles a query means. `type` undefined: every type (listing only). */
export interface SourceQuery {
  readonly service: string;
  readonly type: CollectorType | undefined;
  /** Only profiles carrying all of these labels (pprof_type=allocs selects allocs among `other`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Inclusive bounds. */
  readonly from: Date;
  readonly to: Date;
  /** Keep the N newest. */
  readonly limit?: number;
}

/** A stored profile as a source lists it. */
export interface StoredProfile {
  /** Immutable: the same id always reads the same bytes (a collector id, or a path relative to the directory). */
  readonly id: string;
  readonly service: string;
  /** The collector type it is stored as (allocs: `other` with pprof_type=allocs). */
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export interface ProfileSource {
  /** Names the source in messages: `collector http://...`, `directory /var/profiles`. */
  readonly name: string;
  /** Whether reads are downloads worth keeping in the local ProfileCache (ids are immutable). */
  readonly cacheable: boolean;
  /** Service names, sorted. */
  services(signal?: AbortSignal): Promise<string[]>;
  /** Matching profiles, oldest first. */
  list(query: SourceQuery, signal?: AbortSignal): Promise<StoredProfile[]>;
  /** The profile's bytes (gzipped or raw pprof, as stored). A profile that is gone: ProfileGoneError. */
  read(id: string, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * The source's own merge of a query (the collector's /api/0/profiles/merge), undefined when
   * nothing matches. Absent on sources that cannot merge by themselves.
   */
  serverMerge?(query: SourceQuery & { readonly type: CollectorType }, signal?: AbortSignal): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** A listed profile that can no longer be read (deleted since it was listed). */
export class ProfileGoneError extends Error {
  override readonly name = 'ProfileGoneError';
  constructor(
    readonly id: string,
    readonly source: string,
    /** Why, as the source says it: `404 nothing found`, `deleted since it was listed`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`profile ${id} is no longer in ${source} (${detail})`, options);
  }
}

import type { Target } from '../discover/target.js';

/** A profile fetched from a target and validated as pprof: ready for a sink. */
export interface ScrapedProfile {
  readonly target: Target;
  /** The bytes exactly as the pod sent them (gzipped pprof, or raw protobuf). */
  readonly body: Buffer;
  /** When the fetch finished. */
  readonly scrapedAt: Date;
}

/**
 * What a flame graph is drawn from: a profile as the merge engine's tables (src/merge), its
 * samples one per distinct (labels, stack) with their values summed, its locations and functions
 * kept once. A query merged here hands its merger's tables over as they are; a FILE (or the
 * collector's merged bytes) is read into the same tables by a merge of one profile, with the
 * merge's checks and its ProfileDecodeError naming the bytes. No pprof-format object is made per
 * sample, location or line, and nothing is encoded to be decoded again.
 */
import type { MergeState } from '../merge/output-plan.js';
import { ProfileMerger } from '../merge/profile-merger.js';

/** A profile's tables as the merge holds them (ProfileMerger.state()). */
export type FlameProfile = MergeState;

/** Reads a pprof profile (gzipped or raw) into a FlameProfile. Throws ProfileDecodeError naming it `name`. */
export function readFlameProfile(bytes: Uint8Array, name: string): FlameProfile {
  const merger = new ProfileMerger();
  merger.add(bytes, name);
  return merger.state();
}

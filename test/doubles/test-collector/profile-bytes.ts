import { gzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodeStored } from './pprof-merge.js';

/**
 * Variations of real profiles for tests. The collector dates a pprof upload by the profile's own
 * `time_nanos`, so profiles "taken" at chosen times are the same bytes with another `time_nanos`.
 */

/** The profile re-encoded (gzipped) with `time_nanos` = `at` (plus `extraNanos` below the ms). */
export function withTimeNanos(bytes: Buffer, at: Date, extraNanos = 0n): Buffer {
  const profile = decodeStored(bytes);
  profile.timeNanos = BigInt(at.getTime()) * 1_000_000n + extraNanos;
  return gzipSync(profile.encode());
}

/** The same profile with every sample removed: valid pprof that the collector refuses. */
export function withoutSamples(bytes: Buffer): Buffer {
  const profile = decodeStored(bytes);
  profile.sample = [];
  return gzipSync(profile.encode());
}

/** Total of each sample type (`type/unit` -> sum), as `go tool pprof` totals them. */
export function sampleTotals(bytes: Buffer): Record<string, bigint> {
  const profile: Profile = decodeStored(bytes);
  const names = profile.sampleType.map((vt) => `${profile.stringTable.strings[Number(vt.type)]}/${profile.stringTable.strings[Number(vt.unit)]}`);
  const totals: Record<string, bigint> = Object.fromEntries(names.map((n) => [n, 0n]));
  for (const sample of profile.sample) {
    sample.value.forEach((v, i) => {
      const name = names[i] as string;
      totals[name] = (totals[name] ?? 0n) + BigInt(v);
    });
  }
  return totals;
}

/**
 * The reference for the merge tests: `go tool pprof -proto a b c` (Go's own merge), and the
 * reports that compare two profiles as pprof shows them: `-top` for each sample type, and `-raw`
 * (every sample with its labels, location, mapping and header field, as text).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ProfileMerger } from '../../src/merge/profile-merger.js';
import { goToolPprof } from '../doubles/go-tools.js';

export interface NamedProfile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Writes the profiles into a temporary directory (as name.pb.gz, one file per entry) for `use`. */
export async function withProfileFiles<T>(profiles: readonly NamedProfile[], use: (files: string[], dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kprofefe-merge-'));
  try {
    const files = await Promise.all(
      profiles.map(async (p, i) => {
        const file = join(dir, `${i}-${p.name}.pb.gz`);
        await writeFile(file, p.bytes);
        return file;
      }),
    );
    return await use(files, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What pprof shows of a profile file: `-top` per sample index (with `topArgs`) and `-raw`. */
export async function pprofViews(file: string, sampleIndexes: readonly string[], topArgs: readonly string[] = []): Promise<Record<string, string>> {
  const views: Record<string, string> = {};
  for (const index of sampleIndexes) views[`top ${index}`] = await goToolPprof(['-top', `-sample_index=${index}`, ...topArgs, file]);
  views.raw = await goToolPprof(['-raw', file]);
  return views;
}

/**
 * Merges `profiles` with ProfileMerger and with `go tool pprof -proto`, and expects pprof to show
 * both the same way. Returns the merger (for its stats) and Go's views.
 */
export async function expectSameAsGoMerge(
  profiles: readonly NamedProfile[],
  sampleIndexes: readonly string[],
  topArgs: readonly string[] = [],
): Promise<{ merger: ProfileMerger; views: Record<string, string> }> {
  return withProfileFiles(profiles, async (files, dir) => {
    const merger = new ProfileMerger();
    profiles.forEach((p, i) => merger.add(p.bytes, files[i]!));
    const ours = join(dir, 'ours.pb.gz');
    const theirs = join(dir, 'go.pb.gz');
    await writeFile(ours, merger.encodeGzipped());
    await writeFile(theirs, await goToolPprof(['-proto', ...files], { output: 'buffer' }));
    const [oursViews, goViews] = await Promise.all([pprofViews(ours, sampleIndexes, topArgs), pprofViews(theirs, sampleIndexes, topArgs)]);
    for (const view of Object.keys(goViews)) expect({ view, text: oursViews[view] }).toEqual({ view, text: goViews[view] });
    return { merger, views: goViews };
  });
}

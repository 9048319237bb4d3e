import { goToolPprof } from '../go-tools.js';

/**
 * `go tool pprof` (Debian's Go at /usr/bin/go, or env GO) as the judge of what a profile is: every
 * profile the project writes or returns must open in it.
 */

/** `go tool pprof -top [-sample_index=i] file`; rejects (with pprof's stderr) if it cannot open it. */
export function pprofTop(file: string, sampleIndex?: number): Promise<string> {
  return goToolPprof(['-top', ...(sampleIndex === undefined ? [] : [`-sample_index=${sampleIndex}`]), file]);
}

/** `go tool pprof -proto a b ... > out`: Go's own merge, the reference for ours. */
export function pprofMergeProto(files: readonly string[]): Promise<Buffer> {
  return goToolPprof(['-proto', ...files], { output: 'buffer' });
}

/** From `Showing nodes accounting for X, Y% of Z total`: `Z`. */
export function topTotal(topOutput: string): string {
  const m = /of (\S+) total/.exec(topOutput);
  if (!m?.[1]) throw new Error(`no total in go tool pprof output:\n${topOutput}`);
  return m[1];
}

/** From `Type: inuse_space`: the sample type shown. */
export function topType(topOutput: string): string {
  const m = /^Type: (\S+)$/m.exec(topOutput);
  if (!m?.[1]) throw new Error(`no Type line in go tool pprof output:\n${topOutput}`);
  return m[1];
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * `go tool pprof` (Debian's Go at /usr/bin/go) as the judge of what a profile is: every profile
 * the project writes or returns must open in it.
 */

const run = promisify(execFile);
const GO = process.env.GO ?? '/usr/bin/go';

/** `go tool pprof -top [-sample_index=i] file`; rejects (with pprof's stderr) if it cannot open it. */
export async function pprofTop(file: string, sampleIndex?: number): Promise<string> {
  const args = ['tool', 'pprof', '-top', ...(sampleIndex === undefined ? [] : [`-sample_index=${sampleIndex}`]), file];
  const { stdout } = await run(GO, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** `go tool pprof -proto a b ... > out`: Go's own merge, the reference for ours. */
export async function pprofMergeProto(files: readonly string[]): Promise<Buffer> {
  const { stdout } = await run(GO, ['tool', 'pprof', '-proto', ...files], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
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

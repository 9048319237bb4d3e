/** The reference for merged profiles read from a source: what `go tool pprof` shows, without the File: line (it names the file). */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goToolPprof } from '../doubles/go-tools.js';

/** `go tool pprof -top FILE`, all but its File: line. */
export async function pprofTopLines(file: string): Promise<string[]> {
  return (await goToolPprof(['-top', file])).split('\n').slice(1);
}

/** pprofTopLines of what `go tool pprof -proto FILES...` writes: Go's own merge of the files. */
export async function goMergedTopLines(files: readonly string[]): Promise<string[]> {
  const reference = join(await mkdtemp(join(tmpdir(), 'go-merged-')), 'go.pb.gz');
  await goToolPprof(['-proto', '-output', reference, ...files]);
  return pprofTopLines(reference);
}

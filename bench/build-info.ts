/**
 * Which kprofefe was measured: the commit, whether src/ had uncommitted changes, and when the
 * measured entry point's build output was written. Read-only git commands.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

export interface BuildInfo {
  commit: string | undefined;
  /** Files under src/ that differ from the commit (`git status --porcelain src`). */
  uncommittedSrcFiles: number | undefined;
  /** mtime of dist/cli/kprofefe.js next to the measured bin. */
  distBuiltAt: string | undefined;
  bin: string;
}

export function buildInfo(bin: string): BuildInfo {
  const root = path.resolve(path.dirname(bin), '..');
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    } catch {
      return undefined;
    }
  };
  const status = git('status', '--porcelain', '--', 'src');
  let distBuiltAt: string | undefined;
  try {
    distBuiltAt = statSync(path.join(root, 'dist', 'cli', 'kprofefe.js')).mtime.toISOString();
  } catch {
    distBuiltAt = undefined;
  }
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedSrcFiles: status === undefined ? undefined : status.split('\n').filter((line) => line !== '').length,
    distBuiltAt,
    bin,
  };
}

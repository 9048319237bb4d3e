/**
 * Builds the npm package as the Dockerfile does: copies the Docker build context (what
 * .dockerignore lets in) to a scratch directory, runs `npm pack` there (its `prepare` script
 * builds dist/ from src/), and returns the tarball. The repository's own dist/ is not touched, so
 * tests running the CLI from bin/ at the same time are not disturbed.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The paths .dockerignore lets into the build context (it ignores `*`, then re-includes these). */
export function dockerContextPaths(): string[] {
  const lines = readFileSync(join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  if (!lines.includes('*')) throw new Error('.dockerignore is expected to start from `*` and re-include what the build needs');
  return lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
}

const scratchDirs: string[] = [];

/** A new directory under the system temp dir, removed by removeScratchDirs(). */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** `npm pack` of the build context; returns the tarball's path. */
export async function packFromDockerContext(): Promise<string> {
  const context = await scratchDir('kube-profefe-context-');
  for (const path of dockerContextPaths()) {
    const from = join(REPO, path);
    if (existsSync(from)) cpSync(from, join(context, path), { recursive: true });
  }
  // The Dockerfile's `npm ci` gives the build its dev dependencies (tsc); reuse the repository's.
  symlinkSync(join(REPO, 'node_modules'), join(context, 'node_modules'), 'dir');
  const out = join(context, '.pack');
  mkdirSync(out);
  try {
    await run('npm', ['pack', '--pack-destination', out, '--no-audit', '--no-fund'], { cwd: context, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm pack (its prepare script builds dist/) failed in ${context}:\n${stdout}${stderr}`, { cause: error });
  }
  const tarballs = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack made ${tarballs.length} tarballs in ${out}`);
  return join(out, tarballs[0] as string);
}

export async function npm(args: string[], cwd: string): Promise<void> {
  try {
    await run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${stderr}`, { cause: error });
  }
}

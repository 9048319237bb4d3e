/**
 * The real kubectl the tests run (the plugin through `kubectl profefe`, `kubectl kustomize`, and
 * kubectl against the fake API server as the reference client): found on PATH, like a user's.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

let resolved: string | undefined;

/**
 * The absolute path of the `kubectl` found on the test process's PATH (looked up once, the first
 * one that is an executable file, as a shell finds it). Throws, naming the install step, when
 * there is none.
 */
export function kubectlPath(): string {
  resolved ??= findOnPath('kubectl', process.env.PATH ?? '');
  return resolved;
}

function findOnPath(name: string, path: string): string {
  const dirs = path.split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not there, or not executable: the next directory.
    }
  }
  throw new Error(
    `${name} was not found on PATH (${dirs.join(delimiter) || 'empty'}): the tests run the real kubectl. ` +
      "Install kubectl (https://kubernetes.io/docs/tasks/tools/, or your distribution's package) and put it on PATH; " +
      '.ci/run checks for it before running the suite.',
  );
}

/**
 * Opens a URL in the user's browser with xdg-open (detached: the browser outlives nothing of
 * ours, and its output never reaches our streams), or says how to open it when there is none.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Returns what was done, for the user: `opened with /usr/bin/xdg-open` or how to open it. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): string {
  const opener = onPath('xdg-open', env);
  if (opener === undefined) return `no xdg-open on PATH: open ${url} in your browser`;
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore', env });
  child.on('error', () => undefined);
  child.unref();
  return `opening ${url} with ${opener}`;
}

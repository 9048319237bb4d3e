/**
 * How the container image runs kprofefe, read from the Dockerfile's last stage: its `ENV`
 * variables and the node options of its exec-form `ENTRYPOINT` (the options between the node
 * binary and the script). The benchmark runs kprofefe the same way, so it measures what the
 * CronJob runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

export interface ImageRuntime {
  readonly env: Readonly<Record<string, string>>;
  readonly nodeOptions: readonly string[];
}

export function readImageRuntime(text: string = readFileSync(DOCKERFILE, 'utf8')): ImageRuntime {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const lastFrom = lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  const stage = lines.slice(lastFrom + 1);
  const env: Record<string, string> = {};
  for (const line of stage) {
    const match = /^ENV\s+(.*)$/i.exec(line.trim());
    if (match === null) continue;
    for (const pair of match[1]!.trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`Dockerfile: ENV "${match[1]}": expected KEY=value pairs`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  const entrypoint = stage
    .map((line) => /^ENTRYPOINT\s+(\[.*\])\s*$/i.exec(line.trim()))
    .filter((m) => m !== null)
    .pop();
  if (entrypoint === undefined) throw new Error('Dockerfile: no exec-form ENTRYPOINT in the last stage');
  const argv = JSON.parse(entrypoint[1]!) as string[];
  const script = argv.findIndex((arg, i) => i > 0 && !arg.startsWith('-'));
  if (!/node$/.test(argv[0] ?? '') || script === -1) throw new Error(`Dockerfile: ENTRYPOINT ${entrypoint[1]} is not "node [options] script"`);
  return { env, nodeOptions: argv.slice(1, script) };
}

/** `MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 ...`, for reports. */
export function describeImageRuntime(runtime: ImageRuntime): string {
  const env = Object.entries(runtime.env).map(([k, v]) => `${k}=${v}`);
  return [...env, 'node', ...runtime.nodeOptions].join(' ');
}

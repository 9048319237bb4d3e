/** The real Go toolchain (Debian's golang-go): builds test programs, and `go tool pprof` as the reference reader. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The go command: env GO when set (another toolchain), else `go` on PATH (Debian's Go 1.19). */
const GO = process.env.GO ?? 'go';

/** pprof's output can be large (-proto of merged profiles, -top of heap-large). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs `go tool pprof <args>` and returns its stdout (bytes with `{ output: 'buffer' }`, for -proto);
 * rejects with pprof's stderr when it cannot read the profile. The one place tests run pprof: TZ=UTC
 * (pprof prints the profile time in local time) and PPROF_TMPDIR in the temp dir (not ~/pprof).
 */
export function goToolPprof(args: readonly string[]): Promise<string>;
export function goToolPprof(args: readonly string[], options: { output: 'buffer' }): Promise<Buffer>;
export async function goToolPprof(args: readonly string[], options?: { output: 'buffer' }): Promise<string | Buffer> {
  const { stdout } = await run(GO, ['tool', 'pprof', ...args], {
    encoding: 'buffer',
    maxBuffer: MAX_OUTPUT,
    env: { ...process.env, TZ: 'UTC', PPROF_TMPDIR: tmpdir() },
  });
  return options?.output === 'buffer' ? stdout : stdout.toString('utf8');
}

/** Builds a single-file stdlib-only Go program into a temporary directory; returns the binary path. */
export async function goBuild(mainFile: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'go-build-'));
  const out = join(dir, 'app');
  await run(GO, ['build', '-o', out, mainFile], { env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '' } });
  return out;
}

export interface RunningProgram {
  readonly process: ChildProcess;
  /** `host:port` the program printed as "listening on host:port". */
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts a program that prints "listening on HOST:PORT" on stdout once it is ready. */
export function startListening(binary: string, args: string[]): Promise<RunningProgram> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${binary} did not print "listening on" within 10s`)), 10_000);
    child.on('error', reject);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          process: child,
          address: match[1],
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    });
  });
}

/** The profile's DurationNanos in seconds, from `go tool pprof -top` (`Duration: 1.04s, ...`) or `-raw` (`Duration: 1.04`) output; undefined when it has none. */
export function pprofDuration(raw: string): number | undefined {
  const match = /^Duration: ([\d.]+)/m.exec(raw);
  return match === null ? undefined : Number.parseFloat(match[1] as string);
}

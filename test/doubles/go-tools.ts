/** The real Go toolchain (Debian's golang-go): builds test programs, and `go tool pprof` as the reference reader. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `go tool pprof <args>` and returns stdout; rejects with pprof's stderr when it cannot read the profile. */
export async function goToolPprof(args: string[]): Promise<string> {
  const { stdout } = await run('go', ['tool', 'pprof', ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PPROF_TMPDIR: tmpdir() } });
  return stdout;
}

/** Builds a single-file stdlib-only Go program into a temporary directory; returns the binary path. */
export async function goBuild(mainFile: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'go-build-'));
  const out = join(dir, 'app');
  await run('go', ['build', '-o', out, mainFile], { env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '' } });
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

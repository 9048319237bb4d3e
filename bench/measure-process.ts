/**
 * Runs one command as a child process and measures it alone, as the other benchmarks do: wall
 * time from spawn to exit, peak RSS (VmHWM, the kernel's high-water mark, polled from /proc, so
 * a peak between two polls is not missed), CPU seconds (/proc/<pid>/stat at the last poll). A
 * run that passes its deadline or its RSS cap is killed (SIGKILL) and says which.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { readProcCpuSeconds, readProcMemory } from './proc-stats.js';

export interface MeasureOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** stdout goes to this file (go tool pprof -proto writes the profile there); else it is collected. */
  readonly stdoutFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly deadlineMs: number;
  /** Killed once its RSS passes this. */
  readonly maxRssMiB: number;
  readonly pollMs?: number;
}

export interface MeasuredRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  /** VmHWM at the last poll, MiB. */
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
  /** Why the harness killed it, if it did. */
  readonly killed: { readonly reason: 'deadline' | 'memory'; readonly afterMs: number; readonly rssMiB: number } | undefined;
  /** stdout when not sent to a file. */
  readonly stdout: string;
  readonly stderr: string;
}

export async function measureProcess(options: MeasureOptions): Promise<MeasuredRun> {
  const out = options.stdoutFile === undefined ? undefined : await open(options.stdoutFile, 'w');
  const started = performance.now();
  const child = spawn(options.command, options.args, { stdio: ['ignore', out === undefined ? 'pipe' : out.fd, 'pipe'], env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal: signal ?? null })),
  );
  let peakRssMiB = 0;
  let cpuSeconds = 0;
  let killed: MeasuredRun['killed'];
  const pid = child.pid!;
  const poll = async (): Promise<void> => {
    const memory = await readProcMemory(pid);
    const cpu = await readProcCpuSeconds(pid);
    if (memory !== undefined) peakRssMiB = Math.max(peakRssMiB, memory.hwmMiB);
    if (cpu !== undefined) cpuSeconds = cpu.user + cpu.system;
    const afterMs = performance.now() - started;
    if (killed === undefined && memory !== undefined && (afterMs > options.deadlineMs || memory.rssMiB > options.maxRssMiB)) {
      killed = { reason: afterMs > options.deadlineMs ? 'deadline' : 'memory', afterMs, rssMiB: memory.rssMiB };
      child.kill('SIGKILL');
    }
  };
  let done = false;
  const polling = (async () => {
    while (!done) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 20));
    }
  })();
  const { code, signal } = await exited;
  const wallMs = performance.now() - started;
  done = true;
  await polling;
  await out?.close();
  return { exitCode: code, signal, wallMs, peakRssMiB, cpuSeconds, killed, stdout, stderr };
}

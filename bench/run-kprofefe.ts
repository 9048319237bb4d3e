/**
 * Runs kprofefe (bin/kprofefe.js) as a child process and measures it alone: wall time from
 * spawn to exit, peak RSS (VmHWM polled from /proc while it runs, and the `peakRssMiB` its own
 * summary log line reports), CPU time (/proc/<pid>/stat at the last poll, up to 50 ms before it
 * exits), and the summary it logs. stderr is parsed line by line and only counts and a few examples are kept.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { countFds, readProcCpuSeconds, readProcMemory } from './proc-stats.js';

export const KPROFEFE_BIN = fileURLToPath(new URL('../bin/kprofefe.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./kprofefe-probe.mjs', import.meta.url));

/** What bench/kprofefe-probe.mjs writes (MiB and ms). */
export interface ProbeReport {
  wallMs: number;
  mainThreadBusyMs: number;
  mainThreadIdleMs: number;
  gc: { count: number; ms: number; byKind: Record<string, number> };
  peakRssSample: { t: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  samples: Array<{ t: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }>;
}

/** The fields of kprofefe's final summary the benchmark reads (src/report/run-summary.ts). */
export interface KprofefeSummary {
  podsSelected: number;
  podsSkipped: number;
  podsMissing: number;
  profilesAttempted: number;
  profilesStored: number;
  profilesFailed: number;
  storedByType: Record<string, number>;
  failedByReason: Record<string, number>;
  durationMs: number;
  peakRssMiB: number;
}

export interface RssSample {
  /** ms since spawn */
  t: number;
  rssMiB: number;
  /** Open file descriptors (almost all of them sockets): connections to pods, the API and the collector. */
  fds: number;
}

export interface KprofefeRun {
  args: string[];
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  /** VmHWM at the last poll before exit, MiB. */
  polledPeakRssMiB: number;
  polls: number;
  /** The most file descriptors seen open at once (sampled with the RSS timeline). */
  maxFds: number;
  /** RSS over time, one sample per `rssSampleEveryMs`. */
  rssTimeline: RssSample[];
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  summary: KprofefeSummary | undefined;
  /** The message of the summary line ('run finished: ...'). */
  summaryMsg: string | undefined;
  logLinesByLevel: Record<string, number>;
  /** The first few warn/error/fatal lines (and any line that is not JSON), as written. */
  problemExamples: string[];
  timedOut: boolean;
  /** With `probe`: memory by kind and main-thread figures from inside the process. */
  probe?: ProbeReport;
}

export interface RunKprofefeOptions {
  args: string[];
  /** Options for node itself, before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Variables added to the harness's environment for kprofefe. */
  env?: Record<string, string>;
  /** The script to run; default this checkout's bin/kprofefe.js. */
  bin?: string;
  /** Preload bench/kprofefe-probe.mjs. */
  probe?: boolean;
  /** Killed (SIGKILL) after this long: the benchmark always ends. */
  deadlineMs: number;
  pollEveryMs?: number;
  rssSampleEveryMs?: number;
  /** Called with ms since spawn whenever a poll happens (for the harness's own timeline). */
  onPoll?: (tMs: number) => void;
}

const MAX_EXAMPLES = 20;
const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export async function runKprofefe(opts: RunKprofefeOptions): Promise<KprofefeRun> {
  const pollEveryMs = opts.pollEveryMs ?? 50;
  const rssSampleEveryMs = opts.rssSampleEveryMs ?? 500;
  const bin = opts.bin ?? KPROFEFE_BIN;
  const probeDir = opts.probe ? await mkdtemp(path.join(tmpdir(), 'kprofefe-probe-')) : undefined;
  const probeFile = probeDir === undefined ? undefined : path.join(probeDir, 'probe.json');
  const nodeArgs = [...(probeFile === undefined ? [] : ['--import', PROBE]), ...(opts.nodeArgs ?? [])];
  const env = { ...process.env, ...opts.env, ...(probeFile === undefined ? {} : { W1_PROBE_FILE: probeFile }) };
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, bin, ...opts.args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin}`);

  const logLinesByLevel: Record<string, number> = {};
  const problemExamples: string[] = [];
  let summary: KprofefeSummary | undefined;
  let summaryMsg: string | undefined;
  const lines = createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    let entry: { level?: number; msg?: string; summary?: KprofefeSummary } | undefined;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      entry = undefined;
    }
    const level = entry?.level === undefined ? 'text' : (PINO_LEVELS[entry.level] ?? String(entry.level));
    logLinesByLevel[level] = (logLinesByLevel[level] ?? 0) + 1;
    if (entry?.summary !== undefined) {
      summary = entry.summary;
      summaryMsg = entry.msg;
    }
    if ((level === 'text' || level === 'warn' || level === 'error' || level === 'fatal') && problemExamples.length < MAX_EXAMPLES) {
      problemExamples.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    }
  });
  const stderrDone = new Promise<void>((resolve) => lines.once('close', resolve));

  let exited = false;
  let timedOut = false;
  const exit = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve, reject) => {
    child.once('error', (err) => {
      exited = true; // ends the polling loop
      reject(err);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, at: performance.now() });
    });
  });
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.deadlineMs);

  // Poll until the child exits; each poll is bounded by the deadline above.
  let polledPeakRssMiB = 0;
  let polls = 0;
  let nextSampleAt = 0;
  let cpuSeconds = { user: 0, system: 0 };
  const rssTimeline: RssSample[] = [];
  const polling = (async () => {
    while (!exited) {
      const memory = await readProcMemory(pid);
      const t = performance.now() - started;
      if (memory !== undefined) {
        polls += 1;
        polledPeakRssMiB = Math.max(polledPeakRssMiB, memory.hwmMiB);
        if (t >= nextSampleAt) {
          rssTimeline.push({ t: Math.round(t), rssMiB: round1(memory.rssMiB), fds: await countFds(pid) });
          nextSampleAt += rssSampleEveryMs;
        }
      }
      const cpu = await readProcCpuSeconds(pid);
      if (cpu !== undefined) cpuSeconds = cpu;
      opts.onPoll?.(t);
      await new Promise((resolve) => setTimeout(resolve, pollEveryMs));
    }
  })();

  const { code, signal, at } = await exit;
  clearTimeout(deadline);
  await polling;
  await stderrDone;
  let probe: ProbeReport | undefined;
  if (probeDir !== undefined && probeFile !== undefined) {
    try {
      probe = JSON.parse(await readFile(probeFile, 'utf8')) as ProbeReport;
    } catch {
      probe = undefined; // killed before it could write
    }
    await rm(probeDir, { recursive: true, force: true });
  }
  return {
    args: opts.args,
    exitCode: code,
    signal,
    wallMs: Math.round(at - started),
    polledPeakRssMiB: round1(polledPeakRssMiB),
    maxFds: rssTimeline.reduce((max, sample) => Math.max(max, sample.fds), 0),
    polls,
    rssTimeline,
    cpuUserSeconds: round2(cpuSeconds.user),
    cpuSystemSeconds: round2(cpuSeconds.system),
    summary,
    summaryMsg,
    logLinesByLevel,
    problemExamples,
    timedOut,
    probe,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

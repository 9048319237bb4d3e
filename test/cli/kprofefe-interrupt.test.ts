/**
 * kprofefe under SIGTERM, what a CronJob's pod gets at activeDeadlineSeconds (and on eviction):
 * the real CLI as a subprocess, SIGTERM sent while the pod is running its CPU profile. The run
 * must end at once (not after --cpu-duration) with exit 130 and a "run interrupted" line with the
 * summary; profiles stored before the signal stay whole, and nothing partial or temporary is left.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod, type FakePodRequest } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { BIN_DIR, cleanEnv, parseLogs, summaryOf, tempDir, type CliResult } from './run-cli.js';

/** Long enough that a run which ignored SIGTERM would still be waiting on the pod. */
const CPU_SECONDS = 30;
/** A correctness bound, not a performance target: well before the CPU profile would have ended. */
const PROMPT_EXIT_MS = 15_000;
const CPU_PATH = '/debug/pprof/profile';

let api: FakeKubeApi;
let home: string;
let kubeconfig: string;
let pod: FakePod;
let collector: TestCollector;

beforeAll(async () => {
  api = await startFakeKubeApi();
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
  pod = await startFakePod({ host: '127.0.0.71' });
  collector = await startTestCollector();
  api.setPods([
    makePod({ name: 'api-0', namespace: 'shop', ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port), 'profefe.com/service': 'api' }) }),
  ]);
});
afterEach(() => {
  pod.requests.length = 0;
  collector.reset();
});
afterAll(async () => {
  await pod.close();
  await collector.close();
  await api.close();
});

interface RunningKprofefe {
  /** The JSON log lines printed so far. */
  logs(): Array<Record<string, unknown>>;
  sigterm(): void;
  /** Resolves when the process has exited. */
  readonly done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** `bin/kprofefe.js ARGS` started as a subprocess (killed after 60 s if still running). */
function startKprofefe(args: string[]): RunningKprofefe {
  const child = spawn(process.execPath, [join(BIN_DIR, 'kprofefe.js'), '--kubeconfig', kubeconfig, ...args], {
    env: cleanEnv(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, logs: parseLogs(stderr) });
    });
  });
  return { logs: () => parseLogs(stderr), sigterm: () => child.kill('SIGTERM'), done };
}

/** Polls `check` every 20 ms until it returns true (or fails after `timeoutMs`). */
async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every file under `dir`, relative, sorted (temporary files included). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * Runs kprofefe on the pod with `profileTypes`, waits until the pod has received the CPU profile
 * request and `storedFirst` profiles were logged as stored, then sends SIGTERM.
 */
async function sigtermDuringCpuProfile(sinkArgs: string[], profileTypes: string, storedFirst: number) {
  const run = startKprofefe(['-n', 'shop', '--profile-types', profileTypes, '--cpu-duration', `${CPU_SECONDS}s`, '--log-level', 'debug', ...sinkArgs]);
  const stored = () => run.logs().filter((l) => l.msg === 'profile stored');
  await waitFor('the pod to start its CPU profile', () => pod.requests.some((r) => r.path === CPU_PATH));
  await waitFor(`${storedFirst} profiles to be stored`, () => stored().length === storedFirst);
  const cpu = pod.requests.find((r) => r.path === CPU_PATH) as FakePodRequest;
  // Still mid-way: the pod has not answered the CPU profile.
  expect(cpu.finished).toBe(false);
  const sentAt = Date.now();
  run.sigterm();
  const result = await run.done;
  return { result, elapsedMs: Date.now() - sentAt, cpu, storedBefore: stored() };
}

/** The last log line, which must be the interrupted outcome with the summary. */
function interruptedLine(result: CliResult): Record<string, unknown> {
  const last = result.logs.at(-1);
  expect(last?.msg, result.stderr).toBe('run interrupted');
  expect(last?.level).toBe(40); // warn
  return last as Record<string, unknown>;
}

describe('kprofefe: SIGTERM mid-run (a CronJob at activeDeadlineSeconds)', () => {
  it('--output-dir: exits 130 at once, logs "run interrupted" with the counts, keeps the stored profiles, leaves nothing partial', async () => {
    const out = await tempDir('kprofefe-interrupt-out-');
    const { result, elapsedMs, cpu, storedBefore } = await sigtermDuringCpuProfile(['--output-dir', out], 'cpu,heap,goroutine', 2);

    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(elapsedMs).toBeLessThan(PROMPT_EXIT_MS);
    interruptedLine(result);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({
      podsSelected: 1,
      profilesAttempted: 3,
      profilesStored: 2,
      profilesFailed: 1,
      storedByType: { heap: 1, goroutine: 1 },
      failedByReason: { INTERRUPTED: 1 },
    });
    // The pod saw the CPU request go away: the download was cancelled, not waited for.
    await waitFor('the pod to see the CPU request close', () => cpu.closedEarly);

    // Exactly the two profiles stored before the signal, whole, and no temporary (`.<hex>.tmp`) file.
    const files = await filesUnder(out);
    expect(files.map((f) => f.split('/').slice(0, 3).join('/'))).toEqual(['shop/api/goroutine', 'shop/api/heap']);
    for (const file of files) expect(file.split('/').at(-1)).toMatch(/^api-0-\d{8}T\d{6}\.\d{3}Z\.pb\.gz$/);
    expect(storedBefore.map((l) => l.location).sort()).toEqual(files.map((f) => join(out, f)));
    const heap = join(out, files.find((f) => f.includes('/heap/')) as string);
    expect(await readFile(heap)).toEqual(fixture('heap'));
    expect(await goToolPprof(['-top', heap])).toMatch(/flat%/);
    expect(await readFile(join(out, files.find((f) => f.includes('/goroutine/')) as string))).toEqual(fixture('goroutine'));
  });

  it('collector: exits 130 at once; the profiles uploaded before stay, the CPU profile is never uploaded', async () => {
    const { result, elapsedMs, cpu } = await sigtermDuringCpuProfile(['--profefe-hostport', collector.url], 'cpu,heap', 1);

    expect(result.code, result.stderr).toBe(130);
    expect(elapsedMs).toBeLessThan(PROMPT_EXIT_MS);
    interruptedLine(result);
    expect(summaryOf(result)).toMatchObject({
      podsSelected: 1,
      profilesAttempted: 2,
      profilesStored: 1,
      profilesFailed: 1,
      storedByType: { heap: 1 },
      failedByReason: { INTERRUPTED: 1 },
    });
    await waitFor('the pod to see the CPU request close', () => cpu.closedEarly);
    const stored = collector.profiles();
    expect(stored.map((p) => [p.service, p.type])).toEqual([['api', 'heap']]);
    expect(collector.uploads).toHaveLength(1);
  });
});

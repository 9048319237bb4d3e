/**
 * kprofefe --pushgateway end to end: the real CLI as a subprocess (fake Kubernetes API → fake pods
 * → --output-dir) pushing to a real Prometheus Pushgateway (Debian's binary, started here on a
 * loopback port), whose /metrics is read back: the gauges, their values and the grouping labels.
 * A Pushgateway that is down, answers 5xx or never answers is a warning, and the outcome and exit
 * status stay what the run made them.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../src/metrics/run-metrics.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod, type FakePodOptions } from '../doubles/fake-pod.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { groupOf, startPushgateway, type RealPushgateway } from './pushgateway.js';
import { BIN_DIR, cleanEnv, parseLogs, runCli, summaryOf, tempDir, type CliResult } from './run-cli.js';

const FAST = ['--cpu-duration', '1s', '--timeout', '2s', '--profile-types', 'heap,goroutine'];
const TYPES = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'];

let api: FakeKubeApi;
let gateway: RealPushgateway;
let home: string;
let kubeconfig: string;
const pods: FakePod[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  [api, gateway] = await Promise.all([startFakeKubeApi(), startPushgateway()]);
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
});
afterEach(async () => {
  api.setPods([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});
afterAll(async () => {
  await Promise.all([api.close(), gateway.close()]);
});

/** A fake pod serving real profiles (`faults` make some types fail), as a pod `name` in namespace `jobs`. */
async function servedPod(name: string, host: string, faults: FakePodOptions['faults'] = {}) {
  const pod = await startFakePod({ host, faults });
  pods.push(pod);
  return makePod({ name, namespace: 'jobs', uid: `uid-${name}`, ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port) }) });
}

async function kprofefe(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out = await tempDir('kprofefe-push-out-');
  return runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'jobs', '--output-dir', out, ...FAST, ...args], { env: cleanEnv(home, env) });
}

async function group(grouping: Record<string, string>): Promise<Map<string, number>> {
  return groupOf(await gateway.samples(), { job: 'kprofefe', ...grouping });
}

function logged(result: CliResult, msg: string | RegExp): Array<Record<string, unknown>> {
  return result.logs.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
}

/** The outcome line stays the run's last, after the push. */
function expectOutcomeLast(result: CliResult): void {
  expect(typeof result.logs.at(-1)?.summary, result.stderr).toBe('object');
}

/** Stored per type and failed per reason as the summary counted them; every other type and reason 0. */
function expectCounts(metrics: Map<string, number>, result: CliResult): void {
  const summary = summaryOf(result);
  for (const type of TYPES) expect(metrics.get(`kprofefe_profiles_stored{type=${type}}`), type).toBe(summary.storedByType[type] ?? 0);
  const failed = [...metrics].filter(([name]) => name.startsWith('kprofefe_profiles_failed{'));
  expect(failed.length).toBe(FAILURE_REASONS.length);
  for (const [name, value] of failed) expect(value, name).toBe(summary.failedByReason[name.slice('kprofefe_profiles_failed{reason='.length, -1)] ?? 0);
  expect(metrics.get('kprofefe_profiles_empty')).toBe(summary.profilesEmpty);
  expect(metrics.get('kprofefe_pods_selected')).toBe(summary.podsSelected);
}

describe('kprofefe --pushgateway: a real Pushgateway', () => {
  it('a clean run pushes both timestamps, the counts, the pods and the duration, in the group job + --pushgateway-label', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.81'), await servedPod('api-2', '127.0.0.82')]);
    const before = Date.now() / 1000;
    const result = await kprofefe(['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=nightly']);
    const after = Date.now() / 1000;
    expect(result.code, result.stderr).toBe(0);

    const metrics = await group({ cronjob: 'nightly' });
    const lastRun = metrics.get('kprofefe_last_run_timestamp_seconds') as number;
    expect(lastRun).toBeGreaterThanOrEqual(before);
    expect(lastRun).toBeLessThanOrEqual(after);
    expect(metrics.get('kprofefe_last_success_timestamp_seconds')).toBe(lastRun);
    expectCounts(metrics, result);
    expect(metrics.get('kprofefe_profiles_stored{type=heap}')).toBe(2);
    expect(metrics.get('kprofefe_profiles_stored{type=goroutine}')).toBe(2);
    expect(metrics.get('kprofefe_pods_selected')).toBe(2);
    expect(metrics.get('kprofefe_pods_skipped')).toBe(0);
    const duration = metrics.get('kprofefe_run_duration_seconds') as number;
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThan(after - before);
    // No shard label without --shard-count: the group is job, instance and cronjob only.
    expect((await gateway.samples()).filter((s) => s.name.startsWith('kprofefe_') && 'shard' in s.labels)).toEqual([]);

    expect(logged(result, 'run metrics pushed')).toMatchObject([{ level: 30, pushgateway: gateway.url, job: 'kprofefe', grouping: { cronjob: 'nightly' } }]);
    expectOutcomeLast(result);
  });

  it('a run with a failing pod updates the last run and the counts but keeps the last success; a clean run after resets the failures', async () => {
    const good = await servedPod('good', '127.0.0.83');
    api.setPods([good]);
    const first = await kprofefe(['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=flaky']);
    expect(first.code, first.stderr).toBe(0);
    const success = (await group({ cronjob: 'flaky' })).get('kprofefe_last_success_timestamp_seconds') as number;
    expect(success).toBeGreaterThan(0);

    api.setPods([good, await servedPod('broken', '127.0.0.84', { heap: 'status404' })]);
    const failing = await kprofefe(['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=flaky']);
    expect(failing.code, failing.stderr).toBe(1);
    const afterFailure = await group({ cronjob: 'flaky' });
    expect(afterFailure.get('kprofefe_last_run_timestamp_seconds')).toBeGreaterThan(success);
    expect(afterFailure.get('kprofefe_last_success_timestamp_seconds')).toBe(success);
    expectCounts(afterFailure, failing);
    expect(afterFailure.get('kprofefe_profiles_failed{reason=TARGET_HTTP_STATUS}')).toBe(1);
    expect(afterFailure.get('kprofefe_profiles_stored{type=heap}')).toBe(1);
    expect(afterFailure.get('kprofefe_profiles_stored{type=goroutine}')).toBe(2);
    expect(afterFailure.get('kprofefe_pods_selected')).toBe(2);
    expect(logged(failing, 'run metrics pushed')).toHaveLength(1);

    api.setPods([good]);
    const again = await kprofefe(['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=flaky']);
    expect(again.code, again.stderr).toBe(0);
    const recovered = await group({ cronjob: 'flaky' });
    const lastRun = recovered.get('kprofefe_last_run_timestamp_seconds') as number;
    expect(lastRun).toBeGreaterThan(afterFailure.get('kprofefe_last_run_timestamp_seconds') as number);
    expect(recovered.get('kprofefe_last_success_timestamp_seconds')).toBe(lastRun);
    expectCounts(recovered, again);
    expect(recovered.get('kprofefe_profiles_failed{reason=TARGET_HTTP_STATUS}')).toBe(0);
  });

  it('two shards (--shard-count 2) push to separate groups, shard=<index> added by kprofefe', async () => {
    api.setPods(await Promise.all(['s-0', 's-1', 's-2', 's-3', 's-4', 's-5'].map((name, i) => servedPod(name, `127.0.0.${85 + i}`))));
    const base = ['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=sharded', '--shard-count', '2'];
    const shards = await Promise.all([kprofefe([...base, '--shard-index', '0']), kprofefe([...base, '--shard-index', '1'])]);
    const selected: number[] = [];
    for (const [index, result] of shards.entries()) {
      expect(result.code, result.stderr).toBe(0);
      const metrics = await group({ cronjob: 'sharded', shard: String(index) });
      expect(metrics.get('kprofefe_last_success_timestamp_seconds')).toBe(metrics.get('kprofefe_last_run_timestamp_seconds'));
      expectCounts(metrics, result);
      expect(logged(result, 'run metrics pushed')).toMatchObject([{ grouping: { cronjob: 'sharded', shard: String(index) } }]);
      selected.push(metrics.get('kprofefe_pods_selected') as number);
    }
    // Each pod in exactly one shard (these UIDs split 5 and 1), and no group without the shard label.
    expect(selected).toEqual([5, 1]);
    expect((await group({ cronjob: 'sharded' })).size).toBe(0);
  });

  it('--pushgateway-job names the group (the flag wins over PUSHGATEWAY_URL); a dry run pushes nothing', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.91')]);
    const dry = await kprofefe(['--dry-run', '--pushgateway', gateway.url, '--pushgateway-job', 'kprofefe-dry']);
    expect(dry.code, dry.stderr).toBe(0);
    expect((await gateway.samples()).filter((s) => s.labels.job === 'kprofefe-dry')).toEqual([]);

    const real = await kprofefe(['--pushgateway', gateway.url, '--pushgateway-job', 'kprofefe-dev'], { PUSHGATEWAY_URL: 'http://127.0.0.1:1' });
    expect(real.code, real.stderr).toBe(0);
    expect(groupOf(await gateway.samples(), { job: 'kprofefe-dev' }).get('kprofefe_pods_selected')).toBe(1);
  });

  it('PUSHGATEWAY_URL stands for --pushgateway', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.92')]);
    const result = await kprofefe(['--pushgateway-label', 'cronjob=from-env'], { PUSHGATEWAY_URL: gateway.url });
    expect(result.code, result.stderr).toBe(0);
    expect((await group({ cronjob: 'from-env' })).get('kprofefe_pods_selected')).toBe(1);
  });
});

describe('kprofefe --pushgateway: a push that fails changes nothing but a warning', () => {
  it('unreachable (a closed port): a warning naming the URL; exit 0 and the same summary', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.93')]);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await kprofefe(['--pushgateway', url, '--pushgateway-label', 'cronjob=x']);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ podsSelected: 1, profilesStored: 2, profilesFailed: 0 });
    const [warning] = logged(result, /^pushing the run metrics/);
    expect(warning).toMatchObject({ level: 40, pushgateway: url });
    expect(String(warning?.msg)).toContain(`pushing the run metrics to ${url} failed: connect ECONNREFUSED`);
    expect(logged(result, 'run metrics pushed')).toEqual([]);
    expect(logged(result, /^run finished: 2 profiles stored/)).toHaveLength(1);
    expectOutcomeLast(result);
  });

  it('5xx: a warning with the status, the URL without its credentials (sent as basic auth, never logged); exit 0', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.94')]);
    const seen: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];
    const port = await listen((req, body, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      res.writeHead(500, { 'content-type': 'text/plain' }).end('storage is full\n');
    });
    const result = await kprofefe([
      '--pushgateway',
      `http://kprofefe:s3cr3t@127.0.0.1:${port}/`,
      '--pushgateway-label',
      'cronjob=nightly',
      '--log-level',
      'trace',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 2, profilesFailed: 0 });
    const [warning] = logged(result, /^pushing the run metrics/);
    expect(warning).toMatchObject({ level: 40, pushgateway: `http://127.0.0.1:${port}` });
    expect(String(warning?.msg)).toBe(
      `pushing the run metrics to http://127.0.0.1:${port} failed: HTTP 500: storage is full; the run's outcome and exit status stand`,
    );
    expect(result.stderr).not.toContain('s3cr3t');
    expectOutcomeLast(result);
    // One POST (the group's other metrics stay) to the group's path, with the credentials as basic auth.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/metrics/job/kprofefe/cronjob/nightly' });
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('kprofefe:s3cr3t').toString('base64')}`);
    expect(seen[0]?.body).toMatch(/^kprofefe_last_success_timestamp_seconds \d+(\.\d+)?(e\+\d+)?$/m);
  });

  it('a Pushgateway that never answers is given up after --timeout: a warning, exit 0', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.95')]);
    const port = await listen(() => {
      // Never answers.
    });
    const started = Date.now();
    const result = await kprofefe(['--pushgateway', `http://127.0.0.1:${port}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(String(logged(result, /^pushing the run metrics/)[0]?.msg)).toContain('failed: no answer within 2 s');
    expectOutcomeLast(result);
  });
});

describe('kprofefe --pushgateway: SIGTERM mid-run (a CronJob at activeDeadlineSeconds)', () => {
  it('pushes what is known (last run, counts; not the last success) before exiting 130', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.96')]);
    const push = ['--pushgateway', gateway.url, '--pushgateway-label', 'cronjob=deadline'];
    const clean = await kprofefe(push);
    expect(clean.code, clean.stderr).toBe(0);
    const success = (await group({ cronjob: 'deadline' })).get('kprofefe_last_success_timestamp_seconds') as number;

    const { result, elapsedMs } = await sigtermDuringCpuProfile(push);
    expect(result.code, result.stderr).toBe(130);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 1, profilesFailed: 1, failedByReason: { INTERRUPTED: 1 } });
    expect(result.logs.at(-1)?.msg).toBe('run interrupted');
    expect(logged(result, 'run metrics pushed')).toHaveLength(1);

    const metrics = await group({ cronjob: 'deadline' });
    expect(metrics.get('kprofefe_last_run_timestamp_seconds')).toBeGreaterThan(success);
    expect(metrics.get('kprofefe_last_success_timestamp_seconds')).toBe(success);
    expectCounts(metrics, result);
    expect(metrics.get('kprofefe_profiles_stored{type=heap}')).toBe(1);
    expect(metrics.get('kprofefe_profiles_stored{type=cpu}')).toBe(0);
    expect(metrics.get('kprofefe_profiles_failed{reason=INTERRUPTED}')).toBe(1);
  });

  it('a Pushgateway that never answers holds an interrupted run 3 s at most, whatever --timeout', async () => {
    api.setPods([await servedPod('api-1', '127.0.0.97')]);
    const port = await listen(() => {
      // Never answers.
    });
    const { result, elapsedMs } = await sigtermDuringCpuProfile(['--pushgateway', `http://127.0.0.1:${port}`, '--timeout', '60s']);
    expect(result.code, result.stderr).toBe(130);
    expect(elapsedMs).toBeLessThan(8_000);
    expect(String(logged(result, /^pushing the run metrics/)[0]?.msg)).toContain('failed: no answer within 3 s');
    expect(result.logs.at(-1)?.msg).toBe('run interrupted');
  });
});

/** kprofefe on the pod with cpu,heap and a 30 s CPU profile, SIGTERM once heap is stored and the CPU profile runs. */
async function sigtermDuringCpuProfile(args: string[]): Promise<{ result: CliResult; elapsedMs: number }> {
  const out = await tempDir('kprofefe-push-out-');
  const argv = ['--kubeconfig', kubeconfig, '-n', 'jobs', '--output-dir', out, '--profile-types', 'cpu,heap', '--cpu-duration', '30s', '--log-level', 'debug'];
  const child = spawn(process.execPath, [join(BIN_DIR, 'kprofefe.js'), ...argv, ...args], { env: cleanEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, logs: parseLogs(stderr) });
    });
  });
  const until = Date.now() + 15_000;
  const ready = () => {
    const logs = parseLogs(stderr);
    return logs.some((l) => l.msg === 'profile stored' && l.type === 'heap') && pods.some((p) => p.requests.some((r) => r.path === '/debug/pprof/profile'));
  };
  while (!ready()) {
    if (Date.now() > until) throw new Error(`kprofefe did not reach its CPU profile:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const sentAt = Date.now();
  child.kill('SIGTERM');
  const result = await done;
  return { result, elapsedMs: Date.now() - sentAt };
}

/** A local HTTP server on a free port (closed after the test); `handle` gets the request with its body read. */
async function listen(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => handle(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

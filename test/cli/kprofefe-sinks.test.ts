/**
 * kprofefe with several sinks, as a subprocess: fake Kubernetes API → fake pods serving real Go
 * profiles → the test collector and a directory at once. Each profile is fetched once and stored
 * in both; the summary counts per sink (stored + failed = attempted for each); a sink that is
 * down or refusing leaves the other with everything, and the exit status says the run was not
 * clean. Without a sink flag, profiles still go to ./profiles, as they always did.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { startPyroscopeDouble, type PyroscopeDouble } from '../doubles/pyroscope-double.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { groupOf, startPushgateway } from './pushgateway.js';
import { cleanEnv, runCli, summaryOf, tempDir, type CliResult, type SinkCountsLog } from './run-cli.js';

const FAST = ['--cpu-duration', '1s', '--timeout', '2s', '--profile-types', 'cpu,heap,goroutine,block,mutex,threadcreate'];
const ALL_TYPES = ['block', 'cpu', 'goroutine', 'heap', 'mutex', 'threadcreate'];

let api: FakeKubeApi;
let home: string;
let kubeconfig: string;
const pods: FakePod[] = [];
const collectors: TestCollector[] = [];
const pyroscopes: PyroscopeDouble[] = [];

beforeAll(async () => {
  api = await startFakeKubeApi();
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
});
afterEach(async () => {
  api.setPods([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
  await Promise.all(collectors.splice(0).map((c) => c.close()));
  await Promise.all(pyroscopes.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await api.close();
});

/** One enabled pod `name` in namespace shop, served by a fake pod on its own loopback address. */
async function onePod(host: string, name = 'api-1'): Promise<FakePod> {
  const pod = await startFakePod({ host });
  pods.push(pod);
  api.setPods([makePod({ name, namespace: 'shop', ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port), 'profefe.com/service': 'api' }) })]);
  return pod;
}

async function collector(): Promise<TestCollector> {
  const c = await startTestCollector();
  collectors.push(c);
  return c;
}

async function pyroscope(): Promise<PyroscopeDouble> {
  const d = await startPyroscopeDouble();
  pyroscopes.push(d);
  return d;
}

function kprofefe(args: string[], cwd?: string): Promise<CliResult> {
  return runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'shop', ...FAST, ...args], { env: cleanEnv(home), cwd });
}

/** The summary's counts per sink, each checked by summaryOf: stored + failed = attempted - empty. */
function sinksOf(result: CliResult): SinkCountsLog[] {
  return summaryOf(result).sinks;
}

function lastLine(result: CliResult): Record<string, unknown> {
  const last = result.logs.at(-1);
  if (last === undefined) throw new Error(`no log line:\n${result.stderr}`);
  return last;
}

/** The profile files under `dir`, as `<namespace>/<service>/<type>` (one per profile) and their bytes by type. */
async function profileFiles(dir: string): Promise<{ types: string[]; bytes: Map<string, Buffer> }> {
  const entries = await readdir(join(dir, 'shop', 'api'), { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  const bytes = new Map<string, Buffer>();
  for (const file of files) bytes.set(file.parentPath.split('/').at(-1) as string, await readFile(join(file.parentPath, file.name)));
  return { types: files.map((file) => file.parentPath.split('/').at(-1) as string).sort(), bytes };
}

describe('kprofefe --profefe-hostport and --output-dir together', () => {
  it('stores every profile, fetched once, in the collector and in the directory; exit 0', async () => {
    const pod = await onePod('127.0.0.61');
    const c = await collector();
    const out = await tempDir('kprofefe-sinks-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--output-dir', out]);
    expect(result.code, result.stderr).toBe(0);
    // One request per profile, whatever the number of sinks.
    expect(pod.requests).toHaveLength(6);
    expect(
      c
        .profiles()
        .map((p) => p.type)
        .sort(),
    ).toEqual(ALL_TYPES);
    const files = await profileFiles(out);
    expect(files.types).toEqual(ALL_TYPES);
    expect(files.bytes.get('heap')).toEqual(fixture('heap'));
    expect(sinksOf(result)).toEqual([
      { sink: `profefe ${c.url}`, stored: 6, failed: 0, failedByReason: {} },
      { sink: `directory ${out}`, stored: 6, failed: 0, failedByReason: {} },
    ]);
    expect(lastLine(result).msg).toBe(`run finished: 6 profiles stored from 1 pods in profefe ${c.url}, directory ${out}`);
  });

  it('the collector down: the directory has every profile; the summary names the failing sink; exit 1', async () => {
    await onePod('127.0.0.62');
    const c = await collector();
    c.setDown(true);
    const out = await tempDir('kprofefe-sinks-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--output-dir', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(c.profiles()).toEqual([]);
    expect(c.refusedConnections).toBeGreaterThan(0);
    const files = await profileFiles(out);
    expect(files.types).toEqual(ALL_TYPES);
    for (const type of ALL_TYPES) expect(files.bytes.get(type)).toEqual(fixture(type as 'heap'));
    expect(sinksOf(result)).toEqual([
      { sink: `profefe ${c.url}`, stored: 0, failed: 6, failedByReason: { SINK_UNAVAILABLE: 6 } },
      { sink: `directory ${out}`, stored: 6, failed: 0, failedByReason: {} },
    ]);
    expect(summaryOf(result)).toMatchObject({ profilesAttempted: 6, profilesStored: 0, profilesFailed: 6, failedByReason: { SINK_UNAVAILABLE: 6 } });
    const last = lastLine(result);
    expect(last.level).toBe(40);
    expect(last.msg).toBe(`run finished with failures: stored 0/6 in profefe ${c.url}, 6/6 in directory ${out}; 6 of 6 profiles failed, 0 pods skipped`);
    // Each failure is logged with the sink it failed in.
    const failures = result.logs.filter((line) => line.reason === 'SINK_UNAVAILABLE');
    expect(failures).toHaveLength(6);
    expect(new Set(failures.map((line) => line.sink))).toEqual(new Set([`profefe ${c.url}`]));
  });

  it('the collector refusing two uploads (400): 4/6 in the collector, 6/6 in the directory; exit 1', async () => {
    await onePod('127.0.0.63');
    const c = await collector();
    c.failNext(2, 400, 'bad request: no');
    const out = await tempDir('kprofefe-sinks-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--output-dir', out, '--concurrency', '1']);
    expect(result.code, result.stderr).toBe(1);
    expect(c.profiles()).toHaveLength(4);
    expect((await profileFiles(out)).types).toEqual(ALL_TYPES);
    expect(sinksOf(result)).toEqual([
      { sink: `profefe ${c.url}`, stored: 4, failed: 2, failedByReason: { SINK_REJECTED: 2 } },
      { sink: `directory ${out}`, stored: 6, failed: 0, failedByReason: {} },
    ]);
    expect(lastLine(result).msg).toMatch(new RegExp(`^run finished with failures: stored 4/6 in profefe ${c.url}, 6/6 in directory `));
  });
});

describe('kprofefe --profefe-hostport, --pyroscope-url and --output-dir in one run', () => {
  it('each profile, fetched once, is in the collector, in Pyroscope and in the directory; exit 0', async () => {
    const pod = await onePod('127.0.0.67');
    const [c, d] = await Promise.all([collector(), pyroscope()]);
    const out = await tempDir('kprofefe-sinks-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--pyroscope-url', d.url, '--output-dir', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(pod.requests).toHaveLength(6);
    expect(
      c
        .profiles()
        .map((p) => p.type)
        .sort(),
    ).toEqual(ALL_TYPES);
    expect(d.profiles.map((p) => p.labels.__name__).sort()).toEqual(['block', 'goroutine', 'memory', 'mutex', 'process_cpu', 'threadcreate']);
    expect(d.profiles.find((p) => p.labels.__name__ === 'memory')?.rawProfile).toEqual(fixture('heap'));
    expect((await profileFiles(out)).types).toEqual(ALL_TYPES);
    expect(sinksOf(result)).toEqual([
      { sink: `profefe ${c.url}`, stored: 6, failed: 0, failedByReason: {} },
      { sink: `pyroscope ${d.url}`, stored: 6, failed: 0, failedByReason: {} },
      { sink: `directory ${out}`, stored: 6, failed: 0, failedByReason: {} },
    ]);
  });

  it('Pyroscope down: the collector and the directory store everything; the summary names Pyroscope; exit 1', async () => {
    await onePod('127.0.0.68');
    const [c, d] = await Promise.all([collector(), pyroscope()]);
    d.setDown(true);
    const out = await tempDir('kprofefe-sinks-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--pyroscope-url', d.url, '--output-dir', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(d.profiles).toEqual([]);
    expect(c.profiles()).toHaveLength(6);
    expect((await profileFiles(out)).types).toEqual(ALL_TYPES);
    expect(sinksOf(result)).toEqual([
      { sink: `profefe ${c.url}`, stored: 6, failed: 0, failedByReason: {} },
      { sink: `pyroscope ${d.url}`, stored: 0, failed: 6, failedByReason: { SINK_UNAVAILABLE: 6 } },
      { sink: `directory ${out}`, stored: 6, failed: 0, failedByReason: {} },
    ]);
    expect(lastLine(result).msg).toBe(
      `run finished with failures: stored 6/6 in profefe ${c.url}, 0/6 in pyroscope ${d.url}, 6/6 in directory ${out}; 6 of 6 profiles failed, 0 pods skipped`,
    );
  });
});

describe('kprofefe sinks: the run metrics per sink', () => {
  it('pushes kprofefe_sink_profiles_stored{sink} and kprofefe_sink_profiles_failed{sink,reason} to a real Pushgateway', async () => {
    await onePod('127.0.0.66');
    const c = await collector();
    c.setDown(true);
    const out = await tempDir('kprofefe-sinks-');
    const gateway = await startPushgateway();
    try {
      const result = await kprofefe(['--profefe-hostport', c.url, '--output-dir', out, '--pushgateway', gateway.url]);
      expect(result.code, result.stderr).toBe(1);
      const metrics = groupOf(await gateway.samples(), { job: 'kprofefe' });
      expect(metrics.get(`kprofefe_sink_profiles_stored{sink=profefe ${c.url}}`)).toBe(0);
      expect(metrics.get(`kprofefe_sink_profiles_stored{sink=directory ${out}}`)).toBe(6);
      expect(metrics.get(`kprofefe_sink_profiles_failed{reason=SINK_UNAVAILABLE,sink=profefe ${c.url}}`)).toBe(6);
      expect(metrics.get(`kprofefe_sink_profiles_failed{reason=SINK_UNAVAILABLE,sink=directory ${out}}`)).toBe(0);
      // Every reason, 0 included, for each sink: a later run resets what this one counted.
      const failedSamples = [...metrics.keys()].filter((name) => name.startsWith('kprofefe_sink_profiles_failed{'));
      expect(failedSamples.length).toBe(2 * [...metrics.keys()].filter((name) => name.startsWith('kprofefe_profiles_failed{')).length);
      // The run's own counts stay per profile: all 6 failed (in the collector).
      expect(metrics.get('kprofefe_profiles_failed{reason=SINK_UNAVAILABLE}')).toBe(6);
    } finally {
      await gateway.close();
    }
  });
});

describe('kprofefe sinks: the defaults stay', () => {
  it('no sink flag: ./profiles in the working directory, as always', async () => {
    await onePod('127.0.0.64');
    const cwd = await tempDir('kprofefe-cwd-');
    const result = await kprofefe(['--profile-types', 'heap'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect((await profileFiles(join(cwd, 'profiles'))).types).toEqual(['heap']);
    expect(sinksOf(result)).toEqual([{ sink: `directory ${join(cwd, 'profiles')}`, stored: 1, failed: 0, failedByReason: {} }]);
  });

  it('--profefe-hostport alone: the collector only, no ./profiles', async () => {
    await onePod('127.0.0.65');
    const c = await collector();
    const cwd = await tempDir('kprofefe-cwd-');
    const result = await kprofefe(['--profefe-hostport', c.url, '--profile-types', 'heap'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(c.profiles()).toHaveLength(1);
    expect(await readdir(cwd)).toEqual([]);
    expect(sinksOf(result)).toEqual([{ sink: `profefe ${c.url}`, stored: 1, failed: 0, failedByReason: {} }]);
  });

  it('--output-dir "": a usage error naming the flag, exit 2', async () => {
    const result = await kprofefe(['--output-dir', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output-dir: the directory may not be empty');
  });
});

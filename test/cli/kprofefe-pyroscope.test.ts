/**
 * kprofefe --pyroscope-url as a subprocess: fake Kubernetes API → a fake pod serving real Go
 * profiles → the Pyroscope double, which decodes each push with its own wire reader. What it
 * received (labels, tenant, credentials, the bytes as the pod served them) and the bad-input rows
 * of issue 11: a 400 invalid_argument fails the profile with the server's message and no retry;
 * 429 / 503 twice then OK stores it; a profile over Pyroscope's size limit fails naming the limit.
 * And an https:// Pyroscope with a private CA: stored with --pyroscope-ca-file, failed without.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileType } from '../../src/profile-types.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { startPyroscopeDouble, type PyroscopeDouble, type PyroscopeDoubleOptions } from '../doubles/pyroscope-double.js';
import { makeTestCa } from '../doubles/test-ca.js';
import { cleanEnv, runCli, summaryOf, tempDir, type CliResult } from './run-cli.js';

const TOKEN = 'glc_kprofefe-cli-s3cr3t';
const FAST = ['--cpu-duration', '1s', '--timeout', '5s'];

let api: FakeKubeApi;
let home: string;
let kubeconfig: string;
let tokenFile: string;
const pods: FakePod[] = [];
const doubles: PyroscopeDouble[] = [];

beforeAll(async () => {
  api = await startFakeKubeApi();
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
  tokenFile = join(home, 'pyroscope-token');
  await writeFile(tokenFile, `${TOKEN}\n`);
});
afterEach(async () => {
  api.setPods([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await api.close();
});

async function onePod(host: string, profiles?: Partial<Record<ProfileType, Buffer>>): Promise<FakePod> {
  const pod = await startFakePod({ host, profiles });
  pods.push(pod);
  const annotations = enabled({ 'profefe.com/port': String(pod.port), 'profefe.com/service': 'api', 'profefe.com/labels': 'app.team=payments,cost-center=42' });
  api.setPods([makePod({ name: 'api-1', namespace: 'shop', ip: pod.ip, annotations })]);
  return pod;
}

async function pyroscope(options?: PyroscopeDoubleOptions): Promise<PyroscopeDouble> {
  const d = await startPyroscopeDouble(options);
  doubles.push(d);
  return d;
}

function kprofefe(args: string[]): Promise<CliResult> {
  return runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'shop', ...FAST, ...args], { env: cleanEnv(home) });
}

function samplesOf(bytes: Buffer): number {
  return Profile.decode(gunzipSync(bytes)).sample.length;
}

describe('kprofefe --pyroscope-url', () => {
  it('pushes every profile with its labels, tenant and token; the bytes are the pprof the pod served', async () => {
    await onePod('127.0.0.71');
    const d = await pyroscope({ requireTenant: true, authorization: `Bearer ${TOKEN}` });
    const result = await kprofefe([
      ...['--pyroscope-url', d.url, '--pyroscope-tenant', 'team-a', '--pyroscope-bearer-token-file', tokenFile, '--log-level', 'debug'],
      ...['--profile-types', 'cpu,heap,allocs,goroutine,block,mutex,threadcreate'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(TOKEN);
    const byName = new Map(d.profiles.map((p) => [`${p.labels.__name__}${p.labels.pprof_type ? `/${p.labels.pprof_type}` : ''}`, p]));
    expect([...byName.keys()].sort()).toEqual(['block', 'goroutine', 'memory', 'memory/allocs', 'mutex', 'process_cpu', 'threadcreate']);
    const common = { service_name: 'api', namespace: 'shop', pod: 'api-1', app_team: 'payments', cost_center: '42' };
    for (const stored of d.profiles) {
      expect(stored.labels).toMatchObject(common);
      expect(stored.tenant).toBe('team-a');
    }
    const types: [string, ProfileType][] = [
      ['process_cpu', 'cpu'],
      ['memory', 'heap'],
      ['memory/allocs', 'allocs'],
      ['goroutine', 'goroutine'],
      ['block', 'block'],
      ['mutex', 'mutex'],
      ['threadcreate', 'threadcreate'],
    ];
    for (const [name, type] of types) {
      const stored = byName.get(name);
      expect(stored?.rawProfile.equals(fixture(type)), name).toBe(true);
      expect(stored?.profile.sample.length, name).toBe(samplesOf(fixture(type)));
    }
    // allocs, block and mutex were fetched as Go's delta over the window: already deltas.
    expect(Object.fromEntries(types.map(([name]) => [name, byName.get(name)?.labels.__delta__]))).toEqual({
      process_cpu: undefined,
      memory: undefined,
      'memory/allocs': 'false',
      goroutine: undefined,
      block: 'false',
      mutex: 'false',
      threadcreate: undefined,
    });
    expect(summaryOf(result)).toMatchObject({
      profilesAttempted: 7,
      profilesStored: 7,
      profilesFailed: 0,
      sinks: [{ sink: `pyroscope ${d.url}`, stored: 7, failed: 0, failedByReason: {} }],
    });
  });

  it('a pod that refuses ?seconds (WriteTimeout): its cumulative allocs, block and mutex go without __delta__', async () => {
    const pod = await startFakePod({ host: '127.0.0.76', writeTimeoutSeconds: 1 });
    pods.push(pod);
    api.setPods([makePod({ name: 'api-1', namespace: 'shop', ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port) }) })]);
    const d = await pyroscope();
    const result = await kprofefe(['--pyroscope-url', d.url, '--profile-types', 'allocs,block,mutex']);
    expect(result.code, result.stderr).toBe(0);
    // Asked for the window, refused, asked again without it: cumulative.
    expect(pod.requests.filter((r) => r.path.endsWith('/block')).map((r) => r.query.seconds)).toEqual(['1', undefined]);
    expect(d.profiles.map((p) => [p.labels.__name__, p.labels.__delta__]).sort()).toEqual([
      ['block', undefined],
      ['memory', undefined],
      ['mutex', undefined],
    ]);
  });

  it('Pyroscope down, beside a directory: the directory has the profile, Pyroscope reports it failed; exit 1', async () => {
    await onePod('127.0.0.75');
    const d = await pyroscope();
    d.setDown(true);
    const out = await tempDir('kprofefe-pyroscope-');
    const result = await kprofefe(['--pyroscope-url', d.url, '--output-dir', out, '--profile-types', 'goroutine']);
    expect(result.code, result.stderr).toBe(1);
    expect(await readFile(join(out, 'shop', 'api', 'goroutine', (await readdir(join(out, 'shop', 'api', 'goroutine')))[0] ?? ''))).toEqual(
      fixture('goroutine'),
    );
    expect(summaryOf(result)).toMatchObject({
      sinks: [
        { sink: `pyroscope ${d.url}`, stored: 0, failed: 1, failedByReason: { SINK_UNAVAILABLE: 1 } },
        { sink: `directory ${out}`, stored: 1, failed: 0 },
      ],
    });
    expect(result.stderr).toContain(`could not reach Pyroscope at ${d.url}`);
  });

  it('Pyroscope 400 invalid_argument: the profile fails with the server message, not retried; exit 1', async () => {
    await onePod('127.0.0.72');
    const d = await pyroscope();
    d.failNext(1, 'invalid_argument', 'invalid labels with error: service name is not provided');
    const result = await kprofefe(['--pyroscope-url', d.url, '--profile-types', 'goroutine']);
    expect(result.code, result.stderr).toBe(1);
    expect(d.pushes).toHaveLength(1);
    expect(summaryOf(result)).toMatchObject({ profilesAttempted: 1, profilesFailed: 1, failedByReason: { SINK_REJECTED: 1 } });
    const failure = result.logs.find((line) => line.reason === 'SINK_REJECTED');
    expect(String(failure?.msg ?? failure?.error)).toContain(
      `Pyroscope at ${d.url} answered 400 (invalid_argument) to Push: invalid labels with error: service name is not provided`,
    );
  });

  it('Pyroscope 429, then 503, then OK: stored after the retries; exit 0', async () => {
    await onePod('127.0.0.73');
    const d = await pyroscope();
    d.failNext(1, 'resource_exhausted', 'rate limited');
    d.failNext(1, 'unavailable');
    const result = await kprofefe(['--pyroscope-url', d.url, '--profile-types', 'heap']);
    expect(result.code, result.stderr).toBe(0);
    expect(d.pushes.map((p) => p.status)).toEqual([429, 503, 200]);
    expect(d.profiles[0]?.rawProfile.equals(fixture('heap'))).toBe(true);
    expect(result.logs.filter((line) => String(line.msg).startsWith('Pyroscope push failed, will retry'))).toHaveLength(2);
  });

  it("a profile over Pyroscope's size limit fails, naming the limit to raise; exit 1", async () => {
    await onePod('127.0.0.74', { heap: fixture('heap-large') });
    const d = await pyroscope();
    const result = await kprofefe(['--pyroscope-url', d.url, '--profile-types', 'heap']);
    expect(result.code, result.stderr).toBe(1);
    expect(d.profiles).toHaveLength(0);
    expect(summaryOf(result)).toMatchObject({ failedByReason: { SINK_REJECTED: 1 } });
    expect(result.stderr).toContain("raise Pyroscope's max_profile_size_bytes for the tenant (flag -validation.max-profile-size-bytes");
  });

  it('an https:// Pyroscope with a private CA: stored with --pyroscope-ca-file (exit 0); without it each profile fails once, naming the flag (exit 1)', async () => {
    await onePod('127.0.0.77');
    const ca = await makeTestCa('kprofefe pyroscope CA');
    await writeFile(join(home, 'pyroscope-ca.crt'), ca.cert);
    const d = await pyroscope({ tls: await ca.issue('pyroscope', { ips: ['127.0.0.1'] }) });
    const types = ['--profile-types', 'heap,goroutine'];
    const result = await runCli(
      'kprofefe.js',
      ['--kubeconfig', kubeconfig, '-n', 'shop', ...FAST, '--pyroscope-url', d.url, '--pyroscope-ca-file', 'pyroscope-ca.crt', ...types],
      {
        env: cleanEnv(home),
        cwd: home,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(d.profiles.map((p) => p.labels.__name__).sort()).toEqual(['goroutine', 'memory']);
    expect(summaryOf(result)).toMatchObject({ sinks: [{ sink: `pyroscope ${d.url}`, stored: 2, failed: 0 }] });

    const connections = d.connections;
    const untrusted = await kprofefe(['--pyroscope-url', d.url, ...types]);
    expect(untrusted.code, untrusted.stderr).toBe(1);
    expect(summaryOf(untrusted)).toMatchObject({ sinks: [{ sink: `pyroscope ${d.url}`, stored: 0, failed: 2, failedByReason: { SINK_REJECTED: 2 } }] });
    expect(untrusted.stderr).toContain(`the certificate of Pyroscope at ${d.url} is not trusted`);
    expect(untrusted.stderr).toContain('pass --pyroscope-ca-file with the CA that signed it');
    expect(d.connections - connections).toBe(2);
    expect(untrusted.logs.filter((line) => String(line.msg).startsWith('Pyroscope push failed, will retry'))).toHaveLength(0);
  });

  it('--pyroscope-ca-file with an http:// --pyroscope-url is a usage error (exit 2)', async () => {
    const result = await kprofefe(['--pyroscope-url', 'http://pyroscope:4040', '--pyroscope-ca-file', 'ca.crt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pyroscope-ca-file needs an https:// --pyroscope-url');
  });

  it('a Pyroscope flag without --pyroscope-url is a usage error (exit 2)', async () => {
    const result = await kprofefe(['--pyroscope-tenant', 'team-a']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pyroscope-tenant needs --pyroscope-url');
  });
});

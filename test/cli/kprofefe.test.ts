/**
 * kprofefe end to end, as a subprocess: fake Kubernetes API → fake pods serving real Go
 * profiles → test collector or a directory. One test per row of the faults table; every run
 * checks stored + failed + empty = attempted (summaryOf).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { withoutSamples } from '../doubles/test-collector/profile-bytes.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { cleanEnv, runCli, summaryOf, tempDir } from './run-cli.js';

const FAST = ['--cpu-duration', '1s', '--timeout', '2s', '--log-level', 'debug'];

let api: FakeKubeApi;
let home: string;
let kubeconfig: string;
const pods: FakePod[] = [];
const collectors: TestCollector[] = [];

async function fakePod(opts: Parameters<typeof startFakePod>[0] = {}): Promise<FakePod> {
  const pod = await startFakePod(opts);
  pods.push(pod);
  return pod;
}

async function collector(): Promise<TestCollector> {
  const c = await startTestCollector();
  collectors.push(c);
  return c;
}

function annotatedFor(pod: FakePod, extra: Record<string, string> = {}) {
  return enabled({ 'profefe.com/port': String(pod.port), ...extra });
}

function kprofefe(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli('kprofefe.js', ['--kubeconfig', kubeconfig, ...FAST, ...args], { env: cleanEnv(home, extraEnv) });
}

beforeAll(async () => {
  api = await startFakeKubeApi();
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
});
afterEach(async () => {
  api.setPods([]);
  api.setForbiddenNamespaces([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await api.close();
});

describe('kprofefe: a clean run', () => {
  it('scrapes every enabled pod through the API, honours port/path annotations, stores all seven types in the collector', async () => {
    const plain = await fakePod({ host: '127.0.0.11' });
    const custom = await fakePod({ host: '127.0.0.12', prefix: '/internal/pprof' });
    const named = await fakePod({ host: '127.0.0.13' });
    api.setPods([
      makePod({
        name: 'api-1',
        namespace: 'shop',
        ip: plain.ip,
        annotations: annotatedFor(plain),
        labels: { 'pod-template-hash': 'abc12' },
        owner: { kind: 'ReplicaSet', name: 'api-abc12' },
      }),
      makePod({
        name: 'worker-0',
        namespace: 'shop',
        ip: custom.ip,
        annotations: annotatedFor(custom, { 'profefe.com/path': '/internal/pprof', 'profefe.com/service': 'jobs' }),
      }),
      makePod({
        name: 'db-0',
        namespace: 'shop',
        ip: named.ip,
        annotations: enabled({ 'profefe.com/port': 'pprof' }),
        ports: [{ name: 'pprof', containerPort: named.port }],
        owner: { kind: 'StatefulSet', name: 'db' },
      }),
    ]);
    const c = await collector();
    const result = await kprofefe(['-n', 'shop', '--profefe-hostport', c.url]);
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ podsSelected: 3, profilesAttempted: 21, profilesStored: 21, profilesFailed: 0, profilesCumulative: 0 });

    const stored = c.profiles();
    expect(stored).toHaveLength(21);
    expect(new Set(stored.map((p) => p.service))).toEqual(new Set(['api', 'jobs', 'db']));
    expect(new Set(stored.map((p) => p.type))).toEqual(new Set(['cpu', 'heap', 'other', 'goroutine', 'block', 'mutex', 'threadcreate']));
    const apiHeap = stored.find((p) => p.service === 'api' && p.type === 'heap');
    expect(apiHeap?.labels).toMatchObject({ namespace: 'shop', pod: 'api-1', workload_kind: 'Deployment', workload: 'api' });
    expect(apiHeap?.labels).not.toHaveProperty('delta');
    // allocs, block and mutex are windows, labelled so.
    const windows = stored.filter((p) => p.service === 'api' && ['other', 'block', 'mutex'].includes(p.type));
    expect(windows.map((p) => p.labels.delta)).toEqual(['true', 'true', 'true']);
    // The custom path was used; the window profiles asked for the configured seconds, the snapshots for none.
    expect(custom.requests.map((r) => r.path)).toContain('/internal/pprof/heap');
    const queries = Object.fromEntries(plain.requests.map((r) => [r.path.replace('/debug/pprof/', ''), r.query]));
    expect(queries).toEqual({
      profile: { seconds: '1' },
      allocs: { seconds: '1' },
      block: { seconds: '1' },
      mutex: { seconds: '1' },
      heap: {},
      goroutine: {},
      threadcreate: {},
    });
    // Server-side filtering: the list asked for Running pods only.
    const list = api.requests.find((r) => r.path === '/api/v1/namespaces/shop/pods');
    expect(list?.query.fieldSelector).toBe('status.phase=Running');
  });

  it('writes to --output-dir without a collector, in DIR/<namespace>/<service>/<type>/<pod>-<time>.pb.gz', async () => {
    const pod = await fakePod({ host: '127.0.0.14' });
    api.setPods([makePod({ name: 'web-1', namespace: 'front', ip: pod.ip, annotations: annotatedFor(pod, { 'profefe.com/service': 'web' }) })]);
    const out = await tempDir('kprofefe-out-');
    const result = await kprofefe(['-n', 'front', '--output-dir', out, '--profile-types', 'heap,allocs']);
    expect(result.code, result.stderr).toBe(0);
    const heapFiles = await readdir(join(out, 'front', 'web', 'heap'));
    expect(heapFiles).toHaveLength(1);
    expect(heapFiles[0]).toMatch(/^web-1-\d{8}T\d{6}\.\d{3}Z\.pb\.gz$/);
    expect(await readFile(join(out, 'front', 'web', 'heap', heapFiles[0] as string))).toEqual(fixture('heap'));
    expect(await readdir(join(out, 'front', 'web', 'allocs'))).toHaveLength(1);
    // No temporary files left behind.
    expect((await readdir(join(out, 'front', 'web', 'heap'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('sends --profefe-header to the collector and never logs its value', async () => {
    const pod = await fakePod({ host: '127.0.0.15' });
    api.setPods([makePod({ name: 'a', namespace: 'default', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    const secret = 'Bearer s3cr3t-token-value';
    const result = await kprofefe([
      '--profefe-hostport',
      c.url,
      '--profefe-header',
      `Authorization: ${secret}`,
      '--profile-types',
      'heap',
      '--log-level',
      'trace',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(c.uploads[0]?.headers.authorization).toBe(secret);
    expect(result.stderr).not.toContain('s3cr3t');
  });
});

describe('kprofefe: pods that are not targets', () => {
  it('ignores pods not Running, without an IP, without or with a false enable annotation, and never contacts them', async () => {
    const pod = await fakePod({ host: '127.0.0.16' });
    api.setPods([
      makePod({ name: 'pending', ip: pod.ip, phase: 'Pending', annotations: annotatedFor(pod) }),
      makePod({ name: 'no-ip', ip: null, annotations: annotatedFor(pod) }),
      makePod({ name: 'plain', ip: pod.ip, annotations: { 'profefe.com/port': String(pod.port) } }),
      makePod({ name: 'off', ip: pod.ip, annotations: { 'profefe.com/enable': 'false', 'profefe.com/port': String(pod.port) } }),
    ]);
    const out = await tempDir('kprofefe-out-');
    const result = await kprofefe(['--output-dir', out]);
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary.podsSelected).toBe(0);
    expect(summary.profilesAttempted).toBe(0);
    expect(pod.requests).toHaveLength(0);
  });

  it('skips a pod with invalid annotations, names pod, annotation and value, scrapes the others, exits 1', async () => {
    const pod = await fakePod({ host: '127.0.0.17' });
    api.setPods([
      makePod({ name: 'bad-port', ip: pod.ip, annotations: enabled({ 'profefe.com/port': 'abc' }) }),
      makePod({ name: 'bad-path', ip: pod.ip, annotations: annotatedFor(pod, { 'profefe.com/path': 'http://169.254.169.254/latest' }) }),
      makePod({ name: 'good', ip: pod.ip, annotations: annotatedFor(pod) }),
    ]);
    const out = await tempDir('kprofefe-out-');
    const result = await kprofefe(['--output-dir', out, '--profile-types', 'heap,goroutine']);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ podsSelected: 1, podsSkipped: 2, profilesStored: 2, profilesFailed: 0 });
    const errors = result.logs.filter((l) => l.level === 50).map((l) => String(l.msg));
    expect(errors.some((m) => m.includes('default/bad-port') && m.includes('profefe.com/port="abc"'))).toBe(true);
    expect(errors.some((m) => m.includes('default/bad-path') && m.includes('profefe.com/path="http://169.254.169.254/latest"'))).toBe(true);
    expect(pod.requests.every((r) => !r.path.includes('latest'))).toBe(true);
  });
});

describe('kprofefe: target faults fail one profile each, the rest are stored', () => {
  it('404, 500, HTML, debug=1 text, empty body, truncated gzip, over the cap, never answers', async () => {
    const broken = await fakePod({
      host: '127.0.0.18',
      faults: { heap: 'status404', goroutine: 'status500', block: 'html', mutex: 'text', threadcreate: 'empty' },
    });
    const worse = await fakePod({ host: '127.0.0.19', faults: { heap: 'truncated', goroutine: 'huge', block: 'hang' } });
    api.setPods([
      makePod({ name: 'broken', ip: broken.ip, annotations: annotatedFor(broken) }),
      makePod({ name: 'worse', ip: worse.ip, annotations: annotatedFor(worse) }),
    ]);
    const c = await collector();
    const result = await kprofefe(['--profefe-hostport', c.url, '--max-profile-size', '1MiB']);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    expect(summary.profilesAttempted).toBe(14);
    expect(summary.profilesFailed).toBe(8);
    expect(summary.profilesStored).toBe(6);
    expect(summary.failedByReason).toEqual({
      TARGET_HTTP_STATUS: 2,
      TARGET_TEXT: 2,
      TARGET_EMPTY: 1,
      TARGET_INVALID_PPROF: 1,
      TARGET_TOO_LARGE: 1,
      TARGET_TIMEOUT: 1,
    });
    // Stored: both CPU and allocs profiles (allocs is type other), worse's mutex and threadcreate.
    expect(
      c
        .profiles()
        .map((p) => `${p.type}`)
        .sort(),
    ).toEqual(['cpu', 'cpu', 'mutex', 'other', 'other', 'threadcreate']);
    const warnings = result.logs.filter((l) => l.level === 40);
    const text = warnings.find((l) => l.pod === 'broken' && l.type === 'mutex');
    expect(String(text?.msg)).toContain('the target returned text, not a pprof profile');
  });
});

describe('kprofefe: a target that refuses ?seconds (bad input)', () => {
  it('answers 400 to ?seconds: retried without it, stored as cumulative with delta=false, counted in the summary', async () => {
    // A Go server whose WriteTimeout is not above the window refuses it (net/http/pprof's 400).
    const pod = await fakePod({ host: '127.0.0.25', writeTimeoutSeconds: 1 });
    api.setPods([makePod({ name: 'strict', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    const result = await kprofefe(['--profefe-hostport', c.url, '--profile-types', 'allocs,block,mutex,heap']);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ profilesAttempted: 4, profilesStored: 4, profilesFailed: 0, profilesCumulative: 3 });
    for (const endpoint of ['allocs', 'block', 'mutex']) {
      expect(pod.requests.filter((r) => r.path === `/debug/pprof/${endpoint}`).map((r) => r.query)).toEqual([{ seconds: '1' }, {}]);
    }
    const labels = Object.fromEntries(c.profiles().map((p) => [p.type, p.labels.delta]));
    expect(labels).toEqual({ other: 'false', block: 'false', mutex: 'false', heap: undefined });
    const said = result.logs.filter((l) => String(l.msg).includes('is cumulative, not a window'));
    expect(said.map((l) => l.type).sort()).toEqual(['allocs', 'block', 'mutex']);
    expect(String(said[0]?.msg)).toContain('profile duration exceeds server');
  });
});

describe('kprofefe: an empty window is neither stored nor failed', () => {
  it('a quiet pod whose allocs window has no samples: exit 0, profilesEmpty 1, nothing sent for it, a log line naming the pod and why', async () => {
    const pod = await fakePod({ host: '127.0.0.26', profiles: { allocs: withoutSamples(fixture('allocs')) } });
    api.setPods([makePod({ name: 'quiet', namespace: 'shop', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    const result = await kprofefe(['-n', 'shop', '--profefe-hostport', c.url, '--profile-types', 'allocs,heap']);
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ profilesAttempted: 2, profilesStored: 1, profilesFailed: 0, profilesEmpty: 1, failedByReason: {} });
    expect(summary.sinks).toEqual([{ sink: `profefe ${c.url}`, stored: 1, failed: 0, failedByReason: {} }]);
    expect(c.profiles().map((p) => p.type)).toEqual(['heap']);
    const said = result.logs.filter((l) => l.type === 'allocs' && String(l.msg).includes('empty window'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 30, namespace: 'shop', pod: 'quiet', type: 'allocs', seconds: 1 });
    expect(said[0]?.msg).toBe(
      'allocs profile of pod shop/quiet: empty window, not stored ' +
        '(in the 1 s window: Go counts allocations only up to the last completed garbage collection, and none completed in it)',
    );
    expect(String(result.logs.at(-1)?.msg)).toMatch(/^run finished: 1 profiles stored from 1 pods in profefe .*, 1 empty window$/);
  });

  it('a heap snapshot without samples is still a failure (TARGET_EMPTY), exit 1', async () => {
    const pod = await fakePod({ host: '127.0.0.27', profiles: { allocs: withoutSamples(fixture('allocs')), heap: withoutSamples(fixture('heap')) } });
    api.setPods([makePod({ name: 'quiet', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    const result = await kprofefe(['--profefe-hostport', c.url, '--profile-types', 'allocs,heap']);
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 0, profilesFailed: 1, profilesEmpty: 1, failedByReason: { TARGET_EMPTY: 1 } });
    expect(c.profiles()).toEqual([]);
    const failed = result.logs.filter((l) => l.level === 40 && l.type === 'heap');
    expect(String(failed[0]?.msg)).toMatch(/^profile has no samples \(heap profile of pod default\/quiet/);
    expect(String(result.logs.at(-1)?.msg)).toMatch(/; 1 of 2 profiles failed, 0 pods skipped, 1 empty window$/);
  });
});

describe('kprofefe: collector faults', () => {
  it('collector 400: the failure carries the collector error text', async () => {
    const pod = await fakePod({ host: '127.0.0.20' });
    api.setPods([makePod({ name: 'a', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    c.failNext(1, 400, 'bad request: unknown profile type');
    const result = await kprofefe(['--profefe-hostport', c.url, '--profile-types', 'heap']);
    expect(result.code).toBe(1);
    expect(summaryOf(result).failedByReason).toEqual({ SINK_REJECTED: 1 });
    expect(result.stderr).toContain('bad request: unknown profile type');
  });

  it('collector 503 twice, then OK: stored after retry', async () => {
    const pod = await fakePod({ host: '127.0.0.21' });
    api.setPods([makePod({ name: 'a', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    c.failNext(2, 503);
    const result = await kprofefe(['--profefe-hostport', c.url, '--profile-types', 'heap']);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 1, profilesFailed: 0 });
    expect(c.profiles()).toHaveLength(1);
  });

  it('collector unreachable for the whole run: every profile failed, none stored, exit 1', async () => {
    const pod = await fakePod({ host: '127.0.0.22' });
    api.setPods([makePod({ name: 'a', ip: pod.ip, annotations: annotatedFor(pod) })]);
    const c = await collector();
    const url = c.url;
    await c.close();
    collectors.pop();
    const result = await kprofefe(['--profefe-hostport', url]);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    expect(summary.profilesStored).toBe(0);
    expect(summary.profilesFailed).toBe(7);
    expect(summary.failedByReason).toEqual({ SINK_UNAVAILABLE: 7 });
  });
});

describe('kprofefe: configuration and API errors exit 2', () => {
  it('no kubeconfig and not in a cluster: says so instead of trying localhost:8080', async () => {
    const empty = await tempDir();
    const result = await runCli('kprofefe.js', ['--dry-run'], { env: cleanEnv(empty) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/kubeconfig/i);
    expect(result.stderr).not.toContain('localhost:8080');
  });

  it('401: credentials rejected', async () => {
    const other = await startFakeKubeApi({ token: 'right' });
    const dir = await tempDir();
    const path = await other.writeKubeconfig(dir);
    const text = (await readFile(path, 'utf8')).replace('right', 'wrong');
    await import('node:fs/promises').then((fs) => fs.writeFile(path, text));
    const result = await runCli('kprofefe.js', ['--kubeconfig', path, '--output-dir', dir], { env: cleanEnv(dir) });
    await other.close();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/401|credentials|Unauthorized/i);
    expect(result.stderr).not.toContain('wrong');
  });

  it('403: names the verb, the resource and the namespace to grant', async () => {
    api.setForbiddenNamespaces(['secret-ns']);
    const result = await kprofefe(['-n', 'secret-ns', '--output-dir', home]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('list');
    expect(result.stderr).toContain('pods');
    expect(result.stderr).toContain('secret-ns');
  });

  it.each([
    [['--concurrency', 'ten'], '--concurrency'],
    [['--cpu-duration', '1500ms'], '--cpu-duration'],
    [['--profile-types', 'cpu,allocz'], 'allocz'],
    [['-A', '-n', 'x'], '--all-namespaces'],
    [['--profefe-hostport', 'ftp://x'], '--profefe-hostport'],
    [['--profefe-header', 'no colon here'], '--profefe-header'],
  ])('usage error %j names %s', async (args, flag) => {
    const result = await kprofefe(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
  });
});

describe('kprofefe: named pods and dry run', () => {
  it('a named pod needs no annotation; a missing named pod is reported and the exit status is 1', async () => {
    const pod = await fakePod({ host: '127.0.0.23' });
    api.setPods([makePod({ name: 'manual', namespace: 'ops', ip: pod.ip, annotations: { 'profefe.com/port': String(pod.port) } })]);
    const out = await tempDir('kprofefe-out-');
    const result = await kprofefe(['-n', 'ops', 'manual', 'ghost', '--output-dir', out, '--profile-types', 'goroutine']);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ podsSelected: 1, podsMissing: 1, profilesStored: 1 });
    expect(result.stderr).toContain('ghost');
  });

  it('--dry-run of 1,000 pods prints all 7,001 lines through a pipe', async () => {
    api.setPods(Array.from({ length: 1000 }, (_, i) => makePod({ name: `web-${i}`, namespace: 'big', ip: '127.0.0.1', annotations: enabled() })));
    const result = await kprofefe(['-n', 'big', '--dry-run', '--log-level', 'warn']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(7001);
  });

  it('--dry-run lists every target and contacts no pod', async () => {
    const pod = await fakePod({ host: '127.0.0.24' });
    api.setPods([makePod({ name: 'api-1', namespace: 'shop', ip: pod.ip, annotations: annotatedFor(pod, { 'profefe.com/service': 'api' }) })]);
    const result = await kprofefe(['-A', '--dry-run', '--profile-types', 'cpu,heap']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+POD\s+TYPE\s+SERVICE\s+URL\s+LABELS$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`http://${pod.ip}:${pod.port}/debug/pprof/profile?seconds=1`);
    expect(lines[2]).toContain('heap');
    expect(pod.requests).toHaveLength(0);
  });
});

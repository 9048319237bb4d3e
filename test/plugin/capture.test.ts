/**
 * `kubectl profefe capture` through the real kubectl: pods reached only through the API server's
 * port-forward, profiles written like kprofefe's DirectorySink or pushed to the collector, and
 * every profile checked to open in `go tool pprof`.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { tempDir } from '../cli/run-cli.js';
import { filesUnder, startPluginCluster, type PluginCluster } from './capture-cluster.js';

const DEFAULT_TYPES = ['allocs', 'block', 'cpu', 'goroutine', 'heap', 'mutex', 'threadcreate'];
/** The same as the collector stores them: allocs is type other. */
const DEFAULT_COLLECTOR_TYPES = ['block', 'cpu', 'goroutine', 'heap', 'mutex', 'other', 'threadcreate'];

let cluster: PluginCluster;
const pods: FakePod[] = [];
const collectors: TestCollector[] = [];

async function fakePod(opts: Parameters<typeof startFakePod>[0]): Promise<FakePod> {
  const pod = await startFakePod(opts);
  pods.push(pod);
  return pod;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

beforeAll(async () => {
  cluster = await startPluginCluster();
});
afterEach(async () => {
  cluster.api.setPods([]);
  cluster.forbidden.clear();
  await Promise.all(pods.splice(0).map((p) => p.close()));
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await cluster.close();
});

describe('kubectl profefe capture: files', () => {
  it('captures a named pod without the enable annotation (--port), through port-forward only, into --output-dir', async () => {
    const pod = await fakePod({ host: '127.0.0.41' });
    cluster.api.setPods([
      makePod({
        name: 'checkout-7d9f8c-x2x4z',
        namespace: 'shop',
        ip: pod.ip,
        labels: { 'pod-template-hash': '7d9f8c' },
        owner: { kind: 'ReplicaSet', name: 'checkout-7d9f8c' },
      }),
    ]);
    const out = await tempDir('capture-out-');
    const forwardsBefore = cluster.portForward.requests().length;
    const result = await cluster.capture(['-n', 'shop', 'checkout-7d9f8c-x2x4z', '--port', String(pod.port), '--cpu-duration', '1s', '--output-dir', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    // stdout: one saved path per profile, kprofefe's layout: DIR/<namespace>/<service>/<type>/<pod>-<time>.pb.gz
    const saved = lines(result.stdout);
    expect(saved).toHaveLength(7);
    const layout = saved.map((p) => relative(out, p).replace(/-\d{8}T\d{6}\.\d{3}Z\.pb\.gz$/, ''));
    expect(layout.sort()).toEqual(DEFAULT_TYPES.map((t) => `shop/checkout/${t}/checkout-7d9f8c-x2x4z`));
    expect(await filesUnder(out)).toEqual(saved.map((p) => relative(out, p)).sort());
    for (const path of saved) {
      const type = relative(out, path).split('/')[2] as 'cpu';
      expect(await readFile(path)).toEqual(fixture(type));
    }
    // Real Go tooling reads what was saved.
    const top = await goToolPprof(['-top', saved.find((p) => p.includes('/cpu/'))!]);
    expect(top).toMatch(/flat%/);

    // The pod saw the window profiles asked for --cpu-duration, the snapshots for none, and every request came through the forward.
    const queries = Object.fromEntries(pod.requests.map((r) => [r.path.replace('/debug/pprof/', ''), r.query.seconds]));
    expect(queries).toEqual({ profile: '1', allocs: '1', block: '1', mutex: '1', heap: undefined, goroutine: undefined, threadcreate: undefined });
    const upgrades = cluster.portForward.requests().slice(forwardsBefore);
    expect(upgrades.length).toBeGreaterThan(0);
    expect(upgrades.every((u) => u.path === '/api/v1/namespaces/shop/pods/checkout-7d9f8c-x2x4z/portforward' && typeof u.transport === 'string')).toBe(true);
    expect(cluster.portForward.openSessions()).toBe(0);
  });

  it('uses the annotations for port and path, defaults --output-dir to the current directory, and honours --profile-types', async () => {
    const pod = await fakePod({ host: '127.0.0.42', prefix: '/internal/pprof' });
    cluster.api.setPods([
      makePod({
        name: 'worker-0',
        namespace: 'jobs',
        ip: pod.ip,
        annotations: enabled({ 'profefe.com/port': String(pod.port), 'profefe.com/path': '/internal/pprof', 'profefe.com/service': 'queue' }),
      }),
    ]);
    const cwd = await tempDir('capture-cwd-');
    const result = await cluster.capture(['-n', 'jobs', 'worker-0', '--profile-types', 'heap,allocs', '--cpu-duration', '1s'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      lines(result.stdout)
        .map((p) => relative(cwd, p).split('/').slice(0, 3).join('/'))
        .sort(),
    ).toEqual(['jobs/queue/allocs', 'jobs/queue/heap']);
    expect(pod.requests.map((r) => r.path).sort()).toEqual(['/internal/pprof/allocs', '/internal/pprof/heap']);
  });

  it('selects annotated Running pods with -l, and --concurrency 1 captures one pod at a time', async () => {
    const a = await fakePod({ host: '127.0.0.43' });
    const b = await fakePod({ host: '127.0.0.44' });
    const plain = await fakePod({ host: '127.0.0.45' });
    cluster.api.setPods([
      makePod({ name: 'api-a', namespace: 'shop', ip: a.ip, labels: { app: 'api' }, annotations: enabled({ 'profefe.com/port': String(a.port) }) }),
      makePod({ name: 'api-b', namespace: 'shop', ip: b.ip, labels: { app: 'api' }, annotations: enabled({ 'profefe.com/port': String(b.port) }) }),
      makePod({ name: 'api-plain', namespace: 'shop', ip: plain.ip, labels: { app: 'api' } }),
      makePod({ name: 'web-0', namespace: 'shop', ip: plain.ip, labels: { app: 'web' }, annotations: enabled({ 'profefe.com/port': String(plain.port) }) }),
    ]);
    const out = await tempDir('capture-out-');
    const result = await cluster.capture([
      '-n',
      'shop',
      '-l',
      'app=api',
      '--profile-types',
      'cpu',
      '--cpu-duration',
      '1s',
      '--concurrency',
      '1',
      '--output-dir',
      out,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      lines(result.stdout)
        .map((p) => relative(out, p).split('/')[1])
        .sort(),
    ).toEqual(['api-a', 'api-b']);
    expect(plain.requests).toHaveLength(0);
    // One pod at a time: the second CPU profile started after the first one's second had passed.
    const starts = [a, b].map((p) => p.requests[0]!.at.getTime()).sort((x, y) => x - y);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('shows progress per pod and type on a terminal (stderr a tty), the saved paths still on stdout', async () => {
    const pod = await fakePod({ host: '127.0.0.46' });
    cluster.api.setPods([makePod({ name: 'api-0', namespace: 'shop', ip: pod.ip })]);
    const out = await tempDir('capture-out-');
    const command = [
      'kubectl',
      'profefe',
      'capture',
      '--kubeconfig',
      cluster.kubeconfig,
      '-n',
      'shop',
      'api-0',
      '--port',
      String(pod.port),
      '--profile-types',
      'cpu,heap',
      '--cpu-duration',
      '1s',
      '--output-dir',
      out,
    ].join(' ');
    // `script` runs the command on a pseudo-terminal, as a person's shell does.
    const result = await runOnTerminal(command);
    expect(result.code).toBe(0);
    expect(result.output).toContain('shop/api-0: capturing cpu, heap');
    expect(result.output).toMatch(/shop\/api-0: port-forward 127\.0\.0\.1:\d+ -> pod port \d+/);
    expect(result.output).toContain('shop/api-0 cpu: profiling for 1s');
    expect(result.output).toMatch(/shop\/api-0 heap: stored \(1\.\d KiB\)/);
    expect(result.output).toMatch(/captured 2 profiles from 1 pod in \d+\.\ds/);
    expect(result.output).toContain(join(out, 'shop/api-0/heap/api-0-'));
  });
});

describe('kubectl profefe capture: large profiles', () => {
  it('a 3.8 MB heap profile arrives byte for byte through the forward and opens in go tool pprof', async () => {
    const pod = await fakePod({ host: '127.0.0.49', profiles: { heap: fixture('heap-large') } });
    cluster.api.setPods([makePod({ name: 'big-0', namespace: 'shop', ip: pod.ip })]);
    const out = await tempDir('capture-out-');
    const result = await cluster.capture(['-n', 'shop', 'big-0', '--port', String(pod.port), '--profile-types', 'heap', '--output-dir', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [path] = lines(result.stdout);
    // Buffer.equals: a deep toEqual over 3.8 MB takes tens of seconds.
    const saved = await readFile(path!);
    expect(saved.length).toBe(fixture('heap-large').length);
    expect(saved.equals(fixture('heap-large'))).toBe(true);
    expect(await goToolPprof(['-top', path!])).toMatch(/flat%/);
  });
});

describe('kubectl profefe capture: collector', () => {
  it('pushes to --profefe-hostport with the scraper labels and prints the collector URL of each stored profile', async () => {
    const pod = await fakePod({ host: '127.0.0.47' });
    cluster.api.setPods([makePod({ name: 'db-0', namespace: 'data', ip: pod.ip, node: 'node-7', owner: { kind: 'StatefulSet', name: 'db' } })]);
    const collector = await startTestCollector();
    collectors.push(collector);
    const result = await cluster.capture(['-n', 'data', 'db-0', '--port', String(pod.port), '--cpu-duration', '1s', '--profefe-hostport', collector.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const stored = collector.profiles();
    expect(stored.map((p) => p.type).sort()).toEqual(DEFAULT_COLLECTOR_TYPES);
    for (const p of stored) {
      expect(p.service).toBe('db');
      expect(p.labels).toMatchObject({ namespace: 'data', pod: 'db-0', node: 'node-7', workload_kind: 'StatefulSet', workload: 'db' });
    }
    const urls = lines(result.stdout);
    expect(urls.sort()).toEqual(stored.map((p) => `${collector.url}/api/0/profiles/${p.id}`).sort());
    // Each URL serves the profile as captured.
    const heap = stored.find((p) => p.type === 'heap')!;
    const answer = await request(`${collector.url}/api/0/profiles/${heap.id}`);
    expect(Buffer.from(await answer.body.arrayBuffer())).toEqual(fixture('heap'));
  });

  it('takes the collector from PROFEFE_HOSTPORT, and an explicit --output-dir wins over it', async () => {
    const pod = await fakePod({ host: '127.0.0.48' });
    cluster.api.setPods([makePod({ name: 'db-1', namespace: 'data', ip: pod.ip })]);
    const collector = await startTestCollector();
    collectors.push(collector);
    const viaEnv = await cluster.capture(['-n', 'data', 'db-1', '--port', String(pod.port), '--profile-types', 'heap'], {
      env: { PROFEFE_HOSTPORT: collector.url },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(lines(viaEnv.stdout)).toEqual([`${collector.url}/api/0/profiles/${collector.profiles()[0]!.id}`]);

    const out = await tempDir('capture-out-');
    const toDir = await cluster.capture(['-n', 'data', 'db-1', '--port', String(pod.port), '--profile-types', 'heap', '--output-dir', out], {
      env: { PROFEFE_HOSTPORT: collector.url },
    });
    expect(toDir.code, toDir.stderr).toBe(0);
    expect(await filesUnder(out)).toHaveLength(1);
    expect(collector.profiles()).toHaveLength(1);
  });
});

/** Runs a shell command on a pseudo-terminal (util-linux `script`); stdout and stderr arrive mixed. */
async function runOnTerminal(command: string): Promise<{ code: number | null; output: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: cluster.env(), cwd: cluster.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: output.replace(/\r/g, '') }));
  });
}

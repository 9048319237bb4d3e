/**
 * `kubectl profefe capture` when things go wrong, through the real kubectl: every error names the
 * pod and the cause, the other pods are still captured, and the exit status says it.
 */
import { relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { makePod } from '../doubles/make-pod.js';
import { withoutSamples } from '../doubles/test-collector/profile-bytes.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { tempDir } from '../cli/run-cli.js';
import { filesUnder, startPluginCluster, waitFor, type PluginCluster } from './capture-cluster.js';

let cluster: PluginCluster;
let good: FakePod;
const collectors: TestCollector[] = [];

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const errorLines = (stderr: string): string[] => lines(stderr).filter((l) => l.startsWith('error: '));

beforeAll(async () => {
  cluster = await startPluginCluster();
  good = await startFakePod({ host: '127.0.0.51' });
});
afterEach(async () => {
  cluster.api.setPods([]);
  cluster.forbidden.clear();
  good.requests.length = 0;
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await good.close();
  await cluster.close();
});

describe('kubectl profefe capture: pods that cannot be captured', () => {
  it('an unknown pod and a pod not Running are errors naming them; the other pod is still captured; exit 1', async () => {
    cluster.api.setPods([
      makePod({ name: 'api-0', namespace: 'shop', ip: good.ip }),
      makePod({ name: 'batch-1', namespace: 'shop', phase: 'Pending', ip: null }),
      makePod({ name: 'done-2', namespace: 'shop', phase: 'Succeeded', ip: '127.0.0.52' }),
    ]);
    const out = await tempDir('capture-out-');
    const forwardsBefore = cluster.portForward.requests().length;
    const result = await cluster.capture([
      '-n',
      'shop',
      'ghost',
      'batch-1',
      'api-0',
      'done-2',
      '--port',
      String(good.port),
      '--cpu-duration',
      '1s',
      '--output-dir',
      out,
    ]);
    expect(result.code).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toContain('error: pod shop/ghost: not found in namespace "shop": check the name (kubectl get pods -n shop)');
    expect(errors).toContain('error: pod shop/batch-1: cannot be captured: phase is Pending, not Running; only a Running pod with an IP can be profiled');
    expect(errors).toContain('error: pod shop/done-2: cannot be captured: phase is Succeeded, not Running; only a Running pod with an IP can be profiled');
    expect(errors.at(-1)).toBe('error: 3 pods could not be captured; 7 stored');
    // api-0 was captured in full.
    expect(lines(result.stdout)).toHaveLength(7);
    expect((await filesUnder(out)).map((f) => f.split('/').slice(0, 2).join('/'))).toEqual(Array(7).fill('shop/api-0'));
    // Nothing was forwarded to the pods that are not Running.
    const forwarded = cluster.portForward.requests().slice(forwardsBefore);
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.every((r) => r.path === '/api/v1/namespaces/shop/pods/api-0/portforward')).toBe(true);
  });

  it('a pod port where nothing listens: that pod\'s profiles fail with "nothing listens on port N in pod P"; the other pod is captured', async () => {
    // A Running pod whose IP has nothing on the port: the kubelet's dial fails inside the pod.
    const closedPort = await freePortOn('127.0.0.53');
    cluster.api.setPods([
      makePod({ name: 'api-0', namespace: 'shop', ip: good.ip, annotations: { 'profefe.com/port': String(good.port) } }),
      makePod({ name: 'silent-0', namespace: 'shop', ip: '127.0.0.53', annotations: { 'profefe.com/port': String(closedPort) } }),
    ]);
    const out = await tempDir('capture-out-');
    const result = await cluster.capture(['-n', 'shop', 'api-0', 'silent-0', '--profile-types', 'cpu,heap', '--cpu-duration', '1s', '--output-dir', out]);
    expect(result.code).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      new RegExp(
        `^error: pod shop/silent-0: (cpu, heap|heap, cpu) profiles failed: nothing listens on port ${closedPort} in pod shop/silent-0 \\(the kubelet said: .*connection refused`,
      ),
    );
    expect(errors[1]).toBe('error: 2 of 4 profiles failed; 2 stored');
    expect((await filesUnder(out)).map((f) => f.split('/')[1])).toEqual(['api-0', 'api-0']);
    expect(
      lines(result.stdout)
        .map((p) => relative(out, p).split('/')[2])
        .sort(),
    ).toEqual(['cpu', 'heap']);
  });

  it('a pod that refuses ?seconds (its WriteTimeout): allocs, block and mutex are saved cumulative, each with a warning; exit 0', async () => {
    const strict = await startFakePod({ host: '127.0.0.54', writeTimeoutSeconds: 1 });
    try {
      cluster.api.setPods([makePod({ name: 'strict-0', namespace: 'shop', ip: strict.ip })]);
      const out = await tempDir('capture-out-');
      const args = ['-n', 'shop', 'strict-0', '--port', String(strict.port), '--profile-types', 'allocs,block,mutex,heap', '--cpu-duration', '1s'];
      const result = await cluster.capture([...args, '--output-dir', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(lines(result.stdout)).toHaveLength(4);
      const warnings = lines(result.stderr).filter((l) => l.startsWith('warning: '));
      expect(warnings.sort()).toEqual(
        ['allocs', 'block', 'mutex'].map(
          (type) =>
            `warning: pod shop/strict-0: the ${type} profile counts since the process started, not over the 1s window: ` +
            `the target refused ?seconds=1 (HTTP 400 "profile duration exceeds server's WriteTimeout"), so it was asked without it`,
        ),
      );
      expect(strict.requests.filter((r) => r.path === '/debug/pprof/mutex').map((r) => r.query)).toEqual([{ seconds: '1' }, {}]);
    } finally {
      await strict.close();
    }
  });

  it('a quiet pod: its allocs and mutex windows are empty, each said on a line, nothing written for them, exit 0; an empty heap still fails', async () => {
    const quiet = await startFakePod({
      host: '127.0.0.55',
      profiles: { allocs: withoutSamples(fixture('allocs')), mutex: withoutSamples(fixture('mutex')) },
    });
    try {
      cluster.api.setPods([makePod({ name: 'quiet-0', namespace: 'shop', ip: quiet.ip })]);
      const out = await tempDir('capture-out-');
      const args = ['-n', 'shop', 'quiet-0', '--port', String(quiet.port), '--profile-types', 'allocs,mutex,heap', '--cpu-duration', '1s'];
      const result = await cluster.capture([...args, '--output-dir', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(lines(result.stderr).sort()).toEqual([
        'allocs of pod shop/quiet-0: empty window (in the 1 s window: Go counts allocations only up to the last completed garbage collection, and none completed in it), nothing stored',
        'mutex of pod shop/quiet-0: empty window (in the 1 s window: nothing waited on a contended lock, or the program does not profile it), nothing stored',
      ]);
      expect(lines(result.stdout)).toHaveLength(1);
      expect((await filesUnder(out)).map((f) => f.split('/')[2])).toEqual(['heap']);

      quiet.setProfile('heap', withoutSamples(fixture('heap')));
      const emptyHeap = await cluster.capture([...args, '--output-dir', await tempDir('capture-out-')]);
      expect(emptyHeap.code).toBe(1);
      expect(errorLines(emptyHeap.stderr)[0]).toMatch(/^error: pod shop\/quiet-0: heap profile failed: profile has no samples/);
      expect(errorLines(emptyHeap.stderr).at(-1)).toBe('error: 1 of 1 profiles failed; 0 stored');
    } finally {
      await quiet.close();
    }
  });

  it('403 on pods/portforward: the message names the pod and the missing permission; no file is written', async () => {
    cluster.api.setPods([makePod({ name: 'vault-0', namespace: 'secure', ip: good.ip })]);
    cluster.forbidden.set('secure/vault-0', ['get', 'create']);
    const out = await tempDir('capture-out-');
    const result = await cluster.capture(['-n', 'secure', 'vault-0', '--port', String(good.port), '--cpu-duration', '1s', '--output-dir', out]);
    expect(result.code).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain(
      'error: pod secure/vault-0: cpu, heap, allocs, goroutine, block, mutex, threadcreate profiles failed: not allowed to port-forward to pod secure/vault-0',
    );
    expect(errors[0]).toContain('missing permission "get" on "pods/portforward" in namespace "secure"');
    expect(errors[0]).toContain('User "jane@example.com" cannot get resource "pods/portforward"');
    expect(result.stdout).toBe('');
    expect(await filesUnder(out)).toEqual([]);
    expect(good.requests).toHaveLength(0);
  });
});

describe('kubectl profefe capture: the Kubernetes API refuses', () => {
  afterEach(() => cluster.api.setForbiddenNamespaces([]));

  it('listing pods (-l) or getting a named pod is forbidden: exit 2 with the verb, resource and namespace to grant', async () => {
    cluster.api.setPods([makePod({ name: 'api-0', namespace: 'secure', ip: good.ip, labels: { app: 'api' } })]);
    cluster.api.setForbiddenNamespaces(['secure']);
    const listed = await cluster.capture(['-n', 'secure', '-l', 'app=api']);
    expect(listed.code).toBe(2);
    expect(errorLines(listed.stderr)).toEqual([expect.stringContaining('refused to list pods in namespace "secure" (403 Forbidden)')]);
    expect(listed.stderr).toContain('grant "list" on "pods" in namespace "secure"');
    const named = await cluster.capture(['-n', 'secure', 'api-0', '--port', String(good.port)]);
    expect(named.code).toBe(2);
    expect(errorLines(named.stderr)).toEqual([expect.stringContaining('refused to get pods "api-0" in namespace "secure" (403 Forbidden)')]);
    expect(good.requests).toHaveLength(0);
  });
});

describe('kubectl profefe capture: the collector', () => {
  it('unreachable before anything starts: an error naming the collector, no pod profiled, exit 2', async () => {
    cluster.api.setPods([makePod({ name: 'api-0', namespace: 'shop', ip: good.ip })]);
    const port = await freePortOn('127.0.0.1');
    const forwardsBefore = cluster.portForward.requests().length;
    const result = await cluster.capture(['-n', 'shop', 'api-0', '--port', String(good.port), '--profefe-hostport', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^error: the profefe collector at http://127\\.0\\.0\\.1:${port} is unreachable \\(.*\\); no pod was profiled`)),
    ]);
    expect(good.requests).toHaveLength(0);
    expect(cluster.portForward.requests()).toHaveLength(forwardsBefore);
  });

  it('gone while a CPU profile runs: that profile fails with an error naming the pod and the collector, exit 1', async () => {
    cluster.api.setPods([makePod({ name: 'api-0', namespace: 'shop', ip: good.ip })]);
    const collector = await startTestCollector();
    collectors.push(collector);
    const run = cluster.spawnKubectl([
      'profefe',
      'capture',
      '--kubeconfig',
      cluster.kubeconfig,
      '-n',
      'shop',
      'api-0',
      '--port',
      String(good.port),
      '--profile-types',
      'cpu',
      '--cpu-duration',
      '1s',
      '--profefe-hostport',
      collector.url,
    ]);
    await waitFor('the CPU profile request', () => good.requests.some((r) => r.path === '/debug/pprof/profile'));
    collector.setDown(true);
    const result = await run.done;
    expect(result.code).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors[0]).toMatch(/^error: pod shop\/api-0: cpu profile failed: could not store the cpu profile of pod shop\/api-0 after 3 attempts: /);
    expect(errors[0]).toContain(collector.url);
    expect(collector.profiles()).toHaveLength(0);
  });
});

describe('kubectl profefe capture: usage', () => {
  it('flags that contradict each other are usage errors (exit 2) that name the flag', async () => {
    const both = await cluster.capture(['-A', 'api-0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error: pods cannot be named with --all-namespaces: name them with --namespace');
    const port = await cluster.capture(['-n', 'shop', 'api-0', '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('error: --port "70000": a port must be between 1 and 65535');
    const cpu = await cluster.capture(['-n', 'shop', 'api-0', '--cpu-duration', '1500ms']);
    expect(cpu.code).toBe(2);
    expect(cpu.stderr).toContain('--cpu-duration "1500ms"');
  });

  it('no kubeconfig anywhere: exit 2 with what was looked for', async () => {
    const result = await cluster.kubectl(['profefe', 'capture', '-n', 'shop', 'api-0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no Kubernetes configuration found\. Looked for: /);
  });
});

/** A port on `host` that nothing listens on (bound, then released). */
async function freePortOn(host: string): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `kubectl profefe capture --push` and `--collector` with only a kubeconfig: profiles pushed to the
 * collector Service through the API server's service proxy (found by the chart's labels, or
 * named), the API path of each printed; nothing profiled when there is nowhere to push or pushing
 * is not allowed.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { makePod } from '../doubles/make-pod.js';
import { collectorService } from '../doubles/make-service.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { startPluginCluster, type PluginCluster } from './capture-cluster.js';

let cluster: PluginCluster;
let collector: TestCollector;
let pod: FakePod;

const PROXY = '/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy';
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

beforeAll(async () => {
  cluster = await startPluginCluster();
  collector = await startTestCollector();
  pod = await startFakePod({ host: '127.0.0.61' });
});
beforeEach(() => {
  cluster.api.setServices([{ service: collectorService(), backend: collector.url }]);
  cluster.api.setPods([makePod({ name: 'db-0', namespace: 'data', ip: pod.ip, node: 'node-7', owner: { kind: 'StatefulSet', name: 'db' } })]);
  cluster.api.requests.length = 0;
});
afterEach(() => {
  collector.reset();
  pod.requests.length = 0;
  cluster.api.setForbidden([]);
});
afterAll(async () => {
  await pod.close();
  await collector.close();
  await cluster.close();
});

function capture(args: string[]) {
  return cluster.capture(['-n', 'data', 'db-0', '--port', String(pod.port), '--cpu-duration', '1s', ...args]);
}

describe('capture pushing through the API server', () => {
  it("--push finds the collector Service, pushes through the proxy and prints each profile's API path", async () => {
    const result = await capture(['--profile-types', 'cpu,heap', '--push']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const stored = collector.profiles();
    expect(stored.map((p) => p.type).sort()).toEqual(['cpu', 'heap']);
    for (const p of stored) expect(p.labels).toMatchObject({ namespace: 'data', pod: 'db-0', node: 'node-7', workload_kind: 'StatefulSet', workload: 'db' });
    expect(lines(result.stdout).sort()).toEqual(stored.map((p) => `${PROXY}/api/0/profiles/${p.id}`).sort());
    // Looked for in the pods' namespace, then everywhere; checked (version, may create) before any pod was profiled.
    const calls = cluster.api.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls.slice(0, 4)).toEqual([
      'GET /api/v1/namespaces/data/services',
      'GET /api/v1/services',
      `GET ${PROXY}/api/0/version`,
      'POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    ]);
    expect(calls.filter((c) => c === `POST ${PROXY}/api/0/profiles`)).toHaveLength(2);
    expect(collector.uploads.every((u) => u.headers.authorization === undefined)).toBe(true);
    // The printed path is what kubectl get --raw takes.
    const heap = stored.find((p) => p.type === 'heap');
    const raw = await cluster.kubectl(['get', '--raw', `${PROXY}/api/0/profiles/${heap?.id}`, '--kubeconfig', cluster.kubeconfig]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(collector.requests.at(-1)?.url).toBe(`/api/0/profiles/${heap?.id}`);
    expect(heap?.body).toEqual(fixture('heap'));
  });

  it('--collector names the Service: no Service is listed', async () => {
    const result = await capture(['--profile-types', 'goroutine', '--collector', 'kube-profefe/kube-profefe-collector:http']);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([`${PROXY}/api/0/profiles/${collector.profiles()[0]?.id}`]);
    expect(cluster.api.requests.filter((r) => r.path.endsWith('/services'))).toEqual([]);
  });

  it('uploads not allowed ("create" on "services/proxy"): exit 2 before any pod is profiled', async () => {
    cluster.api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    const forwardsBefore = cluster.portForward.requests().length;
    const result = await capture(['--push']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: not allowed to push to the collector Service kube-profefe/kube-profefe-collector:http: the Kubernetes API at ' +
        `${cluster.api.url} (context "fake") does not grant "create" on "services/proxy" in namespace "kube-profefe" ` +
        '(kubectl auth can-i create services --subresource=proxy -n kube-profefe); no pod was profiled. ' +
        'Ask for a Role granting it, give --profefe-hostport URL, or capture to files (without --push and --collector)\n',
    );
    expect(pod.requests).toHaveLength(0);
    expect(cluster.portForward.requests()).toHaveLength(forwardsBefore);
  });

  it('no collector Service, or none ready: exit 2 before any pod is profiled', async () => {
    cluster.api.setServices([]);
    const none = await capture(['--push']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^error: no profefe collector found: no Service labelled app\.kubernetes\.io\/name=kube-profefe,app\.kubernetes\.io\/component=collector in namespace "data" or in any other namespace/,
    );
    cluster.api.setServices([{ service: collectorService() }]);
    const notReady = await capture(['--push']);
    expect(notReady.code).toBe(2);
    expect(notReady.stderr).toContain(
      'error: the profefe collector cannot be reached: the Service kube-profefe/kube-profefe-collector port http cannot be reached: the API server\'s service proxy answered 503: no endpoints available for service "kube-profefe-collector".',
    );
    expect(notReady.stderr).toContain('no pod was profiled');
    expect(pod.requests).toHaveLength(0);
  });

  it('--push with --output-dir: each profile, captured once, pushed and written; both locations printed', async () => {
    const out = await mkdtemp(join(tmpdir(), 'capture-both-'));
    const result = await capture(['--profile-types', 'cpu,heap', '--push', '--output-dir', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(pod.requests).toHaveLength(2);
    const stored = collector.profiles();
    expect(stored.map((p) => p.type).sort()).toEqual(['cpu', 'heap']);
    const files = lines(result.stdout).filter((line) => line.startsWith(out));
    expect(files.map((file) => file.split('/').at(-2)).sort()).toEqual(['cpu', 'heap']);
    expect(await readFile(files.find((file) => file.includes('/heap/')) as string)).toEqual(fixture('heap'));
    expect(
      lines(result.stdout)
        .filter((line) => !line.startsWith(out))
        .sort(),
    ).toEqual(stored.map((p) => `${PROXY}/api/0/profiles/${p.id}`).sort());
  });

  it('--push with --output-dir, the collector not ready: checked first, nothing profiled, no file written, exit 2', async () => {
    cluster.api.setServices([{ service: collectorService() }]);
    const out = await mkdtemp(join(tmpdir(), 'capture-both-'));
    const result = await capture(['--push', '--output-dir', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: the profefe collector cannot be reached');
    expect(pod.requests).toHaveLength(0);
    expect(await readdir(out)).toEqual([]);
  });

  it('flag mistakes: --collector with --profefe-hostport, headers without a URL', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['--collector', 'a/b', '--profefe-hostport', collector.url],
        'error: give --collector (a Service, through the API server) or --profefe-hostport (a URL), not both',
      ],
      [['--push', '--profefe-header', 'X-Token: s3cret'], 'error: --profefe-header and --profefe-header-file need --profefe-hostport (or PROFEFE_HOSTPORT)'],
      [['--collector', 'Kube/Collector'], 'error: --collector "Kube/Collector": expected NAMESPACE/SERVICE[:PORT]'],
    ];
    for (const [args, message] of cases) {
      const result = await capture(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('s3cret');
    }
    expect(cluster.api.requests).toHaveLength(0);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER_SCOPE_ONLY, startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { fixture, fixturePath } from './fixtures.js';
import { kubectlPath } from './kubectl.js';
import { collectorService, makeService } from './make-service.js';
import { startTestCollector, type TestCollector } from './test-collector.js';

// Fidelity: the real kubectl against the fake API's Services and service proxy, with the test
// collector as the proxy's backend (HTTPS: kubectl sends tokens only over TLS). Access reviews are
// not checked with `kubectl auth can-i`: kubectl sends them as protobuf, which the fake does not read.
let dir: string;
let kubeconfig: string;
let api: FakeKubeApi;
let collector: TestCollector;

const PROXY = '/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fake-kube-services-kubectl-'));
  collector = await startTestCollector();
  api = await startFakeKubeApi({ tls: true, user: 'jane@example.com' });
  kubeconfig = await api.writeKubeconfig(dir);
});

afterAll(async () => {
  await api.close();
  await collector.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  collector.reset();
  api.requests.length = 0;
  api.setForbidden([]);
  api.setServices([
    { service: collectorService(), backend: collector.url },
    { service: makeService({ name: 'web', namespace: 'shop', labels: { app: 'web' } }) },
  ]);
});

function kubectl(args: string[]): Promise<{ code: number; stdout: string; bytes: Buffer; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  return new Promise((resolve) => {
    execFile(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { env, timeout: 30_000, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout: stdout.toString('utf8'), bytes: stdout, stderr: stderr.toString('utf8') });
    });
  });
}

describe('real kubectl against the fake service proxy', () => {
  it("get --raw through the proxy returns the collector's own body, by port name and by port number", async () => {
    const direct = await (await fetch(`${collector.url}/api/0/version`)).text();
    for (const id of ['kube-profefe-collector:http', 'kube-profefe-collector:10100']) {
      const { code, stdout, stderr } = await kubectl(['get', '--raw', `/api/v1/namespaces/kube-profefe/services/${id}/proxy/api/0/version`]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe(direct);
    }
    // The collector saw the path below /proxy, and never the user's credentials.
    expect(collector.requests.map((r) => r.url)).toEqual(['/api/0/version', '/api/0/version', '/api/0/version']);
    expect(collector.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('create --raw uploads through the proxy (POST, query string kept), get --raw downloads the bytes', async () => {
    const upload = await kubectl(['create', '--raw', `${PROXY}/api/0/profiles?service=api&type=heap&labels=pod%3Dapi-1`, '-f', fixturePath('heap')]);
    expect(upload.stderr).toBe('');
    expect(upload.code).toBe(0);
    const item = (JSON.parse(upload.stdout) as { body: { id: string; labels: unknown } }).body;
    expect(item.labels).toEqual([{ key: 'pod', value: 'api-1' }]);
    const download = await kubectl(['get', '--raw', `${PROXY}/api/0/profiles/${item.id}`]);
    expect(download.code).toBe(0);
    expect(download.bytes).toEqual(fixture('heap'));
  });

  it('get services -A -l app.kubernetes.io/component=collector lists the collector Service', async () => {
    const { code, stdout, stderr } = await kubectl(['get', 'services', '-A', '-l', 'app.kubernetes.io/component=collector', '-o', 'name']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('service/kube-profefe-collector\n');
    const ports = await kubectl([
      'get',
      'service',
      '-n',
      'kube-profefe',
      'kube-profefe-collector',
      '-o',
      'jsonpath={.spec.ports[0].name}:{.spec.ports[0].port}',
    ]);
    expect(ports.stdout).toBe('http:10100');
    const none = await kubectl(['get', 'services', '-n', 'shop', '-l', 'app.kubernetes.io/component=collector']);
    expect(none.stderr.trim()).toBe('No resources found in shop namespace.');
  });

  it('prints the Forbidden messages of services and services/proxy', async () => {
    api.setForbidden([
      { verb: 'list', resource: 'services', namespace: CLUSTER_SCOPE_ONLY },
      { verb: 'get', resource: 'services/proxy', namespace: 'kube-profefe' },
    ]);
    const list = await kubectl(['get', 'services', '-A']);
    expect(list.code).toBe(1);
    expect(list.stderr.trim()).toBe(
      'Error from server (Forbidden): services is forbidden: User "jane@example.com" cannot list resource "services" in API group "" at the cluster scope',
    );
    expect((await kubectl(['get', 'services', '-n', 'kube-profefe', '-o', 'name'])).stdout).toBe('service/kube-profefe-collector\n');
    const proxy = await kubectl(['get', '--raw', `${PROXY}/api/0/version`]);
    expect(proxy.code).toBe(1);
    expect(proxy.stderr.trim()).toBe(
      'Error from server (Forbidden): services "kube-profefe-collector:http" is forbidden: User "jane@example.com" cannot get resource "services/proxy" in API group "" in the namespace "kube-profefe"',
    );
    expect(collector.requests).toHaveLength(0);
  });

  it('prints ServiceUnavailable without endpoints and when the backend refuses, NotFound for a missing Service', async () => {
    api.setServiceBackend('kube-profefe', 'kube-profefe-collector', undefined);
    const noEndpoints = await kubectl(['get', '--raw', `${PROXY}/api/0/version`]);
    expect(noEndpoints.code).toBe(1);
    expect(noEndpoints.stderr.trim()).toBe('Error from server (ServiceUnavailable): no endpoints available for service "kube-profefe-collector"');

    const down = await startTestCollector();
    await down.close();
    api.setServiceBackend('kube-profefe', 'kube-profefe-collector', down.url);
    const refused = await kubectl(['get', '--raw', `${PROXY}/api/0/version`]);
    expect(refused.stderr.trim()).toBe(
      `Error from server (ServiceUnavailable): error trying to reach service: dial tcp ${new URL(down.url).host}: connect: connection refused`,
    );

    const missing = await kubectl(['get', '--raw', '/api/v1/namespaces/kube-profefe/services/nope:10100/proxy/api/0/version']);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): services "nope" not found');
  });
});

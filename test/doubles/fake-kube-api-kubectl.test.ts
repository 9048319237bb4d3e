import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { listPods } from '../../src/kube/list-pods.js';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { kubectlPath } from './kubectl.js';
import { makePod } from './make-pod.js';

// Fidelity: the real kubectl (a client-go program) against the fake API. kubectl sends bearer
// tokens only over TLS, so the fake serves HTTPS here.
let dir: string;
let kubeconfig: string;
let api: FakeKubeApi;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fake-kube-kubectl-'));
  api = await startFakeKubeApi({
    tls: true,
    pods: [
      ...[0, 1, 2, 3, 4].map((i) => makePod({ name: `web-${i}`, namespace: 'shop', labels: { app: 'web', tier: 'front' } })),
      ...[0, 1, 2].map((i) => makePod({ name: `api-${i}`, namespace: 'shop', labels: { app: 'api', tier: 'back' } })),
      makePod({ name: 'db-0', namespace: 'default', labels: { app: 'db', tier: 'back' } }),
      makePod({ name: 'job-0', namespace: 'default', labels: { app: 'web' }, phase: 'Succeeded' }),
      makePod({ name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, phase: 'Pending' }),
    ],
  });
  kubeconfig = await api.writeKubeconfig(dir);
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  api.setForbiddenNamespaces([]);
});

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A HOME of its own: kubectl caches discovery under ~/.kube/cache.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  return new Promise((resolve) => {
    execFile(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function podLists(namespace?: string) {
  const p = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${namespace}/pods`;
  return api.requests.filter((r) => r.path === p);
}

describe('real kubectl against the fake API', () => {
  it('get pods -A -l app=web --chunk-size=2: every match, in pages', async () => {
    const { code, stdout, stderr } = await kubectl(['get', 'pods', '-A', '-l', 'app=web', '--chunk-size=2', '-o', 'name']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['pod/job-0', 'pod/web-0', 'pod/web-1', 'pod/web-2', 'pod/web-3', 'pod/web-4']);
    const lists = podLists();
    expect(lists).toHaveLength(3);
    expect(lists.map((r) => [r.status, r.query.labelSelector, r.query.limit, r.query.continue !== undefined])).toEqual([
      [200, 'app=web', '2', false],
      [200, 'app=web', '2', true],
      [200, 'app=web', '2', true],
    ]);
    // kubectl authenticated with the token on every request (401 otherwise).
    expect(api.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('get pods -n shop with a set-based selector', async () => {
    const { code, stdout } = await kubectl(['-n', 'shop', 'get', 'pods', '-l', 'app in (web,api),tier!=back', '--chunk-size=2', '-o', 'name']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['pod/web-0', 'pod/web-1', 'pod/web-2', 'pod/web-3', 'pod/web-4']);
    expect(podLists('shop').map((r) => r.query.continue !== undefined)).toEqual([false, true, true]);
  });

  it('lists the same running pods as listPods', async () => {
    const { code, stdout } = await kubectl(['get', 'pods', '-A', '--field-selector=status.phase=Running', '--chunk-size=3', '-o', 'name']);
    expect(code).toBe(0);
    const ours: string[] = [];
    const kube = await loadKubeAccess({ kubeconfig, env: {} });
    for await (const item of listPods(kube, { allNamespaces: true }, { pageSize: 3 })) {
      if (item.kind === 'pod') ours.push(`pod/${item.pod.metadata?.name}`);
    }
    await kube.close();
    expect(stdout.trim().split('\n')).toEqual(ours);
    expect(ours).toHaveLength(9);
  });

  it('prints the API server table fallback for plain `get pods`', async () => {
    const { code, stdout } = await kubectl(['get', 'pods', '-n', 'default']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+AGE$/);
    expect(stdout).toMatch(/^db-0\s+\S+$/m);
    expect(stdout).toMatch(/^job-0\s+\S+$/m);
  });

  it('prints the forbidden message for a namespace the user may not read', async () => {
    api.setForbiddenNamespaces(['secret']);
    const { code, stderr } = await kubectl(['-n', 'secret', 'get', 'pods']);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "${api.user}" cannot list resource "pods" in API group "" in the namespace "secret"`,
    );
  });

  it('prints NotFound for a missing pod and a missing namespace', async () => {
    const pod = await kubectl(['-n', 'shop', 'get', 'pod', 'nope']);
    expect(pod.code).toBe(1);
    expect(pod.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    const ns = await kubectl(['-n', 'nowhere', 'get', 'pod', 'nope']);
    expect(ns.stderr.trim()).toBe('Error from server (NotFound): namespaces "nowhere" not found');
  });

  it('is told to log in when the token is wrong', async () => {
    const { code, stderr } = await kubectl(['--token', 'wrong', 'get', 'pods']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});

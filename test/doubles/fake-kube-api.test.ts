import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { makePod } from './make-pod.js';

// The fake Kubernetes API's protocol: pagination, Status errors, auth, discovery, mutators.
let api: FakeKubeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** `token` null sends no Authorization header. */
async function get(fake: FakeKubeApi, path: string, token: string | null = fake.token) {
  const res = await fetch(`${fake.url}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, any> };
}

function podsIn(namespace: string, count: number) {
  return Array.from({ length: count }, (_, i) => makePod({ name: `pod-${String(i).padStart(4, '0')}`, namespace }));
}

describe('pagination', () => {
  it('pages with opaque continue tokens and remainingItemCount, in key order, each pod once', async () => {
    api = await startFakeKubeApi({ pods: [...podsIn('b', 7), ...podsIn('a', 5)] });
    const seen: string[] = [];
    let token: string | undefined;
    const metas: Array<Record<string, unknown>> = [];
    do {
      const q = new URLSearchParams({ limit: '5', ...(token ? { continue: token } : {}) });
      const { status, body } = await get(api, `/api/v1/pods?${q.toString()}`);
      expect(status).toBe(200);
      expect(body.kind).toBe('PodList');
      expect(body.apiVersion).toBe('v1');
      metas.push(body.metadata);
      for (const p of body.items) {
        // List items carry no kind/apiVersion, like the real server's.
        expect(p.kind).toBeUndefined();
        seen.push(`${p.metadata.namespace}/${p.metadata.name}`);
      }
      token = body.metadata.continue;
    } while (token);
    expect(seen).toEqual([...podsIn('a', 5), ...podsIn('b', 7)].map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`));
    expect(metas.map((m) => m.remainingItemCount)).toEqual([7, 2, undefined]);
    expect(new Set(metas.map((m) => m.resourceVersion)).size).toBe(1);
  });

  it('omits remainingItemCount when a selector filters, and pages only within a namespace', async () => {
    api = await startFakeKubeApi({ pods: [...podsIn('a', 3), ...podsIn('b', 4), ...podsIn('c', 3)] });
    const first = await get(api, '/api/v1/namespaces/b/pods?limit=3&fieldSelector=status.phase%3DRunning');
    expect(first.body.items.map((p: any) => p.metadata.name)).toEqual(['pod-0000', 'pod-0001', 'pod-0002']);
    expect(first.body.metadata.remainingItemCount).toBeUndefined();
    const second = await get(
      api,
      `/api/v1/namespaces/b/pods?limit=3&fieldSelector=status.phase%3DRunning&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(second.body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['b/pod-0003']);
    expect(second.body.metadata.continue).toBeUndefined();
  });

  it('serves continued pages from the first page snapshot, ignoring later writes', async () => {
    api = await startFakeKubeApi({ pods: podsIn('a', 4) });
    const first = await get(api, '/api/v1/pods?limit=2');
    api.removePod('a', 'pod-0003');
    api.addPod(makePod({ name: 'pod-0002x', namespace: 'a' }));
    const second = await get(api, `/api/v1/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(second.body.items.map((p: any) => p.metadata.name)).toEqual(['pod-0002', 'pod-0003']);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    const fresh = await get(api, '/api/v1/pods');
    expect(fresh.body.items.map((p: any) => p.metadata.name)).toEqual(['pod-0000', 'pod-0001', 'pod-0002', 'pod-0002x']);
  });

  it('answers 410 Expired to tokens handed out before expireContinueTokens(), with an inconsistent-continue token', async () => {
    api = await startFakeKubeApi({ pods: podsIn('a', 6) });
    const first = await get(api, '/api/v1/pods?limit=2');
    api.expireContinueTokens();
    const expired = await get(api, `/api/v1/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(expired.body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    const resumed = await get(api, `/api/v1/pods?limit=2&continue=${encodeURIComponent(expired.body.metadata.continue)}`);
    expect(resumed.body.items.map((p: any) => p.metadata.name)).toEqual(['pod-0002', 'pod-0003']);
    // A list started after the expiry paginates normally.
    const again = await get(api, '/api/v1/pods?limit=4');
    const next = await get(api, `/api/v1/pods?limit=4&continue=${encodeURIComponent(again.body.metadata.continue)}`);
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(2);
  });

  it('rejects a garbage continue token and resourceVersion with continue (400)', async () => {
    api = await startFakeKubeApi({ pods: podsIn('a', 2) });
    const garbage = await get(api, '/api/v1/pods?limit=1&continue=not-a-token');
    expect(garbage.status).toBe(400);
    expect(garbage.body.reason).toBe('BadRequest');
    const first = await get(api, '/api/v1/pods?limit=1');
    const both = await get(api, `/api/v1/pods?limit=1&resourceVersion=5&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(both.status).toBe(400);
    expect(both.body.message).toBe('specifying resource version is not allowed when using continue');
  });

  it('lists 10,000 pods in pages of 500', async () => {
    api = await startFakeKubeApi({ pods: Array.from({ length: 10_000 }, (_, i) => makePod({ name: `p-${i}`, namespace: `ns-${i % 50}` })) });
    const uids = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const { body } = await get(api, `/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      for (const p of body.items) uids.add(p.metadata.uid);
      token = body.metadata.continue;
      pages += 1;
    } while (token);
    expect(uids.size).toBe(10_000);
    expect(pages).toBe(20);
  });
});

describe('errors and auth', () => {
  it('answers 401 Unauthorized without or with a wrong bearer token, on every path', async () => {
    api = await startFakeKubeApi({ token: 'right' });
    for (const path of ['/api/v1/pods', '/version', '/api']) {
      for (const token of [null, 'wrong']) {
        const { status, body } = await get(api, path, token);
        expect(status).toBe(401);
        expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
    }
  });

  it('answers 403 with the RBAC message for forbidden namespaces and cluster-wide lists', async () => {
    api = await startFakeKubeApi({ forbiddenNamespaces: ['shop'], user: 'system:serviceaccount:x:y', pods: podsIn('shop', 1) });
    const ns = await get(api, '/api/v1/namespaces/shop/pods');
    expect(ns.status).toBe(403);
    expect(ns.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: 'pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods" in API group "" in the namespace "shop"',
      details: { kind: 'pods' },
    });
    const all = await get(api, '/api/v1/pods');
    expect(all.body.message).toBe('pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods" in API group "" at the cluster scope');
    const one = await get(api, '/api/v1/namespaces/shop/pods/pod-0000');
    expect(one.body.message).toBe(
      'pods "pod-0000" is forbidden: User "system:serviceaccount:x:y" cannot get resource "pods" in API group "" in the namespace "shop"',
    );
    expect((await get(api, '/api/v1/namespaces/other/pods')).status).toBe(200);
    api.setForbiddenNamespaces([]);
    expect((await get(api, '/api/v1/pods')).status).toBe(200);
  });

  it('gets one pod (with kind) or answers 404 NotFound', async () => {
    api = await startFakeKubeApi({ pods: [makePod({ name: 'web', namespace: 'shop' })] });
    const found = await get(api, '/api/v1/namespaces/shop/pods/web');
    expect(found.status).toBe(200);
    expect(found.contentType).toBe('application/json');
    expect(found.body).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-11-01T00:00:00Z' },
    });
    const missing = await get(api, '/api/v1/namespaces/shop/pods/x');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'pods' },
      code: 404,
    });
  });
});

describe('discovery, namespaces, mutators and the request log', () => {
  it('serves /version, /api, /apis and /api/v1 like a v1.32 server', async () => {
    api = await startFakeKubeApi();
    expect((await get(api, '/version')).body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0' });
    expect((await get(api, '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await get(api, '/apis')).body).toEqual({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    const v1 = (await get(api, '/api/v1')).body;
    expect(v1.kind).toBe('APIResourceList');
    expect(v1.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/portforward', 'namespaces', 'services', 'services/proxy']));
    expect((await get(api, '/api/v1/configmaps')).status).toBe(404);
  });

  it('lists namespaces and gets one', async () => {
    api = await startFakeKubeApi({ pods: [makePod({ name: 'a', namespace: 'shop' })] });
    const list = await get(api, '/api/v1/namespaces');
    expect(list.body.kind).toBe('NamespaceList');
    expect(list.body.items.map((n: any) => n.metadata.name)).toEqual(['default', 'shop']);
    expect((await get(api, '/api/v1/namespaces/shop')).body).toMatchObject({ kind: 'Namespace', metadata: { name: 'shop' } });
    expect((await get(api, '/api/v1/namespaces/nope')).body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nope" not found' });
  });

  it('adds, replaces, removes and sets pods, and logs every request with its query and status', async () => {
    api = await startFakeKubeApi();
    const stored = api.addPod(makePod({ name: 'a', namespace: 'x', labels: { v: '1' } }));
    const replaced = api.addPod(makePod({ name: 'a', namespace: 'x', labels: { v: '2' } }));
    expect(Number(replaced.metadata!.resourceVersion)).toBeGreaterThan(Number(stored.metadata!.resourceVersion));
    expect(api.getPod('x', 'a')?.metadata?.labels).toEqual({ v: '2' });
    expect(api.removePod('x', 'a')).toBe(true);
    expect(api.getPod('x', 'a')).toBeUndefined();
    api.setPods(podsIn('y', 3));
    await get(api, '/api/v1/namespaces/y/pods?labelSelector=a%3Db&limit=2');
    await get(api, '/api/v1/pods', 'wrong');
    expect(api.requests).toEqual([
      { method: 'GET', path: '/api/v1/namespaces/y/pods', query: { labelSelector: 'a=b', limit: '2' }, status: 200, auth: 'bearer' },
      { method: 'GET', path: '/api/v1/pods', query: {}, status: 401, auth: 'none' },
    ]);
    expect((await get(api, '/api/v1/namespaces/y/pods')).body.items).toHaveLength(3);
  });
});

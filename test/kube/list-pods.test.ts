import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeAccess } from '../../src/kube/kube-access.js';
import { loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { listPods, type PodListItem, type PodListQuery } from '../../src/kube/list-pods.js';
import type { FakeKubeApi } from '../doubles/fake-kube-api.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { useKubeTestEnv } from './kube-test-env.js';

const env = useKubeTestEnv('list-pods-');

async function kubeConfigFor(fake: FakeKubeApi): Promise<KubeAccess> {
  const access = await loadKubeAccess({ kubeconfig: await fake.writeKubeconfig(env.dir), env: {} });
  env.track(access);
  return access;
}

async function collect(kc: KubeAccess, sel: PodListQuery, pageSize?: number): Promise<PodListItem[]> {
  const items: PodListItem[] = [];
  for await (const item of listPods(kc, sel, { pageSize })) items.push(item);
  return items;
}

function keys(items: PodListItem[]): string[] {
  return items.map((i) => (i.kind === 'pod' ? `${i.pod.metadata?.namespace}/${i.pod.metadata?.name}` : `missing:${i.namespace}/${i.name}`));
}

function manyPods(count: number) {
  return Array.from({ length: count }, (_, i) => makePod({ name: `p-${String(i).padStart(5, '0')}`, namespace: `ns-${i % 7}`, annotations: enabled() }));
}

describe('listPods: lists', () => {
  it('yields each of 1,203 running pods exactly once over pages of 100, filtering on the server', async () => {
    const pods = [
      ...manyPods(1203),
      makePod({ name: 'pending', namespace: 'ns-0', phase: 'Pending' }),
      makePod({ name: 'done', namespace: 'ns-1', phase: 'Succeeded' }),
    ];
    const api = await env.startApi({ pods });
    const items = await collect(await kubeConfigFor(api), { allNamespaces: true }, 100);
    const got = keys(items);
    expect(got).toHaveLength(1203);
    expect(new Set(got).size).toBe(1203);
    expect(new Set(got)).toEqual(new Set(manyPods(1203).map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)));
    const lists = api.requests.filter((r) => r.path === '/api/v1/pods');
    expect(lists).toHaveLength(13);
    for (const [i, r] of lists.entries()) {
      expect(r.query.fieldSelector).toBe('status.phase=Running');
      expect(r.query.limit).toBe('100');
      expect(r.query.continue === undefined).toBe(i === 0);
    }
  });

  it('reads pages only as the consumer pulls (memory does not grow with the cluster)', async () => {
    const api = await env.startApi({ pods: manyPods(1000) });
    const gen = listPods(await kubeConfigFor(api), { allNamespaces: true }, { pageSize: 100 });
    for (let i = 0; i < 150; i += 1) await gen.next();
    expect(api.requests.filter((r) => r.path === '/api/v1/pods')).toHaveLength(2);
    await gen.return(undefined);
  });

  it('passes the label selector to the server and lists the context namespace by default', async () => {
    const api = await env.startApi({
      pods: [
        makePod({ name: 'web', labels: { app: 'web' } }),
        makePod({ name: 'db', labels: { app: 'db' } }),
        makePod({ name: 'web', namespace: 'shop', labels: { app: 'web' } }),
      ],
    });
    const kc = await kubeConfigFor(api);
    expect(kc.namespace).toBe('default');
    expect(keys(await collect(kc, { labelSelector: 'app=web' }))).toEqual(['default/web']);
    expect(keys(await collect(kc, { namespace: 'shop' }))).toEqual(['shop/web']);
    expect(keys(await collect(kc, { allNamespaces: true, labelSelector: 'app in (web)' }))).toEqual(['default/web', 'shop/web']);
    expect(api.requests.map((r) => [r.path, r.query.labelSelector])).toEqual([
      ['/api/v1/namespaces/default/pods', 'app=web'],
      ['/api/v1/namespaces/shop/pods', undefined],
      ['/api/v1/pods', 'app in (web)'],
    ]);
  });

  it('restarts the list after 410 Expired mid-list: no pod missed or duplicated, restart logged', async () => {
    const api = await env.startApi({ pods: manyPods(250) });
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    const gen = listPods(await kubeConfigFor(api), { allNamespaces: true }, { pageSize: 100, log });
    const got: string[] = [];
    const take = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        const r = await gen.next();
        if (r.done) return;
        if (r.value.kind === 'pod') got.push(`${r.value.pod.metadata?.namespace}/${r.value.pod.metadata?.name}`);
      }
    };
    await take(150);
    // The list outlives a compaction; meanwhile a pod is added (sorting first), and the last one
    // (on the third page, not fetched yet) is deleted.
    api.expireContinueTokens();
    api.addPod(makePod({ name: 'a-new', namespace: 'ns-0', annotations: enabled() }));
    const doomed = manyPods(250)
      .map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)
      .sort()
      .at(-1)!;
    expect(got).not.toContain(doomed);
    api.removePod(doomed.split('/')[0]!, doomed.split('/')[1]!);
    await take(Number.POSITIVE_INFINITY);

    expect(new Set(got).size).toBe(got.length);
    const expected = new Set([
      ...got.slice(0, 150),
      'ns-0/a-new',
      ...manyPods(250)
        .map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)
        .filter((k) => k !== doomed),
    ]);
    expect(new Set(got)).toEqual(expected);
    const lists = api.requests.filter((r) => r.path === '/api/v1/pods');
    expect(lists.map((r) => [r.status, r.query.continue !== undefined])).toEqual([
      [200, false],
      [200, true],
      [410, true],
      [200, false],
      [200, true],
      [200, true],
    ]);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/continue token expired \(410\); restarting the list/);
  });
});

describe('listPods: named pods', () => {
  it('gets named pods in the namespace whatever their phase, and reports missing ones as items', async () => {
    const api = await env.startApi({
      pods: [
        makePod({ name: 'web', namespace: 'shop' }),
        makePod({ name: 'job', namespace: 'shop', phase: 'Succeeded' }),
        makePod({ name: 'web', namespace: 'default' }),
      ],
    });
    const items = await collect(await kubeConfigFor(api), { namespace: 'shop', names: ['job', 'nope', 'web', 'job'] });
    expect(keys(items)).toEqual(['shop/job', 'missing:shop/nope', 'shop/web']);
    expect(items[1]).toEqual({ kind: 'missing', namespace: 'shop', name: 'nope', reason: 'pod shop/nope not found' });
    expect(api.requests.map((r) => r.path)).toEqual([
      '/api/v1/namespaces/shop/pods/job',
      '/api/v1/namespaces/shop/pods/nope',
      '/api/v1/namespaces/shop/pods/web',
    ]);
  });

  it('uses the context namespace for names, and refuses names across all namespaces or with a selector', async () => {
    const api = await env.startApi({ pods: [makePod({ name: 'web', namespace: 'default' })] });
    const kc = await kubeConfigFor(api);
    expect(keys(await collect(kc, { names: ['web'] }))).toEqual(['default/web']);
    await expect(collect(kc, { names: ['web'], allNamespaces: true })).rejects.toThrow(/cannot be named across all namespaces/);
    await expect(collect(kc, { names: ['web'], labelSelector: 'a=b' })).rejects.toThrow(/label selector cannot be combined/);
  });
});

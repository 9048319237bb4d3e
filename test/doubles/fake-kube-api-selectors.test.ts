import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { makePod } from './make-pod.js';

// The fake API's label and field selectors, checked over HTTP against pods with known labels.
let api: FakeKubeApi;

beforeAll(async () => {
  api = await startFakeKubeApi({
    pods: [
      makePod({ name: 'web', labels: { app: 'web', tier: 'front', 'example.com/team': 'a' } }),
      makePod({ name: 'api', labels: { app: 'api', tier: 'back', rank: '3' } }),
      makePod({ name: 'db', labels: { app: 'db', tier: 'back', rank: '10' }, phase: 'Pending' }),
      makePod({ name: 'bare', labels: {} }),
      makePod({ name: 'empty', labels: { app: '' }, phase: 'Succeeded', node: 'node-2' }),
      makePod({ name: 'other-ns', namespace: 'shop', labels: { app: 'web' } }),
    ],
  });
});

afterAll(async () => {
  await api.close();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${api.token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function names(query: Record<string, string>): Promise<string[]> {
  const { status, body } = await get(`/api/v1/namespaces/default/pods?${new URLSearchParams(query).toString()}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body.items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name).sort();
}

describe('label selector grammar', () => {
  const cases: Array<[string, string[]]> = [
    ['', ['api', 'bare', 'db', 'empty', 'web']],
    ['app=web', ['web']],
    ['app==web', ['web']],
    ['app!=web', ['api', 'bare', 'db', 'empty']],
    ['app=', ['empty']],
    ['app in (web,api)', ['api', 'web']],
    ['app in (web, api )', ['api', 'web']],
    ['app notin (web,api)', ['bare', 'db', 'empty']],
    ['tier', ['api', 'db', 'web']],
    ['!tier', ['bare', 'empty']],
    ['tier=back,app!=db', ['api']],
    ['tier, !rank', ['web']],
    ['example.com/team=a', ['web']],
    ['rank>5', ['db']],
    ['rank<5', ['api']],
    ['app in (in,notin)', []],
    ['  app = web  ', ['web']],
  ];
  it.each(cases)('%j selects %j', async (selector, expected) => {
    expect(await names({ labelSelector: selector })).toEqual(expected);
  });

  const invalid = ['app=web,', 'app in ()', 'app in web', '=web', 'app=-bad', 'app=web)', '!app=web', 'a b', 'Bad_Prefix.COM/x=y', 'rank>x'];
  it.each(invalid)('%j is a 400 Status', async (selector) => {
    const { status, body } = await get(`/api/v1/pods?labelSelector=${encodeURIComponent(selector)}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(typeof body.message).toBe('string');
  });
});

describe('field selectors', () => {
  const cases: Array<[string, string[]]> = [
    ['status.phase=Running', ['api', 'bare', 'web']],
    ['status.phase!=Running', ['db', 'empty']],
    ['status.phase==Pending', ['db']],
    ['metadata.name=web', ['web']],
    ['metadata.namespace=default,status.phase=Running,metadata.name!=web', ['api', 'bare']],
    ['spec.nodeName=node-2', ['empty']],
  ];
  it.each(cases)('%j selects %j', async (selector, expected) => {
    expect(await names({ fieldSelector: selector })).toEqual(expected);
  });

  it('combines with a label selector and works across namespaces', async () => {
    const { body } = await get('/api/v1/pods?labelSelector=app%3Dweb&fieldSelector=status.phase%3DRunning');
    const items = body.items as Array<{ metadata: { namespace: string; name: string } }>;
    expect(items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/web', 'shop/other-ns']);
  });

  it('rejects fields pods do not support, like the server', async () => {
    const { status, body } = await get('/api/v1/pods?fieldSelector=spec.containers%3Dx');
    expect(status).toBe(400);
    expect(body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'field label not supported: spec.containers' });
  });
});

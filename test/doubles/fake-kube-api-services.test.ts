import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_SCOPE_ONLY, startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { fixture } from './fixtures.js';
import { collectorService, makeService } from './make-service.js';
import { startTestCollector, type TestCollector } from './test-collector.js';

// The fake Kubernetes API's Services, service proxy and access reviews, as the real server answers.
let api: FakeKubeApi;
let collector: TestCollector;

const PROXY = '/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy';

beforeAll(async () => {
  collector = await startTestCollector();
  api = await startFakeKubeApi({ user: 'jane@example.com' });
});
afterAll(async () => {
  await api.close();
  await collector.close();
});
afterEach(() => {
  collector.reset();
  api.setForbidden([]);
  api.setServices([]);
});

function withCollector(): void {
  api.setServices([
    { service: collectorService(), backend: collector.url },
    { service: collectorService({ namespace: 'team-b', release: 'other' }) },
    { service: makeService({ name: 'web', namespace: 'shop', labels: { app: 'web' } }) },
  ]);
}

async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const token = init.token === undefined ? api.token : init.token;
  const headers = { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string> | undefined) };
  const res = await fetch(`${api.url}${path}`, { ...init, headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, text, json };
}

describe('Services', () => {
  it('lists by label selector in a namespace and in all namespaces; list items carry no kind', async () => {
    withCollector();
    const selector = encodeURIComponent('app.kubernetes.io/name=kube-profefe,app.kubernetes.io/component=collector');
    const all = await call(`/api/v1/services?labelSelector=${selector}`);
    expect(all.status).toBe(200);
    expect(all.json.kind).toBe('ServiceList');
    expect(all.json.items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      'kube-profefe/kube-profefe-collector',
      'team-b/other-collector',
    ]);
    expect(all.json.items[0].kind).toBeUndefined();
    expect(all.json.items[0].spec.ports).toEqual([{ name: 'http', port: 10100, targetPort: 'http', protocol: 'TCP' }]);
    const one = await call(`/api/v1/namespaces/team-b/services?labelSelector=${selector}`);
    expect(one.json.items.map((s: any) => s.metadata.name)).toEqual(['other-collector']);
    const none = await call(`/api/v1/namespaces/shop/services?labelSelector=${selector}`);
    expect(none.json.items).toEqual([]);
  });

  it('gets one Service; a missing one is NotFound', async () => {
    withCollector();
    const got = await call('/api/v1/namespaces/shop/services/web');
    expect(got.json).toMatchObject({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'shop' } });
    expect(got.json.metadata.creationTimestamp).toBe('2026-11-01T00:00:00Z');
    const missing = await call('/api/v1/namespaces/shop/services/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ reason: 'NotFound', message: 'services "nope" not found', details: { name: 'nope', kind: 'services' } });
  });

  it('refuses by rule: a namespace rule also refuses the cluster-wide list; a cluster-scope rule only that', async () => {
    withCollector();
    api.setForbidden([{ verb: 'list', resource: 'services', namespace: 'shop' }]);
    expect((await call('/api/v1/namespaces/shop/services')).json.message).toBe(
      'services is forbidden: User "jane@example.com" cannot list resource "services" in API group "" in the namespace "shop"',
    );
    expect((await call('/api/v1/services')).status).toBe(403);
    expect((await call('/api/v1/namespaces/kube-profefe/services')).status).toBe(200);
    api.setForbidden([{ verb: 'list', resource: 'services', namespace: CLUSTER_SCOPE_ONLY }]);
    expect((await call('/api/v1/services')).json.message).toBe(
      'services is forbidden: User "jane@example.com" cannot list resource "services" in API group "" at the cluster scope',
    );
    expect((await call('/api/v1/namespaces/shop/services')).status).toBe(200);
  });
});

describe('the service proxy', () => {
  it('forwards GET with its path and query string unchanged, without the Authorization header; answers pass through as is', async () => {
    withCollector();
    const query = '?service=api&from=2026-01-01T00:00:00&to=2026-01-02T00:00:00&labels=k%2Cx%3Dv';
    const list = await call(`${PROXY}/api/0/profiles${query}`, { headers: { 'X-Extra': 'kept' } });
    // The collector's own "nothing found" 404, untouched.
    expect(list.status).toBe(404);
    expect(list.json).toEqual({ code: 404, error: 'nothing found' });
    expect(collector.requests.map((r) => r.url)).toEqual([`/api/0/profiles${query}`]);
    expect(collector.requests[0]?.headers.authorization).toBeUndefined();
    expect(collector.requests[0]?.headers['x-extra']).toBe('kept');
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: `${PROXY}/api/0/profiles`, status: 404, auth: 'bearer' });
  });

  it('forwards POST bodies (verb create) and ids joined with +', async () => {
    withCollector();
    const upload = await call(`${PROXY}/api/0/profiles?service=api&type=heap`, { method: 'POST', body: fixture('heap') });
    expect(upload.status).toBe(200);
    const { id } = upload.json.body as { id: string };
    const again = await call(`${PROXY}/api/0/profiles?service=api&type=heap`, { method: 'POST', body: fixture('heap') });
    const both = await call(`${PROXY}/api/0/profiles/${id}+${again.json.body.id}`);
    expect(both.status).toBe(200);
    expect(collector.requests.at(-1)?.url).toBe(`/api/0/profiles/${id}+${again.json.body.id}`);
    const one = await call(`${PROXY}/api/0/profiles/${id}`);
    expect(one.bytes).toEqual(fixture('heap'));
    expect(one.headers.get('content-disposition')).toBe(`attachment; filename="${id}"`);
  });

  it('checks get and create on services/proxy separately, naming the Service with its port', async () => {
    withCollector();
    api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    expect((await call(`${PROXY}/api/0/version`)).status).toBe(200);
    const refused = await call(`${PROXY}/api/0/profiles?service=api&type=heap`, { method: 'POST', body: fixture('heap') });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      reason: 'Forbidden',
      message:
        'services "kube-profefe-collector:http" is forbidden: User "jane@example.com" cannot create resource "services/proxy" in API group "" in the namespace "kube-profefe"',
      details: { name: 'kube-profefe-collector:http', kind: 'services' },
    });
    expect(collector.uploads).toHaveLength(0);
  });

  it('answers like the real server when there is nowhere to go', async () => {
    withCollector();
    const ns = '/api/v1/namespaces/kube-profefe/services';
    const cases: Array<[string, number, string, string]> = [
      [`${ns}/nope:http/proxy/`, 404, 'NotFound', 'endpoints "nope" not found'],
      [`${ns}/nope:10100/proxy/`, 404, 'NotFound', 'services "nope" not found'],
      [`${ns}/kube-profefe-collector:9999/proxy/`, 503, 'ServiceUnavailable', 'no service port 9999 found for service "kube-profefe-collector"'],
      [`${ns}/kube-profefe-collector:grpc/proxy/`, 503, 'ServiceUnavailable', 'no endpoints available for service "kube-profefe-collector:grpc"'],
      [`${ns}/kube-profefe-collector/proxy/`, 503, 'ServiceUnavailable', 'no endpoints available for service "kube-profefe-collector"'],
      [`${ns}/ftp:kube-profefe-collector:http/proxy/`, 400, 'BadRequest', 'invalid service request "ftp:kube-profefe-collector:http"'],
      ['/api/v1/namespaces/team-b/services/other-collector:http/proxy/', 503, 'ServiceUnavailable', 'no endpoints available for service "other-collector"'],
    ];
    for (const [path, status, reason, message] of cases) {
      const answer = await call(path);
      expect([answer.status, answer.json.reason, answer.json.message], path).toEqual([status, reason, message]);
    }
    const down = await startTestCollector();
    await down.close();
    api.setServiceBackend('kube-profefe', 'kube-profefe-collector', down.url);
    const refused = await call(`${PROXY}/api/0/version`);
    expect([refused.status, refused.json.message]).toEqual([
      503,
      `error trying to reach service: dial tcp ${new URL(down.url).host}: connect: connection refused`,
    ]);
  });

  it('forwards nothing for an unauthenticated request', async () => {
    withCollector();
    expect((await call(`${PROXY}/api/0/version`, { token: 'wrong' })).status).toBe(401);
    expect(collector.requests).toHaveLength(0);
  });
});

describe('self subject access reviews', () => {
  const review = (verb: string) =>
    call('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: 'kube-profefe', verb, resource: 'services', subresource: 'proxy', name: 'kube-profefe-collector:http' } },
      }),
    });

  it('answers 201 with status.allowed from the rules; a body that is not JSON gets 415', async () => {
    api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    const get = await review('get');
    expect(get.status).toBe(201);
    expect(get.json.status.allowed).toBe(true);
    expect((await review('create')).json.status).toEqual({ allowed: false });
    const proto = await call('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
      body: 'k8s\0',
    });
    expect(proto.status).toBe(415);
  });
});

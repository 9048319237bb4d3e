/**
 * The collector reached through the API server's service proxy: ProfefeClient with the proxy as its
 * gateway (src/kube/service-proxy.ts), against the fake API forwarding to the test collector; the
 * API server's own refusals as KubeApiErrors; listing Services; access reviews.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canI } from '../../src/kube/access-review.js';
import type { KubeAccess } from '../../src/kube/kube-access.js';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { listServices } from '../../src/kube/list-services.js';
import { loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { serviceProxy, serviceProxyPath, type ServiceRef } from '../../src/kube/service-proxy.js';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { ProfefeError } from '../../src/profefe/profefe-error.js';
import { rejectionOf } from '../expect-rejection.js';
import { CLUSTER_SCOPE_ONLY } from '../doubles/fake-kube-api.js';
import { fixture } from '../doubles/fixtures.js';
import { collectorService, makeService } from '../doubles/make-service.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { useKubeTestEnv } from './kube-test-env.js';

const env = useKubeTestEnv('service-proxy-');
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.close();
});

const COLLECTOR: ServiceRef = { namespace: 'kube-profefe', name: 'kube-profefe-collector', port: 'http' };
const SELECTOR = 'app.kubernetes.io/name=kube-profefe,app.kubernetes.io/component=collector';

async function cluster(opts: { backend?: string | null } = {}): Promise<{ access: KubeAccess; api: Awaited<ReturnType<typeof env.startApi>> }> {
  collector.reset();
  const backend = opts.backend === null ? undefined : (opts.backend ?? collector.url);
  const api = await env.startApi({
    user: 'jane@example.com',
    services: [{ service: collectorService(), backend }, { service: makeService({ name: 'web', namespace: 'shop', labels: { app: 'web' } }) }],
  });
  const access = env.track(await loadKubeAccess({ kubeconfig: await api.writeKubeconfig(env.dir), env: {} }));
  return { access, api };
}

function clientThrough(access: KubeAccess, ref: ServiceRef = COLLECTOR): ProfefeClient {
  const proxy = serviceProxy(access, ref);
  return new ProfefeClient({ baseUrl: proxy.baseUrl, gateway: proxy, timeoutMs: 10_000 });
}

describe('ProfefeClient through the service proxy', () => {
  it('uploads, lists, merges and downloads with the kubeconfig credentials; the collector never sees them', async () => {
    const { access, api } = await cluster();
    const client = clientThrough(access);
    const item = await client.upload(fixture('heap'), { service: 'api', type: 'heap', labels: { pod: 'a,b=c' } });
    const from = new Date(Date.parse(item.created_at) - 1000);
    const to = new Date(Date.parse(item.created_at) + 1000);
    expect(await client.list({ service: 'api', from, to })).toEqual([item]);
    expect(await client.list({ service: 'nothing', from, to })).toEqual([]);
    expect(await client.getProfiles([item.id])).toEqual(fixture('heap'));
    expect((await client.merge({ service: 'api', type: 'heap', from, to })).length).toBeGreaterThan(0);
    expect(await client.services()).toEqual(['api']);
    // Every request went through the proxy path, authenticated; the query strings reached the collector unchanged.
    const proxied = api.requests.filter((r) => r.path.startsWith(`${serviceProxyPath(COLLECTOR)}/api/0/`));
    expect(proxied.map((r) => [r.method, r.auth])).toEqual(Array(6).fill(['GET', 'bearer']).with(0, ['POST', 'bearer']));
    expect(collector.uploads[0]?.labels).toEqual({ pod: 'a,b=c' });
    expect(collector.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('names the Service in messages and prints the API path `kubectl get --raw` takes for a stored profile', async () => {
    const { access, api } = await cluster();
    const client = clientThrough(access);
    expect(client.name).toBe(`service kube-profefe/kube-profefe-collector:http through the Kubernetes API at ${api.url} (context "fake")`);
    expect(client.baseUrl).toBe(`${api.url}/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy`);
    expect(client.profileUrl('dc150ar8di19klb9s89g')).toBe(
      '/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy/api/0/profiles/dc150ar8di19klb9s89g',
    );
    // The collector's own errors stay ProfefeErrors, named after the Service.
    collector.failNext(1, 400, 'bad request: missing "service"');
    const err = await rejectionOf(client.version(), ProfefeError);
    expect(err.message).toBe(`profefe at ${client.name} answered 400 to GET /api/0/version: bad request: missing "service"`);
  });

  it('a forbidden proxy is a KubeApiError naming the verb the server checked: get to read, create to upload', async () => {
    const { access, api } = await cluster();
    const client = clientThrough(access);
    api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    expect(await client.services()).toEqual([]);
    const create = await rejectionOf(client.upload(fixture('heap'), { service: 'api', type: 'heap' }), KubeApiError);
    expect([create.code, create.statusCode, create.verb, create.resource]).toEqual(['KUBE_FORBIDDEN', 403, 'create', 'services/proxy']);
    expect(create.message).toContain(
      'refused to create services/proxy "kube-profefe-collector:http" in namespace "kube-profefe" (403 Forbidden): services "kube-profefe-collector:http" is forbidden',
    );
    expect(create.message).toContain('grant "create" on "services/proxy" in namespace "kube-profefe"');
    expect(create.message).toContain('to user "jane@example.com"');
    api.setForbidden([{ verb: 'get', resource: 'services/proxy' }]);
    const get = await rejectionOf(client.services(), KubeApiError);
    expect(get.message).toContain('grant "get" on "services/proxy"');
    expect(collector.requests).toHaveLength(1);
  });

  it('no endpoints, a refusing pod, a missing Service: what the API server said and what to check', async () => {
    const { access, api } = await cluster({ backend: null });
    const client = clientThrough(access);
    const none = await rejectionOf(client.services(), KubeApiError);
    expect([none.statusCode, none.reason]).toEqual([503, 'ServiceUnavailable']);
    expect(none.message).toBe(
      'the Service kube-profefe/kube-profefe-collector port http cannot be reached: the API server\'s service proxy answered 503: no endpoints available for service "kube-profefe-collector". No ready pod backs the Service: check its pods (kubectl describe service -n kube-profefe kube-profefe-collector).',
    );
    const down = await startTestCollector();
    await down.close();
    api.setServiceBackend('kube-profefe', 'kube-profefe-collector', down.url);
    expect((await rejectionOf(client.services(), KubeApiError)).message).toContain(
      `answered 503: error trying to reach service: dial tcp ${new URL(down.url).host}: connect: connection refused. Its pod did not answer`,
    );
    const missing = await rejectionOf(clientThrough(access, { namespace: 'shop', name: 'nope', port: '10100' }).services(), KubeApiError);
    expect(missing.message).toBe(
      'the Service shop/nope was not found (the API server\'s service proxy answered 404: services "nope" not found). Check the namespace and name: kubectl get services -n shop',
    );
  });
});

describe('listServices and canI', () => {
  it('lists Services by label selector in a namespace or all; a refusal names list on services', async () => {
    const { access, api } = await cluster();
    const names = (services: Awaited<ReturnType<typeof listServices>>) => services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`);
    expect(names(await listServices(access, { namespace: undefined, labelSelector: SELECTOR }))).toEqual(['kube-profefe/kube-profefe-collector']);
    expect(names(await listServices(access, { namespace: 'shop', labelSelector: SELECTOR }))).toEqual([]);
    api.setForbidden([{ verb: 'list', resource: 'services', namespace: CLUSTER_SCOPE_ONLY }]);
    const err = await rejectionOf(listServices(access, { namespace: undefined, labelSelector: SELECTOR }), KubeApiError);
    expect([err.code, err.verb, err.resource, err.namespace]).toEqual(['KUBE_FORBIDDEN', 'list', 'services', undefined]);
    expect(err.message).toContain('refused to list services in all namespaces (403 Forbidden)');
  });

  it('asks the API server whether a verb is allowed; undefined when the review cannot be made', async () => {
    const { access, api } = await cluster();
    api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    const question = { verb: 'create', resource: 'services', subresource: 'proxy', namespace: 'kube-profefe', name: 'kube-profefe-collector:http' };
    expect(await canI(access, question)).toBe(false);
    expect(await canI(access, { ...question, verb: 'get' })).toBe(true);
    expect(await canI(access, { ...question, namespace: 'elsewhere' })).toBe(true);
    await env.closeApi();
    expect(await canI(access, question)).toBeUndefined();
  });
});

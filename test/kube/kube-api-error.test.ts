import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { KubeAccess } from '../../src/kube/kube-access.js';
import { loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { listPods, type PodListQuery } from '../../src/kube/list-pods.js';
import type { FakeKubeApi } from '../doubles/fake-kube-api.js';
import { makePod } from '../doubles/make-pod.js';
import { useKubeTestEnv } from './kube-test-env.js';

// What listPods throws when the API refuses or cannot be reached: KubeApiError with advice.
const env = useKubeTestEnv('kube-api-error-');

async function firstError(kc: KubeAccess, sel: PodListQuery): Promise<KubeApiError> {
  try {
    for await (const _item of listPods(kc, sel)) {
      // draining
    }
  } catch (err) {
    expect(err).toBeInstanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error('listPods did not fail');
}

/** A kubeconfig for the fake with `edit` applied to its text. */
async function kubeConfig(fake: FakeKubeApi, edit: (text: string) => string = (t) => t): Promise<KubeAccess> {
  const file = await fake.writeKubeconfig(env.dir);
  await writeFile(file, edit(await readFile(file, 'utf8')));
  const access = await loadKubeAccess({ kubeconfig: file, env: {} });
  env.track(access);
  return access;
}

describe('KubeApiError from listPods', () => {
  it('401: says the credentials were rejected, names the cluster, never shows the token', async () => {
    const api = await env.startApi({ token: 'the-right-token' });
    const kc = await kubeConfig(api, (t) => t.replace('the-right-token', 'a-stale-token-123'));
    const err = await firstError(kc, { namespace: 'shop' });
    expect(err).toMatchObject({ code: 'KUBE_UNAUTHORIZED', statusCode: 401, verb: 'list', resource: 'pods', namespace: 'shop' });
    expect(err.message).toContain(`the Kubernetes API at ${api.url} (context "fake") rejected the credentials (401 Unauthorized)`);
    expect(err.message).toContain('list pods in namespace "shop"');
    expect(err.message).toMatch(/Check the token or client certificate of the kubeconfig user/);
    expect(err.message).not.toContain('a-stale-token-123');
    expect(err.message).not.toContain('the-right-token');
  });

  it('403 in a namespace: quotes the API and says what to grant to which service account', async () => {
    const api = await env.startApi({ forbiddenNamespaces: ['shop'], user: 'system:serviceaccount:profiling:kprofefe' });
    const err = await firstError(await kubeConfig(api), { namespace: 'shop' });
    expect(err).toMatchObject({ code: 'KUBE_FORBIDDEN', statusCode: 403, reason: 'Forbidden', namespace: 'shop' });
    expect(err.message).toContain(
      'pods is forbidden: User "system:serviceaccount:profiling:kprofefe" cannot list resource "pods" in API group "" in the namespace "shop"',
    );
    expect(err.message).toContain(
      'grant "list" on "pods" in namespace "shop" (Role + RoleBinding) or cluster-wide (ClusterRole + ClusterRoleBinding) to service account "kprofefe" in namespace "profiling"',
    );
  });

  it('403 cluster-wide: asks for a ClusterRole for the user the API named', async () => {
    const api = await env.startApi({ forbiddenNamespaces: ['shop'], user: 'jane@example.com' });
    const err = await firstError(await kubeConfig(api), { allNamespaces: true });
    expect(err.namespace).toBeUndefined();
    expect(err.message).toContain('refused to list pods in all namespaces (403 Forbidden)');
    expect(err.message).toContain('at the cluster scope');
    expect(err.message).toContain(
      'grant "list" on "pods" cluster-wide (ClusterRole + ClusterRoleBinding) to user "jane@example.com", or restrict the request to a namespace you can read.',
    );
  });

  it('403 on a named pod: says "get"', async () => {
    const api = await env.startApi({ forbiddenNamespaces: ['shop'], pods: [makePod({ name: 'web', namespace: 'shop' })] });
    const err = await firstError(await kubeConfig(api), { namespace: 'shop', names: ['web'] });
    expect(err).toMatchObject({ code: 'KUBE_FORBIDDEN', verb: 'get', resourceName: 'web' });
    expect(err.message).toContain('grant "get" on "pods" in namespace "shop"');
  });

  it('400: quotes the API (an invalid label selector) and says what to check', async () => {
    const api = await env.startApi();
    const err = await firstError(await kubeConfig(api), { labelSelector: 'app in web' });
    expect(err).toMatchObject({ code: 'KUBE_BAD_REQUEST', statusCode: 400, reason: 'BadRequest' });
    expect(err.message).toMatch(/rejected the request to list pods in namespace "default" \(400\): unable to parse requirement: .*Check the label selector/);
  });

  it('connection refused: names the server URL', async () => {
    const api = await env.startApi();
    const kc = await kubeConfig(api);
    const url = api.url;
    await env.closeApi();
    const err = await firstError(kc, { allNamespaces: true });
    expect(err).toMatchObject({ code: 'KUBE_UNREACHABLE', statusCode: undefined });
    expect(err.message).toContain(`the Kubernetes API at ${url} (context "fake") is unreachable: connection refused`);
    expect(kc.describe()).toBe(`${url} (context "fake")`);
  });

  it('TLS: works with the CA from the kubeconfig, and says so when the certificate does not verify', async () => {
    const api = await env.startApi({ tls: true, pods: [makePod({ name: 'web' })] });
    const items = [];
    for await (const item of listPods(await kubeConfig(api), {})) items.push(item);
    expect(items).toHaveLength(1);
    const noCa = await kubeConfig(api, (t) => t.replace(/certificate-authority-data: .*/, 'insecure-skip-tls-verify: false'));
    const err = await firstError(noCa, {});
    expect(err.code).toBe('KUBE_TLS');
    expect(err.message).toContain(`the TLS certificate of the Kubernetes API at ${api.url} (context "fake") did not verify`);
    expect(err.message).toContain('certificate-authority-data');
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { defaultNamespace, describeCluster, KubeConfigError, loadKubeConfig } from '../../src/kube/client-node-kubeconfig.js';
import { listPods } from '../../src/kube/list-pods.js';
import { startFakeKubeApi } from '../doubles/fake-kube-api.js';
import { makePod } from '../doubles/make-pod.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kube-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a kubeconfig with one cluster/user/context per name; the first is current unless `current` says. */
async function kubeconfigFile(name: string, contexts: Array<{ name: string; server: string; namespace?: string }>, current?: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server } })),
      users: contexts.map((c) => ({ name: c.name, user: { token: `secret-${c.name}` } })),
      contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name, namespace: c.namespace } })),
      'current-context': current ?? contexts[0]?.name,
    }),
  );
  return file;
}

function loadError(fn: () => unknown): KubeConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KubeConfigError);
    return err as KubeConfigError;
  }
  throw new Error('expected a KubeConfigError');
}

describe('loadKubeConfig: kubeconfig files', () => {
  it('loads an explicit --kubeconfig file, with its current context and namespace', async () => {
    const file = await kubeconfigFile('config', [
      { name: 'prod', server: 'https://prod.example:6443', namespace: 'shop' },
      { name: 'dev', server: 'https://dev.example:6443' },
    ]);
    const kc = loadKubeConfig({ kubeconfig: file, env: {} });
    expect(kc.getCurrentContext()).toBe('prod');
    expect(defaultNamespace(kc)).toBe('shop');
    expect(describeCluster(kc)).toBe('https://prod.example:6443 (context "prod")');
  });

  it('selects --context, and names the unknown context and the available ones', async () => {
    const file = await kubeconfigFile('config', [
      { name: 'prod', server: 'https://prod.example:6443' },
      { name: 'dev', server: 'https://dev.example:6443' },
    ]);
    const kc = loadKubeConfig({ kubeconfig: file, context: 'dev', env: {} });
    expect(describeCluster(kc)).toBe('https://dev.example:6443 (context "dev")');
    expect(defaultNamespace(kc)).toBe('default');
    const err = loadError(() => loadKubeConfig({ kubeconfig: file, context: 'staging', env: {} }));
    expect(err.message).toBe(`context "staging" is not defined in kubeconfig file ${file}; available contexts: prod, dev.`);
  });

  it('names the --kubeconfig file that is missing or invalid', async () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(loadError(() => loadKubeConfig({ kubeconfig: missing, env: {} })).message).toContain(`cannot read kubeconfig file ${missing}: it does not exist`);
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, 'clusters: [ {name: a, cluster: {}} ]\n');
    expect(loadError(() => loadKubeConfig({ kubeconfig: broken, env: {} })).message).toBe(
      `kubeconfig file ${broken} is not a valid kubeconfig: clusters[0].cluster.server is missing`,
    );
    const notYaml = path.join(dir, 'not.yaml');
    await writeFile(notYaml, 'a: [b\n');
    expect(loadError(() => loadKubeConfig({ kubeconfig: notYaml, env: {} })).message).toContain(`kubeconfig file ${notYaml} is not a valid kubeconfig:`);
    const noContext = await kubeconfigFile('empty', []);
    expect(loadError(() => loadKubeConfig({ kubeconfig: noContext, env: {} })).message).toContain(`kubeconfig file ${noContext} has no current-context`);
  });

  it('merges the KUBECONFIG list like kubectl: first definition and first current-context win, missing files skipped', async () => {
    const a = await kubeconfigFile('a', [{ name: 'prod', server: 'https://a.example' }]);
    const b = await kubeconfigFile(
      'b',
      [
        { name: 'prod', server: 'https://b.example' },
        { name: 'dev', server: 'https://dev.example' },
      ],
      'dev',
    );
    const kc = loadKubeConfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) } });
    expect(kc.getContexts().map((c) => c.name)).toEqual(['prod', 'dev']);
    expect(describeCluster(kc)).toBe('https://a.example (context "prod")');
    expect(describeCluster(loadKubeConfig({ context: 'dev', env: { KUBECONFIG: `${a}${path.delimiter}${b}` } }))).toBe('https://dev.example (context "dev")');
    const err = loadError(() => loadKubeConfig({ env: { KUBECONFIG: path.join(dir, 'x') } }));
    expect(err.message).toContain(`KUBECONFIG lists ${path.join(dir, 'x')}, and none of these files exists`);
  });

  it('falls back to ~/.kube/config, and the explicit file and KUBECONFIG come first', async () => {
    await mkdir(path.join(dir, '.kube'));
    const home = await kubeconfigFile('.kube/config', [{ name: 'home', server: 'https://home.example' }]);
    const env = await kubeconfigFile('env', [{ name: 'env', server: 'https://env.example' }]);
    const explicit = await kubeconfigFile('explicit', [{ name: 'explicit', server: 'https://explicit.example' }]);
    expect(loadKubeConfig({ env: { HOME: dir } }).getCurrentContext()).toBe('home');
    expect(home).toBe(path.join(dir, '.kube', 'config'));
    expect(loadKubeConfig({ env: { HOME: dir, KUBECONFIG: env } }).getCurrentContext()).toBe('env');
    expect(loadKubeConfig({ kubeconfig: explicit, env: { HOME: dir, KUBECONFIG: env } }).getCurrentContext()).toBe('explicit');
  });

  it('never falls back to localhost:8080: nothing configured is a KubeConfigError saying what to do', () => {
    const err = loadError(() => loadKubeConfig({ env: { HOME: dir }, serviceAccountDir: path.join(dir, 'no-sa') }));
    expect(err.message).toContain('no Kubernetes configuration found');
    expect(err.message).toContain(`${path.join(dir, '.kube', 'config')} (does not exist)`);
    expect(err.message).toContain('Pass --kubeconfig <file>, set KUBECONFIG, or run in a pod with a service account token mounted.');
    const withHost = loadError(() =>
      loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: path.join(dir, 'no-sa') }),
    );
    expect(withHost.message).toContain(`KUBERNETES_SERVICE_HOST is set, but there is no token at ${path.join(dir, 'no-sa', 'token')}`);
    expect(withHost.message).toContain('~/.kube/config (HOME not set)');
  });
});

describe('loadKubeConfig: in a pod', () => {
  async function serviceAccount(token: string, ca: string, namespace?: string): Promise<string> {
    const sa = path.join(dir, 'serviceaccount');
    await mkdir(sa);
    await writeFile(path.join(sa, 'token'), token);
    await writeFile(path.join(sa, 'ca.crt'), ca);
    if (namespace !== undefined) await writeFile(path.join(sa, 'namespace'), `${namespace}\n`);
    return sa;
  }

  it('uses the service account (token, CA, namespace) and lists pods with it', async () => {
    const api = await startFakeKubeApi({ tls: true, pods: [makePod({ name: 'web', namespace: 'profiling' }), makePod({ name: 'other' })] });
    try {
      const sa = await serviceAccount(api.token, api.caCert!, 'profiling');
      const port = new URL(api.url).port;
      const opts = { env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port, HOME: dir }, serviceAccountDir: sa };
      const kc = loadKubeConfig(opts);
      expect(describeCluster(kc)).toBe(`https://127.0.0.1:${port} (context "in-cluster")`);
      expect(defaultNamespace(kc)).toBe('profiling');
      const kube = await loadKubeAccess(opts);
      expect(kube.describe()).toBe(`https://127.0.0.1:${port} (context "in-cluster")`);
      expect(kube.namespace).toBe('profiling');
      const names: string[] = [];
      for await (const item of listPods(kube, {})) if (item.kind === 'pod') names.push(item.pod.metadata!.name!);
      await kube.close();
      expect(names).toEqual(['web']);
      expect(api.requests.map((r) => [r.path, r.status])).toEqual([['/api/v1/namespaces/profiling/pods', 200]]);
    } finally {
      await api.close();
    }
  });

  it('comes before ~/.kube/config but after KUBECONFIG and --kubeconfig; brackets IPv6 hosts', async () => {
    const sa = await serviceAccount('t', 'not a real CA, only loading is checked');
    await mkdir(path.join(dir, '.kube'));
    await kubeconfigFile('.kube/config', [{ name: 'home', server: 'https://home.example' }]);
    const env = await kubeconfigFile('env', [{ name: 'env', server: 'https://env.example' }]);
    const pod = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443', HOME: dir };
    const kc = loadKubeConfig({ env: pod, serviceAccountDir: sa });
    expect(describeCluster(kc)).toBe('https://[fd00::1]:443 (context "in-cluster")');
    expect(defaultNamespace(kc)).toBe('default');
    expect(loadKubeConfig({ env: { ...pod, KUBECONFIG: env }, serviceAccountDir: sa }).getCurrentContext()).toBe('env');
    expect(loadKubeConfig({ kubeconfig: env, env: pod, serviceAccountDir: sa }).getCurrentContext()).toBe('env');
  });
});

describe('describeCluster', () => {
  it('shows the server and context, never credentials', async () => {
    const file = await kubeconfigFile('config', [{ name: 'c', server: 'https://user:pw@k8s.example:6443/prefix?x=1' }]);
    const kc = loadKubeConfig({ kubeconfig: file, env: {} });
    const text = describeCluster(kc);
    expect(text).toBe('https://k8s.example:6443/prefix (context "c")');
    expect(text).not.toContain('secret-c');
  });
});

import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { KubeAccess } from '../../src/kube/kube-access.js';
import { clientNodeReason, loadKubeAccess } from '../../src/kube/load-kube-access.js';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { KubeConfigError, resolveKubeconfig } from '../../src/kube/kubeconfig-resolve.js';
import { listPods, type PodListQuery } from '../../src/kube/list-pods.js';
import { writeExecCredentialPlugin } from '../doubles/exec-credential-plugin.js';
import type { FakeKubeApi, FakeKubeApiOptions } from '../doubles/fake-kube-api.js';
import { FAKE_CLIENT_CA_CERT, FAKE_CLIENT_CERT, FAKE_CLIENT_KEY } from '../doubles/fake-kube-api/client-identity.js';
import { makePod } from '../doubles/make-pod.js';
import { useKubeTestEnv } from './kube-test-env.js';

// The kubeconfig users and clusters kprofefe serves without client-node, each checked against the
// fake API (which records the credential that authenticated each request), and the exec user
// that goes through client-node.
const env = useKubeTestEnv('kube-access-');

async function fake(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  return env.startApi({ pods: [makePod({ name: 'web' }), makePod({ name: 'api', namespace: 'shop' })], ...opts });
}

/** Writes `<dir>/kubeconfig` with one context `c` (cluster and user fields as given) and returns its path. */
async function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, namespace?: string): Promise<string> {
  const file = path.join(env.dir, 'kubeconfig');
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace } }],
      'current-context': 'c',
    }),
  );
  return file;
}

async function access(file: string, context?: string): Promise<KubeAccess> {
  const kube = await loadKubeAccess({ kubeconfig: file, context, env: {} });
  env.track(kube);
  return kube;
}

async function names(kube: KubeAccess, sel: PodListQuery = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const item of listPods(kube, sel)) if (item.kind === 'pod') out.push(`${item.pod.metadata?.namespace}/${item.pod.metadata?.name}`);
  return out;
}

async function listError(kube: KubeAccess): Promise<KubeApiError> {
  try {
    await names(kube);
  } catch (err) {
    expect(err).toBeInstanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error('listPods did not fail');
}

const caData = (pem: string) => Buffer.from(pem).toString('base64');

describe('KubeAccess without client-node', () => {
  it('token: sends it as a bearer token', async () => {
    const server = await fake();
    const kube = await access(await kubeconfig({ server: server.url }, { token: server.token }));
    expect(await names(kube)).toEqual(['default/web']);
    expect(server.requests.map((r) => [r.path, r.auth, r.status])).toEqual([['/api/v1/namespaces/default/pods', 'bearer', 200]]);
  });

  it('tokenFile (relative to the kubeconfig): re-read for each request, so a rotated token is used', async () => {
    const server = await fake();
    await writeFile(path.join(env.dir, 'token'), `${server.token}\n`);
    const kube = await access(await kubeconfig({ server: server.url }, { tokenFile: 'token' }));
    expect(await names(kube)).toEqual(['default/web']);
    await writeFile(path.join(env.dir, 'token'), 'a-revoked-token');
    const err = await listError(kube);
    expect(err.code).toBe('KUBE_UNAUTHORIZED');
    expect(err.message).not.toContain('a-revoked-token');
    expect(server.requests.map((r) => [r.auth, r.status])).toEqual([
      ['bearer', 200],
      ['none', 401],
    ]);
  });

  it('client certificate and CA from files relative to the kubeconfig: verified over TLS both ways', async () => {
    const server = await fake({ tls: true, clientCa: FAKE_CLIENT_CA_CERT });
    await writeFile(path.join(env.dir, 'ca.crt'), server.caCert!);
    await writeFile(path.join(env.dir, 'jane.crt'), FAKE_CLIENT_CERT);
    await writeFile(path.join(env.dir, 'jane.key'), FAKE_CLIENT_KEY);
    const kube = await access(
      await kubeconfig({ server: server.url, 'certificate-authority': 'ca.crt' }, { 'client-certificate': 'jane.crt', 'client-key': 'jane.key' }),
    );
    expect(await names(kube, { allNamespaces: true })).toEqual(['default/web', 'shop/api']);
    expect(server.requests.map((r) => [r.auth, r.status])).toEqual([['client-certificate', 200]]);
  });

  it('client certificate as -data fields; without it the same server answers 401', async () => {
    const server = await fake({ tls: true, clientCa: FAKE_CLIENT_CA_CERT });
    const cluster = { server: server.url, 'certificate-authority-data': caData(server.caCert!) };
    const kube = await access(await kubeconfig(cluster, { 'client-certificate-data': caData(FAKE_CLIENT_CERT), 'client-key-data': caData(FAKE_CLIENT_KEY) }));
    expect(await names(kube)).toEqual(['default/web']);
    const anonymous = await access(await kubeconfig(cluster, {}));
    expect((await listError(anonymous)).code).toBe('KUBE_UNAUTHORIZED');
    expect(server.requests.map((r) => [r.auth, r.status])).toEqual([
      ['client-certificate', 200],
      ['none', 401],
    ]);
  });

  it('username/password: basic auth', async () => {
    const server = await fake({ basicAuth: { username: 'admin', password: 'pw:with:colons' } });
    const kube = await access(await kubeconfig({ server: server.url }, { username: 'admin', password: 'pw:with:colons' }));
    expect(await names(kube)).toEqual(['default/web']);
    const wrong = await access(await kubeconfig({ server: server.url }, { username: 'admin', password: 'nope' }));
    expect((await listError(wrong)).code).toBe('KUBE_UNAUTHORIZED');
    expect(server.requests.map((r) => [r.auth, r.status])).toEqual([
      ['basic', 200],
      ['none', 401],
    ]);
  });

  it('tls-server-name is the name the certificate is checked against; insecure-skip-tls-verify skips the check', async () => {
    const server = await fake({ tls: true });
    const user = { token: server.token };
    const ca = caData(server.caCert!);
    // The certificate is for 127.0.0.1 and localhost.
    expect(await names(await access(await kubeconfig({ server: server.url, 'certificate-authority-data': ca, 'tls-server-name': 'localhost' }, user)))).toEqual(
      ['default/web'],
    );
    const wrongName = await listError(
      await access(await kubeconfig({ server: server.url, 'certificate-authority-data': ca, 'tls-server-name': 'k8s.example' }, user)),
    );
    expect(wrongName.code).toBe('KUBE_TLS');
    expect(wrongName.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await names(await access(await kubeconfig({ server: server.url, 'insecure-skip-tls-verify': true }, user)))).toEqual(['default/web']);
  });

  it('proxy-url: requests tunnel through the HTTP proxy (CONNECT), TLS verified end to end', async () => {
    const server = await fake({ tls: true });
    const tunnels: string[] = [];
    // A minimal CONNECT proxy, as kubectl users put in front of a private API server.
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const kube = await access(
        await kubeconfig({ server: server.url, 'certificate-authority-data': caData(server.caCert!), 'proxy-url': proxyUrl }, { token: server.token }),
      );
      expect(await names(kube)).toEqual(['default/web']);
      expect(tunnels).toEqual([new URL(server.url).host]);
      expect(server.requests.map((r) => [r.auth, r.status])).toEqual([['bearer', 200]]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('--context picks the cluster, user and namespace of that context', async () => {
    const server = await fake();
    const file = path.join(env.dir, 'two-contexts');
    await writeFile(
      file,
      stringify({
        clusters: [
          { name: 'dead', cluster: { server: 'http://127.0.0.1:9' } },
          { name: 'fake', cluster: { server: `${server.url}/` } },
        ],
        users: [
          { name: 'nobody', user: { token: 'x' } },
          { name: 'ok', user: { token: server.token } },
        ],
        contexts: [
          { name: 'first', context: { cluster: 'dead', user: 'nobody' } },
          { name: 'second', context: { cluster: 'fake', user: 'ok', namespace: 'shop' } },
        ],
        'current-context': 'first',
      }),
    );
    const kube = await access(file, 'second');
    expect(kube.describe()).toBe(`${server.url} (context "second")`);
    expect(kube.namespace).toBe('shop');
    expect(await names(kube)).toEqual(['shop/api']);
    await expect(loadKubeAccess({ kubeconfig: file, context: 'third', env: {} })).rejects.toThrow(KubeConfigError);
  });

  it('a certificate file that cannot be read is a KubeConfigError naming the field, file and cluster', async () => {
    const file = await kubeconfig({ server: 'https://127.0.0.1:6443', 'certificate-authority': 'missing-ca.crt' }, { token: 't' });
    await expect(loadKubeAccess({ kubeconfig: file, env: {} })).rejects.toThrow(
      new KubeConfigError(
        `cannot read certificate-authority ${path.join(env.dir, 'missing-ca.crt')} of cluster "c" in kubeconfig file ${file}: it does not exist.`,
      ),
    );
  });
});

describe('KubeAccess through client-node', () => {
  it('an exec credential plugin user is served by client-node, and its token is used', async () => {
    const server = await fake();
    const file = await kubeconfig({ server: server.url, 'insecure-skip-tls-verify': true }, { exec: await writeExecCredentialPlugin(env.dir, server.token) });
    expect(clientNodeReason(resolveKubeconfig({ kubeconfig: file, env: {} }))).toBe('user "u" uses exec');
    const kube = await access(file);
    expect(kube.describe()).toBe(`${server.url} (context "c")`);
    expect(await names(kube, { names: ['web', 'ghost'] })).toEqual(['default/web']);
    expect(server.requests.map((r) => [r.path, r.auth, r.status])).toEqual([
      ['/api/v1/namespaces/default/pods/web', 'bearer', 200],
      ['/api/v1/namespaces/default/pods/ghost', 'bearer', 404],
    ]);
  });

  it('tokens, certificates and basic auth are served natively', async () => {
    const reason = async (user: Record<string, unknown>) =>
      clientNodeReason(resolveKubeconfig({ kubeconfig: await kubeconfig({ server: 'https://k8s.example' }, user), env: {} }));
    expect(await reason({ token: 't' })).toBeUndefined();
    expect(await reason({ 'client-certificate': 'a', 'client-key': 'b', as: 'jane' })).toBeUndefined();
    expect(await reason({ username: 'a', password: 'b' })).toBeUndefined();
    expect(await reason({ 'auth-provider': { name: 'oidc', config: {} } })).toBe('user "u" uses auth-provider');
  });
});

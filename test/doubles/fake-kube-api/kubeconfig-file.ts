import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * A kubeconfig for the fake API: one cluster/user/context named `fake`, namespace `default`.
 * Over HTTPS the server's certificate is the CA. Over plain HTTP `insecure-skip-tls-verify` is set:
 * client-node refuses `http:` servers without it.
 */
export async function writeFakeKubeconfig(dir: string, opts: { url: string; token: string; caCert?: string; fileName?: string }): Promise<string> {
  const file = path.join(dir, opts.fileName ?? 'kubeconfig');
  const tls = opts.caCert !== undefined ? { 'certificate-authority-data': Buffer.from(opts.caCert).toString('base64') } : { 'insecure-skip-tls-verify': true };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: opts.url, ...tls } }],
    users: [{ name: 'fake', user: { token: opts.token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
    'current-context': 'fake',
    preferences: {},
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
  return file;
}

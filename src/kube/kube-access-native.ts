import fs from 'node:fs';
import type { KubeAccess } from './kube-access.js';
import { kubeDispatcher, type KubeTls } from './kube-dispatcher.js';
import { describeServer, KubeConfigError, type ResolvedKubeconfig } from './kubeconfig-resolve.js';

/**
 * A KubeAccess built from the kubeconfig alone, without @kubernetes/client-node: bearer token
 * (`token`, or `tokenFile` re-read for each request so rotated tokens work), client certificate,
 * basic auth, impersonation (`as`), and the cluster's CA, `insecure-skip-tls-verify`,
 * `tls-server-name` and `proxy-url`.
 */

/** User fields served here; any other (exec, auth-provider ...) goes through client-node. */
export const NATIVE_USER_FIELDS: ReadonlySet<string> = new Set([
  'token',
  'tokenFile',
  'token-file',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'as',
  'extensions',
]);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A PEM from `<field>` (a file) or `<field>-data` (base64), as client-node reads them. */
function pem(fields: Record<string, unknown>, field: string, owner: string, source: string): Buffer | undefined {
  const file = text(fields[field]);
  if (file !== undefined) {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new KubeConfigError(`cannot read ${field} ${file} of ${owner} in ${source}: ${why}.`);
    }
  }
  const data = text(fields[`${field}-data`]);
  return data === undefined ? undefined : Buffer.from(data, 'base64');
}

function readToken(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the token file ${file}: ${(err as Error).message}`);
  }
}

export function nativeKubeAccess(resolved: ResolvedKubeconfig): KubeAccess {
  const { cluster, user, context, source } = resolved;
  const userFields = user?.fields ?? {};
  const clusterOwner = `cluster "${cluster.name}"`;
  const userOwner = `user "${user?.name}"`;
  const tls: KubeTls = {
    ca: pem(cluster.fields, 'certificate-authority', clusterOwner, source),
    cert: pem(userFields, 'client-certificate', userOwner, source),
    key: pem(userFields, 'client-key', userOwner, source),
    rejectUnauthorized: cluster.fields['insecure-skip-tls-verify'] === true ? false : undefined,
    servername: text(cluster.fields['tls-server-name']),
  };
  const dispatcher = kubeDispatcher(tls, text(cluster.fields['proxy-url']));
  const token = text(userFields.token);
  const tokenFile = text(userFields.tokenFile) ?? text(userFields['token-file']);
  const username = text(userFields.username);
  const impersonate = text(userFields.as);

  const headers = (): Record<string, string> => {
    const out: Record<string, string> = {};
    const bearer = token ?? (tokenFile !== undefined ? readToken(tokenFile) : undefined);
    if (bearer !== undefined) out.authorization = `Bearer ${bearer}`;
    else if (username !== undefined) {
      out.authorization = `Basic ${Buffer.from(`${username}:${text(userFields.password) ?? ''}`).toString('base64')}`;
    }
    if (impersonate !== undefined) out['impersonate-user'] = impersonate;
    return out;
  };

  return {
    server: cluster.server,
    namespace: context.namespace || 'default',
    describe: () => describeServer(cluster.server, context.name),
    requestOptions: async () => ({ headers: headers(), dispatcher }),
    close: () => dispatcher.close(),
  };
}

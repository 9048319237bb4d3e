import { KubeConfig } from '@kubernetes/client-node';
import { describeServer, resolveKubeconfig, type LoadKubeConfigOptions, type ResolvedKubeconfig } from './kubeconfig-resolve.js';

/**
 * The configuration of `resolveKubeconfig` (same lookup order, same errors) as a client-node
 * `KubeConfig`, for what needs client-node (the kubectl plugin's port-forwards and completion, and
 * kubeconfigs with exec or auth-provider users). Importing this module loads client-node (~80 MiB):
 * kprofefe imports it only when its kubeconfig needs it.
 */

export { DEFAULT_SERVICE_ACCOUNT_DIR, KubeConfigError, type LoadKubeConfigOptions } from './kubeconfig-resolve.js';

/** The kubeconfig user as client-node reads it; kubectl's `tokenFile` becomes client-node's re-reading tokenFile provider. */
function clientNodeUser(fields: Record<string, unknown>): Record<string, unknown> {
  const { tokenFile, ...rest } = fields;
  if (typeof tokenFile !== 'string' || rest.token || rest.exec || rest['auth-provider']) return rest;
  return { ...rest, 'auth-provider': { name: 'tokenFile', config: { tokenFile } } };
}

export function toClientNodeKubeConfig(resolved: ResolvedKubeconfig): KubeConfig {
  const { config } = resolved;
  const kc = new KubeConfig();
  // JSON is YAML: client-node maps the kubeconfig field names itself. Paths are already absolute.
  kc.loadFromString(
    JSON.stringify({
      clusters: config.clusters.map((c) => ({ name: c.name, cluster: { ...c.fields, server: c.server } })),
      users: config.users.map((u) => ({ name: u.name, user: clientNodeUser(u.fields) })),
      contexts: config.contexts.map((c) => ({ name: c.name, context: { cluster: c.cluster, user: c.user, namespace: c.namespace } })),
      'current-context': config.currentContext,
    }),
  );
  return kc;
}

export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): KubeConfig {
  return toClientNodeKubeConfig(resolveKubeconfig(opts));
}

/** `https://10.0.0.1:6443 (context "prod")`: for logs and messages; never credentials. */
export function describeCluster(kc: KubeConfig): string {
  return describeServer(kc.getCurrentCluster()?.server, kc.getCurrentContext());
}

/** The kubeconfig context's namespace, else "default" (as kubectl does). */
export function defaultNamespace(kc: KubeConfig): string {
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.namespace || 'default';
}

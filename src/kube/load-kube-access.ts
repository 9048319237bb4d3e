/**
 * Chooses how to reach the API of the kubeconfig's context: natively for tokens, token files,
 * client certificates and basic auth; through @kubernetes/client-node (imported only then) for
 * exec, auth-provider or any user field this code does not know.
 */
import type { KubeAccess } from './kube-access.js';
import { nativeKubeAccess, NATIVE_USER_FIELDS } from './kube-access-native.js';
import { resolveKubeconfig, type LoadKubeConfigOptions, type ResolvedKubeconfig } from './kubeconfig-resolve.js';

/** Why the context's user needs client-node, or undefined when it is served natively. */
export function clientNodeReason(resolved: ResolvedKubeconfig): string | undefined {
  const fields = Object.entries(resolved.user?.fields ?? {}).filter(([key, value]) => value !== undefined && value !== null && !NATIVE_USER_FIELDS.has(key));
  if (fields.length === 0) return undefined;
  return `user "${resolved.user?.name}" uses ${fields.map(([key]) => key).join(', ')}`;
}

/** A client-node KubeConfig's context as a KubeAccess (imports client-node). */
export async function kubeAccessViaClientNode(resolved: ResolvedKubeconfig): Promise<KubeAccess> {
  const [{ toClientNodeKubeConfig }, { kubeAccessFromKubeConfig }] = await Promise.all([
    import('./client-node-kubeconfig.js'),
    import('./kube-access-client-node.js'),
  ]);
  return kubeAccessFromKubeConfig(toClientNodeKubeConfig(resolved));
}

/** Finds the configuration (see resolveKubeconfig: lookup order, KubeConfigError) and how to reach its API. */
export async function loadKubeAccess(opts: LoadKubeConfigOptions = {}): Promise<KubeAccess> {
  const resolved = resolveKubeconfig(opts);
  return clientNodeReason(resolved) === undefined ? nativeKubeAccess(resolved) : kubeAccessViaClientNode(resolved);
}

import type { Dispatcher } from 'undici';
import { resolveKubeconfig, type LoadKubeConfigOptions, type ResolvedKubeconfig } from './kubeconfig-lookup.js';
import { nativeKubeAccess, NATIVE_USER_FIELDS } from './kube-access-native.js';

/**
 * How to reach the Kubernetes API of the chosen kubeconfig context: what `listPods` needs.
 * Most kubeconfigs (tokens, token files, client certificates, basic auth) are served without
 * @kubernetes/client-node, whose import costs ~80 MiB of memory. Users with `exec` or
 * `auth-provider` (or any other field this code does not know) are served through client-node,
 * imported only then, so credential plugins keep working.
 */
export interface KubeAccess {
  /** The API server URL, without a trailing slash (it may carry a path prefix). */
  readonly server: string;
  /** The context's namespace, else "default" (as kubectl does). */
  readonly namespace: string;
  /** `https://10.0.0.1:6443 (context "prod")`: for logs and messages; never credentials. */
  describe(): string;
  /**
   * What one request needs: its headers (a token file is re-read, exec credentials refreshed)
   * and the dispatcher carrying the TLS settings. Rejects when credentials cannot be obtained.
   */
  requestOptions(): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }>;
  /** Closes idle connections. */
  close(): Promise<void>;
}

/** Why the context's user needs client-node, or undefined when it is served natively. */
export function clientNodeReason(resolved: ResolvedKubeconfig): string | undefined {
  const fields = Object.entries(resolved.user?.fields ?? {}).filter(([key, value]) => value !== undefined && value !== null && !NATIVE_USER_FIELDS.has(key));
  if (fields.length === 0) return undefined;
  return `user "${resolved.user?.name}" uses ${fields.map(([key]) => key).join(', ')}`;
}

/** A client-node KubeConfig's context as a KubeAccess (imports client-node). */
export async function kubeAccessViaClientNode(resolved: ResolvedKubeconfig): Promise<KubeAccess> {
  const [{ toClientNodeKubeConfig }, { kubeAccessFromKubeConfig }] = await Promise.all([import('./kube-config.js'), import('./kube-access-client-node.js')]);
  return kubeAccessFromKubeConfig(toClientNodeKubeConfig(resolved));
}

/** Finds the configuration (see resolveKubeconfig: lookup order, KubeConfigError) and how to reach its API. */
export async function loadKubeAccess(opts: LoadKubeConfigOptions = {}): Promise<KubeAccess> {
  const resolved = resolveKubeconfig(opts);
  return clientNodeReason(resolved) === undefined ? nativeKubeAccess(resolved) : kubeAccessViaClientNode(resolved);
}

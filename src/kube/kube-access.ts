import type { Dispatcher } from 'undici';

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

import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import type { KubeAccess } from './kube-access.js';
import { defaultNamespace, describeCluster } from './client-node-kubeconfig.js';
import { kubeDispatcher, type KubeTls } from './kube-dispatcher.js';

/**
 * A client-node KubeConfig's current context as a KubeAccess: client-node computes each request's
 * headers and TLS material (so exec plugins, auth providers and their refreshes work as in
 * client-node), and the requests themselves go through undici like the native path's.
 * Used by kprofefe for kubeconfigs it cannot serve natively, and by the kubectl plugin.
 */
export function kubeAccessFromKubeConfig(kc: KubeConfig): KubeAccess {
  const server = kc.getCurrentCluster()?.server ?? '';
  const proxyUrl = kc.getCurrentCluster()?.proxyUrl;
  // One dispatcher per distinct TLS identity (an exec plugin may hand out a new client certificate).
  let current: { identity: string; dispatcher: Dispatcher } | undefined;
  const dispatchers: Dispatcher[] = [];
  return {
    server,
    namespace: defaultNamespace(kc),
    describe: () => describeCluster(kc),
    async requestOptions() {
      const opts: https.RequestOptions = {};
      const applied = await kc.applyToFetchOptions(opts);
      const headers: Record<string, string> = {};
      // node-fetch Headers (client-node's own): basic auth is only added here, not in opts.headers.
      (applied.headers as { forEach(fn: (value: string, key: string) => void): void }).forEach((value, key) => {
        headers[key.toLowerCase()] = value;
      });
      const tls: KubeTls = {
        ca: opts.ca as Buffer | undefined,
        cert: opts.cert as Buffer | undefined,
        key: opts.key as Buffer | undefined,
        rejectUnauthorized: opts.rejectUnauthorized,
        servername: opts.servername,
      };
      const identity = `${String(tls.cert ?? '')}\n${String(tls.key ?? '')}`;
      if (current === undefined || current.identity !== identity) {
        current = { identity, dispatcher: kubeDispatcher(tls, proxyUrl) };
        dispatchers.push(current.dispatcher);
      }
      return { headers, dispatcher: current.dispatcher };
    },
    close: async () => {
      await Promise.all(dispatchers.map((d) => d.close()));
    },
  };
}

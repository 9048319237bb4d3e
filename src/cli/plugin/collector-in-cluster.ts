/**
 * The collector reached through the Kubernetes API server's service proxy: the kubeconfig's
 * access (native, without client-node, unless its user needs an exec or auth-provider plugin),
 * the Service named by --collector or found by the chart's labels, and a ProfefeClient whose
 * requests go to `/api/v1/namespaces/NS/services/NAME:PORT/proxy/api/0/...` with the
 * kubeconfig's credentials. Imported only when no collector URL is given, so that commands given
 * one start without reading any kubeconfig.
 */
import type { KubeAccess } from '../../kube/kube-access.js';
import { KubeConfigError } from '../../kube/kubeconfig-resolve.js';
import { loadKubeAccess } from '../../kube/load-kube-access.js';
import { serviceProxy, type ServiceRef } from '../../kube/service-proxy.js';
import { ProfefeClient } from '../../profefe/profefe-client.js';
import { ConfigFailure } from './action.js';
import type { CollectorConnection } from './collector-connect.js';
import { findCollectorService } from './collector-lookup.js';
import type { GlobalOptions } from './global-options.js';

export interface InClusterOptions {
  readonly globals: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** A client for the Service (undefined: find it from `namespace`) through `access`'s API server. */
export async function collectorThroughApiServer(
  access: KubeAccess,
  service: ServiceRef | undefined,
  options: { namespace: string; timeoutMs: number; signal?: AbortSignal },
): Promise<{ client: ProfefeClient; service: ServiceRef }> {
  const ref = service ?? (await findCollectorService(access, options.namespace, lookupSignal(options)));
  const proxy = serviceProxy(access, ref);
  return { client: new ProfefeClient({ baseUrl: proxy.baseUrl, gateway: proxy, timeoutMs: options.timeoutMs }), service: ref };
}

export async function connectInCluster(service: ServiceRef | undefined, options: InClusterOptions): Promise<CollectorConnection> {
  const access = await kubeAccess(options);
  try {
    const namespace = options.globals.namespace ?? access.namespace;
    const { client } = await collectorThroughApiServer(access, service, { namespace, timeoutMs: options.timeoutMs, signal: options.signal });
    return { client, close: () => access.close() };
  } catch (err) {
    await access.close();
    throw err;
  }
}

async function kubeAccess({ globals, env }: InClusterOptions): Promise<KubeAccess> {
  try {
    return await loadKubeAccess({ kubeconfig: globals.kubeconfig, context: globals.context, env });
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    throw new ConfigFailure(`no collector URL given (--profefe-hostport, PROFEFE_HOSTPORT) and no cluster to find the collector Service in: ${err.message}`, {
      cause: err,
    });
  }
}

/** The lookup's requests end with the command (Ctrl-C) or after --timeout. */
function lookupSignal(options: { timeoutMs: number; signal?: AbortSignal }): AbortSignal {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  return options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
}

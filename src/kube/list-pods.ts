import { CoreV1Api, type KubeConfig, type V1Pod, type V1PodList } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log.js';
import { describeCluster } from './kube-config.js';
import { statusBodyOf, toKubeApiError } from './kube-api-error.js';

/**
 * Reads pods from the API, one at a time as pages arrive. Lists are filtered by the server
 * (Running phase, label selector) and paginated (`limit`/`continue`), so memory does not grow with
 * the cluster: only a page and the uids already yielded are held. Named pods are fetched one by
 * one; a missing one is an item, not an error.
 */

export interface PodSelection {
  /** The namespace to read; default: the kubeconfig context's namespace, else "default". */
  namespace?: string;
  /** Every namespace (a cluster-wide list); not combinable with `names`. */
  allNamespaces?: boolean;
  /** A Kubernetes label selector, applied by the server; not combinable with `names`. */
  labelSelector?: string;
  /** Pods to get by name in the namespace, whatever their phase. */
  names?: string[];
}

export type PodListItem =
  | { kind: 'pod'; pod: V1Pod }
  | { kind: 'missing'; namespace: string; name: string; reason: string };

export interface ListPodsOptions {
  /** Pods per page (`limit`); default 500, like kubectl. */
  pageSize?: number;
  log?: Logger;
}

export const DEFAULT_PAGE_SIZE = 500;
/** Lists restarted after 410 Expired before giving up (each restart means the list outlived a compaction). */
const MAX_LIST_RESTARTS = 3;

/** The kubeconfig context's namespace, else "default" (as kubectl does). */
export function defaultNamespace(kc: KubeConfig): string {
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.namespace || 'default';
}

export async function* listPods(kc: KubeConfig, sel: PodSelection, opts: ListPodsOptions = {}): AsyncGenerator<PodListItem> {
  const names = sel.names ?? [];
  if (names.length > 0) {
    if (sel.allNamespaces) throw new Error('pods cannot be named across all namespaces: give a namespace instead of all namespaces');
    if (sel.labelSelector) throw new Error('pod names and a label selector cannot be combined: give one or the other');
    yield* getNamedPods(kc, sel.namespace || defaultNamespace(kc), names);
    return;
  }
  yield* listRunningPods(kc, sel.allNamespaces ? undefined : sel.namespace || defaultNamespace(kc), sel.labelSelector, opts);
}

async function* getNamedPods(kc: KubeConfig, namespace: string, names: string[]): AsyncGenerator<PodListItem> {
  const api = kc.makeApiClient(CoreV1Api);
  const cluster = describeCluster(kc);
  for (const name of new Set(names)) {
    let pod: V1Pod;
    try {
      pod = await api.readNamespacedPod({ name, namespace });
    } catch (err) {
      const apiError = toKubeApiError(err, { verb: 'get', resource: 'pods', namespace, name, cluster });
      // Only the API's own NotFound Status: a bare 404 means a wrong server URL, not a missing pod.
      if (apiError.statusCode === 404 && apiError.reason === 'NotFound') {
        yield { kind: 'missing', namespace, name, reason: `pod ${namespace}/${name} not found` };
        continue;
      }
      throw apiError;
    }
    yield { kind: 'pod', pod };
  }
}

async function* listRunningPods(
  kc: KubeConfig,
  namespace: string | undefined,
  labelSelector: string | undefined,
  opts: ListPodsOptions,
): AsyncGenerator<PodListItem> {
  const api = kc.makeApiClient(CoreV1Api);
  const cluster = describeCluster(kc);
  const log = opts.log ?? silentLogger();
  const limit = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const query = { fieldSelector: 'status.phase=Running', labelSelector: labelSelector || undefined, limit };
  const scope = namespace ?? '(all namespaces)';
  // uids already yielded: after a restart (410) the list starts over and these are skipped.
  const seen = new Set<string>();
  let continueToken: string | undefined;
  let restarts = 0;
  let pages = 0;
  for (;;) {
    let page: V1PodList;
    try {
      page =
        namespace === undefined
          ? await api.listPodForAllNamespaces({ ...query, _continue: continueToken })
          : await api.listNamespacedPod({ ...query, namespace, _continue: continueToken });
    } catch (err) {
      const apiError = toKubeApiError(err, { verb: 'list', resource: 'pods', namespace, cluster });
      if (apiError.statusCode === 410 && continueToken !== undefined && restarts < MAX_LIST_RESTARTS) {
        restarts += 1;
        log.warn(
          { namespace: scope, cluster, pagesRead: pages, podsYielded: seen.size, restart: restarts, reason: statusBodyOf((err as { body?: unknown }).body)?.reason },
          'pod list continue token expired (410); restarting the list from the beginning, skipping pods already read',
        );
        continueToken = undefined;
        continue;
      }
      throw apiError;
    }
    pages += 1;
    log.debug({ namespace: scope, page: pages, items: page.items.length, more: Boolean(page.metadata?._continue) }, 'listed a page of pods');
    for (const pod of page.items) {
      const uid = pod.metadata?.uid;
      if (uid !== undefined) {
        if (seen.has(uid)) continue;
        seen.add(uid);
      }
      yield { kind: 'pod', pod };
    }
    continueToken = page.metadata?._continue || undefined;
    if (continueToken === undefined) return;
  }
}

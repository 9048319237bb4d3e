import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { PodSelection } from '../discover/pod-selection.js';
import { silentLogger, type Logger } from '../log.js';
import type { KubeAccess } from './kube-access.js';
import { KubeApiError, type KubeApiCall } from './kube-api-error.js';
import { getKubeJson as getJson } from './kube-request.js';

/**
 * Reads pods from the API, one at a time as pages arrive. Lists are filtered by the server
 * (Running phase, label selector) and paginated (`limit`/`continue`), so memory does not grow with
 * the cluster: only a page and the uids already yielded are held. Named pods are fetched one by
 * one; a missing one is an item, not an error. Plain HTTP requests (undici) with the KubeAccess's
 * headers and TLS settings; the client-node types are types only.
 */

export interface PodListQuery {
  /** The namespace to read; default: the kubeconfig context's namespace, else "default". */
  namespace?: string;
  /** Every namespace (a cluster-wide list); not combinable with `names`. */
  allNamespaces?: boolean;
  /** A Kubernetes label selector, applied by the server; not combinable with `names`. */
  labelSelector?: string;
  /** Pods to get by name in the namespace, whatever their phase. */
  names?: string[];
}

export type PodListItem = { kind: 'pod'; pod: V1Pod } | { kind: 'missing'; namespace: string; name: string; reason: string };

export interface ListPodsOptions {
  /** Pods per page (`limit`); default 500, like kubectl. */
  pageSize?: number;
  log?: Logger;
}

export const DEFAULT_PAGE_SIZE = 500;
/** Lists restarted after 410 Expired before giving up (each restart means the list outlived a compaction). */
const MAX_LIST_RESTARTS = 3;

export async function* listPods(access: KubeAccess, sel: PodListQuery, opts: ListPodsOptions = {}): AsyncGenerator<PodListItem> {
  const names = sel.names ?? [];
  if (names.length > 0) {
    if (sel.allNamespaces) throw new Error('pods cannot be named across all namespaces: give a namespace instead of all namespaces');
    if (sel.labelSelector) throw new Error('pod names and a label selector cannot be combined: give one or the other');
    yield* getNamedPods(access, sel.namespace || access.namespace, names);
    return;
  }
  yield* listRunningPods(access, sel.allNamespaces ? undefined : sel.namespace || access.namespace, sel.labelSelector, opts);
}

/** The pods of a command line's selection: every namespace it names in turn, or all of them. */
export async function* listSelection(access: KubeAccess, selection: PodSelection, opts: ListPodsOptions = {}): AsyncGenerator<PodListItem> {
  const { labelSelector } = selection;
  if (selection.allNamespaces) {
    yield* listPods(access, { allNamespaces: true, labelSelector }, opts);
    return;
  }
  const names = selection.names.length > 0 ? [...selection.names] : undefined;
  const namespaces = selection.namespaces.length > 0 ? selection.namespaces : [access.namespace];
  for (const namespace of namespaces) yield* listPods(access, { namespace, labelSelector, names }, opts);
}

async function* getNamedPods(access: KubeAccess, namespace: string, names: string[]): AsyncGenerator<PodListItem> {
  const cluster = access.describe();
  for (const name of new Set(names)) {
    let pod: V1Pod;
    try {
      pod = await getJson<V1Pod>(
        access,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
        {},
        {
          verb: 'get',
          resource: 'pods',
          namespace,
          name,
          cluster,
        },
      );
    } catch (err) {
      // Only the API's own NotFound Status: a bare 404 means a wrong server URL, not a missing pod.
      if (err instanceof KubeApiError && err.statusCode === 404 && err.reason === 'NotFound') {
        yield { kind: 'missing', namespace, name, reason: `pod ${namespace}/${name} not found` };
        continue;
      }
      throw err;
    }
    yield { kind: 'pod', pod };
  }
}

async function* listRunningPods(
  access: KubeAccess,
  namespace: string | undefined,
  labelSelector: string | undefined,
  opts: ListPodsOptions,
): AsyncGenerator<PodListItem> {
  const cluster = access.describe();
  const log = opts.log ?? silentLogger();
  const path = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const query = { fieldSelector: 'status.phase=Running', labelSelector: labelSelector || undefined, limit: String(opts.pageSize ?? DEFAULT_PAGE_SIZE) };
  const call: KubeApiCall = { verb: 'list', resource: 'pods', namespace, cluster };
  const scope = namespace ?? '(all namespaces)';
  // uids already yielded: after a restart (410) the list starts over and these are skipped.
  const seen = new Set<string>();
  let continueToken: string | undefined;
  let restarts = 0;
  let pages = 0;
  for (;;) {
    let page: V1PodList;
    try {
      page = await getJson<V1PodList>(access, path, { ...query, continue: continueToken }, call);
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 410 && continueToken !== undefined && restarts < MAX_LIST_RESTARTS) {
        restarts += 1;
        log.warn(
          { namespace: scope, cluster, pagesRead: pages, podsYielded: seen.size, restart: restarts, reason: err.reason },
          'pod list continue token expired (410); restarting the list from the beginning, skipping pods already read',
        );
        continueToken = undefined;
        continue;
      }
      throw err;
    }
    pages += 1;
    // The raw JSON: ListMeta's `continue` (client-node's typed model calls it `_continue`).
    const next = (page.metadata as { continue?: string } | undefined)?.continue;
    log.debug({ namespace: scope, page: pages, items: page.items?.length ?? 0, more: Boolean(next) }, 'listed a page of pods');
    for (const pod of page.items ?? []) {
      const uid = pod.metadata?.uid;
      if (uid !== undefined) {
        if (seen.has(uid)) continue;
        seen.add(uid);
      }
      yield { kind: 'pod', pod };
    }
    continueToken = next || undefined;
    if (continueToken === undefined) return;
  }
}

import type { V1Service, V1ServiceList } from '@kubernetes/client-node';
import type { KubeAccess } from './kube-access.js';
import { getKubeJson } from './kube-request.js';

/**
 * The Services matching a label selector, in one namespace or in all of them (`list` on
 * `services`). One request, no pagination: it is meant for selectors that match a handful of
 * Services (the server answers everything at once when no `limit` is sent). Rejects with a
 * KubeApiError (403 names the missing `list`).
 */
export async function listServices(
  access: KubeAccess,
  query: { namespace: string | undefined; labelSelector: string; signal?: AbortSignal },
): Promise<V1Service[]> {
  const { namespace, labelSelector, signal } = query;
  const path = namespace === undefined ? '/api/v1/services' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`;
  const call = { verb: 'list', resource: 'services', namespace, cluster: access.describe() };
  const list = await getKubeJson<V1ServiceList>(access, path, { labelSelector }, call, signal);
  return list.items ?? [];
}

import type { RbacRules } from './rbac-rules.js';
import { parseLabelSelector, LabelSelectorError, type LabelMatcher } from './label-selector.js';
import type { RouteResult } from './pod-routes.js';
import type { ServiceStore } from './service-store.js';
import { badRequest, forbidden, notFound, type KubeStatus } from './status.js';

/**
 * GET on Services, as the real server answers: lists (one namespace, or all with
 * `/api/v1/services`) filtered by label selector, one Service by name, RBAC refusals first.
 * Lists are never paginated here: a test cluster holds a handful of Services, fewer than any
 * `limit` a client sends (kubectl's is 500), so the real server would answer in one page too.
 */

export interface ServiceRouteContext {
  readonly services: ServiceStore;
  readonly user: string;
  readonly rbac: RbacRules;
}

function fail(error: KubeStatus): RouteResult {
  return { status: error.code, error };
}

/** GET /api/v1/services (namespace undefined) and /api/v1/namespaces/{ns}/services. */
export function listServices(ctx: ServiceRouteContext, namespace: string | undefined, query: URLSearchParams): RouteResult {
  if (ctx.rbac.denies('list', 'services', namespace)) return fail(forbidden({ user: ctx.user, verb: 'list', resource: 'services', namespace }));
  if (query.get('watch') === 'true' || query.get('watch') === '1') return fail(badRequest('the fake Kubernetes API does not serve watches'));
  if ((query.get('fieldSelector') ?? '').trim() !== '') return fail(badRequest('the fake Kubernetes API does not filter services by field'));
  let labels: LabelMatcher;
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? '');
  } catch (err) {
    if (err instanceof LabelSelectorError) return fail(badRequest(`unable to parse requirement: ${err.message}`));
    throw err;
  }
  const items = ctx.services.list(namespace, (service) => labels(service.metadata?.labels)).map((stored) => stored.itemJson);
  const metadata = JSON.stringify({ resourceVersion: String(ctx.services.resourceVersion) });
  return { status: 200, json: `{"kind":"ServiceList","apiVersion":"v1","metadata":${metadata},"items":[${items.join(',')}]}` };
}

/** GET /api/v1/namespaces/{ns}/services/{name}. */
export function getService(ctx: ServiceRouteContext, namespace: string, name: string): RouteResult {
  if (ctx.rbac.denies('get', 'services', namespace)) return fail(forbidden({ user: ctx.user, verb: 'get', resource: 'services', namespace, name }));
  const stored = ctx.services.get(namespace, name);
  if (stored === undefined) return fail(notFound('services', name));
  return { status: 200, json: stored.json };
}

import type { PodStore } from './pod-store.js';
import { parseLabelSelector, LabelSelectorError, type LabelMatcher } from './label-selector.js';
import { parsePodFieldSelector, FieldSelectorError, type PodFieldMatcher } from './field-selector.js';
import { badRequest, expired, forbidden, notFound, type KubeStatus } from './status.js';

/** What a route answers: a JSON body already serialised, or a Status error. */
export type RouteResult = { status: number; json: string } | { status: number; error: KubeStatus };

export interface PodRouteContext {
  store: PodStore;
  user: string;
  forbiddenNamespaces: ReadonlySet<string>;
}

function ok(body: object): RouteResult {
  return { status: 200, json: JSON.stringify(body) };
}

function fail(error: KubeStatus): RouteResult {
  return { status: error.code, error };
}

/** GET /api/v1/pods (namespace undefined) and /api/v1/namespaces/{ns}/pods. */
export function listPods(ctx: PodRouteContext, namespace: string | undefined, query: URLSearchParams): RouteResult {
  // Authorization comes before parameter checks, as in the real server's filter chain.
  const denied = namespace === undefined ? ctx.forbiddenNamespaces.size > 0 : ctx.forbiddenNamespaces.has(namespace);
  if (denied) return fail(forbidden({ user: ctx.user, verb: 'list', resource: 'pods', namespace }));
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    return fail(badRequest('the fake Kubernetes API does not serve watches'));
  }
  const labelSelector = query.get('labelSelector') ?? '';
  const fieldSelector = query.get('fieldSelector') ?? '';
  let labels: LabelMatcher;
  let fields: PodFieldMatcher;
  try {
    labels = parseLabelSelector(labelSelector);
    fields = parsePodFieldSelector(fieldSelector);
  } catch (err) {
    if (err instanceof LabelSelectorError) return fail(badRequest(`unable to parse requirement: ${err.message}`));
    // kubectl wraps this as `Unable to find "/v1, Resource=pods" that match ...: field label not supported: x`.
    if (err instanceof FieldSelectorError) return fail(badRequest(err.message));
    throw err;
  }
  const continueToken = query.get('continue') ?? undefined;
  if (continueToken && (query.get('resourceVersion') ?? '') !== '') {
    return fail(badRequest('specifying resource version is not allowed when using continue'));
  }
  const rawLimit = query.get('limit');
  if (rawLimit !== null && !/^-?\d+$/.test(rawLimit)) {
    return fail(badRequest(`limit: Invalid value: "${rawLimit}": strconv.ParseInt: parsing "${rawLimit}": invalid syntax`));
  }
  const result = ctx.store.list({
    namespace,
    match: (pod) => labels(pod.metadata?.labels) && fields(pod),
    filtered: labelSelector.trim() !== '' || fieldSelector.trim() !== '',
    limit: rawLimit === null ? undefined : Number(rawLimit),
    continueToken,
  });
  if (result.kind === 'expired') return fail(expired(result.inconsistentContinue));
  if (result.kind === 'invalid-continue') return fail(badRequest(result.message));
  const { page } = result;
  const metadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continue !== undefined ? { continue: page.continue } : {}),
    ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
  };
  const items = page.items.map((stored) => stored.itemJson).join(',');
  return { status: 200, json: `{"kind":"PodList","apiVersion":"v1","metadata":${JSON.stringify(metadata)},"items":[${items}]}` };
}

/** GET /api/v1/namespaces/{ns}/pods/{name}. */
export function getPod(ctx: PodRouteContext, namespace: string, name: string): RouteResult {
  if (ctx.forbiddenNamespaces.has(namespace)) {
    return fail(forbidden({ user: ctx.user, verb: 'get', resource: 'pods', namespace, name }));
  }
  const stored = ctx.store.getStored(namespace, name);
  if (stored === undefined) return fail(notFound('pods', name));
  return { status: 200, json: stored.json };
}

function namespaceNames(ctx: PodRouteContext): string[] {
  return [...new Set(['default', ...ctx.store.namespaces(), ...ctx.forbiddenNamespaces])].sort();
}

function namespaceObject(name: string): object {
  return {
    metadata: { name, uid: `ns-${name}`, resourceVersion: '1', creationTimestamp: '2026-11-01T00:00:00Z', labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/**
 * GET /api/v1/namespaces. The namespaces that exist: `default`, those holding pods and the
 * forbidden ones. Namespaces are cluster-scoped, so a user limited to some namespaces gets 403.
 */
export function listNamespaces(ctx: PodRouteContext): RouteResult {
  if (ctx.forbiddenNamespaces.size > 0) return fail(forbidden({ user: ctx.user, verb: 'list', resource: 'namespaces' }));
  const items = namespaceNames(ctx).map(namespaceObject);
  return ok({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items });
}

/** GET /api/v1/namespaces/{ns}: kubectl asks after a 404 to tell a missing namespace from a missing pod. */
export function getNamespace(ctx: PodRouteContext, name: string): RouteResult {
  if (ctx.forbiddenNamespaces.size > 0) return fail(forbidden({ user: ctx.user, verb: 'get', resource: 'namespaces', namespace: name, name }));
  if (!namespaceNames(ctx).includes(name)) return fail(notFound('namespaces', name));
  return ok({ kind: 'Namespace', apiVersion: 'v1', ...namespaceObject(name) });
}

import type { RbacRules } from './rbac-rules.js';
import type { RouteResult } from './pod-routes.js';
import { badRequest, unsupportedMediaType } from './status.js';

/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (what `kubectl auth can-i` asks):
 * whether the user may do a verb on a resource, answered from the fake's RBAC rules. Every
 * authenticated user may create these reviews, as with the real server's system:basic-user role.
 * JSON bodies only: the real server also reads protobuf (what kubectl sends), the fake answers 415.
 */

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export function reviewAccess(rbac: RbacRules, contentType: string | undefined, body: string): RouteResult {
  if (!/^application\/json\b/.test(contentType ?? '')) {
    const error = unsupportedMediaType(contentType ?? '');
    return { status: error.code, error };
  }
  let review: { apiVersion?: string; kind?: string; spec?: { resourceAttributes?: ResourceAttributes } };
  try {
    review = JSON.parse(body) as typeof review;
  } catch (err) {
    const error = badRequest(`the body of the request was in an unknown format: ${(err as Error).message}`);
    return { status: error.code, error };
  }
  const attributes = review.spec?.resourceAttributes;
  if (attributes?.verb === undefined || attributes.resource === undefined) {
    const error = badRequest('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Required value');
    return { status: error.code, error };
  }
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const allowed = !rbac.denies(attributes.verb, resource, attributes.namespace || undefined);
  const status = allowed ? { allowed: true, reason: 'RBAC: allowed by the fake API server' } : { allowed: false };
  return {
    status: 201,
    json: JSON.stringify({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status,
    }),
  };
}

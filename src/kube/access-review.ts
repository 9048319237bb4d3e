import type { KubeAccess } from './kube-access.js';
import { kubeJson } from './kube-request.js';

/**
 * `kubectl auth can-i`: asks the API server whether the current user may do a verb on a resource
 * (a SelfSubjectAccessReview, which every authenticated user may create). Resolves to undefined
 * when the server cannot say (the review itself failed): callers then just try.
 */

export interface AccessQuestion {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

export async function canI(access: KubeAccess, question: AccessQuestion, signal?: AbortSignal): Promise<boolean | undefined> {
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: '', ...question } } };
  const call = { verb: 'create', resource: 'selfsubjectaccessreviews', cluster: access.describe() };
  try {
    const answer = await kubeJson<{ status?: { allowed?: unknown } }>(access, { method: 'POST', path: REVIEW_PATH, body: review, signal }, call);
    return answer.status?.allowed === true;
  } catch {
    return undefined;
  }
}

/**
 * `kind: Status` error bodies with the reasons, codes and message shapes the real API server sends
 * (k8s.io/apimachinery/pkg/api/errors).
 */

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; kind?: string };
  code: number;
}

function status(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export function unauthorized(): KubeStatus {
  return status(401, 'Unauthorized', 'Unauthorized');
}

/**
 * RBAC denial; `namespace` undefined means the cluster scope. With a `subresource` (e.g. proxy) the
 * object is still named by its resource (`services "x" is forbidden`) and the rule by both
 * (`cannot get resource "services/proxy"`), as the real server words it.
 */
export function forbidden(opts: { user: string; verb: string; resource: string; subresource?: string; namespace?: string; name?: string }): KubeStatus {
  const subject = opts.name === undefined ? opts.resource : `${opts.resource} "${opts.name}"`;
  const rule = opts.subresource === undefined ? opts.resource : `${opts.resource}/${opts.subresource}`;
  const scope = opts.namespace === undefined ? 'at the cluster scope' : `in the namespace "${opts.namespace}"`;
  return status(403, 'Forbidden', `${subject} is forbidden: User "${opts.user}" cannot ${opts.verb} resource "${rule}" in API group "" ${scope}`, {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    kind: opts.resource,
  });
}

/** 503 ServiceUnavailable: what the service proxy answers when it has nowhere to send a request. */
export function serviceUnavailable(message: string): KubeStatus {
  return status(503, 'ServiceUnavailable', message);
}

export function notFound(resource: string, name: string): KubeStatus {
  return status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

/** The page path itself is unknown (no such route): the server's plain 404. */
export function pathNotFound(): KubeStatus {
  return status(404, 'NotFound', 'the server could not find the requested resource');
}

export function badRequest(message: string): KubeStatus {
  return status(400, 'BadRequest', message);
}

/** A request body in a format the server does not read (the fake reads JSON only). */
export function unsupportedMediaType(contentType: string): KubeStatus {
  return status(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json (got "${contentType}")`,
  );
}

export function methodNotAllowed(method: string): KubeStatus {
  return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

/** 410 for a continue token whose snapshot is gone; `inconsistentContinue` resumes without consistency. */
export function expired(inconsistentContinue: string | undefined): KubeStatus {
  const body = status(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  if (inconsistentContinue !== undefined) body.metadata.continue = inconsistentContinue;
  return body;
}

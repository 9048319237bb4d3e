import { httpStatusError, KubeApiError, statusBodyOf, type KubeApiCall, type KubeStatusBody } from './kube-api-error.js';
import type { ServiceRef } from './service-proxy.js';

/**
 * What the API server answers itself to a service proxy request, instead of the Service: a
 * `kind: Status` body (a Service behind the proxy answers its own bodies, e.g. profefe's
 * `{"code":404,"error":"nothing found"}`, which are passed through). Each becomes a KubeApiError
 * that says what to do: the RBAC verb on `services/proxy` to grant (`get` for GET, `create` for
 * POST, as the server checks them), the Service that does not exist, or why it cannot be reached.
 */

export interface ProxyAnswer {
  readonly status: number;
  readonly body: Buffer;
  readonly method: string;
  readonly ref: ServiceRef;
  /** `https://... (context "...")`, named in messages. */
  readonly cluster: string;
}

/** The RBAC verb the API server checks for a request method on a named object. */
export function proxyVerb(method: string): string {
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? 'get';
}

/** A `kind: Status` body of the API server, or undefined for anything else (the Service's own answer). */
function apiServerStatus(body: Buffer): KubeStatusBody | undefined {
  if (body.length === 0 || body.length > 64 * 1024 || body[0] !== 0x7b) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as { kind?: unknown; apiVersion?: unknown };
    return value.kind === 'Status' && value.apiVersion === 'v1' ? statusBodyOf(value) : undefined;
  } catch {
    return undefined;
  }
}

export function serviceProxyRefusal(answer: ProxyAnswer): KubeApiError | undefined {
  if (answer.status < 400) return undefined;
  const status = apiServerStatus(answer.body);
  if (status === undefined) return undefined;
  const { ref } = answer;
  // The server's own verb when it names one ("cannot create resource \"services/proxy\"").
  const verb = /cannot (\w+) resource "services\/proxy"/.exec(status.message ?? '')?.[1] ?? proxyVerb(answer.method);
  const call: KubeApiCall = { verb, resource: 'services/proxy', namespace: ref.namespace, name: `${ref.name}:${ref.port}`, cluster: answer.cluster };
  const details = { statusCode: answer.status, reason: status.reason };
  const service = `Service ${ref.namespace}/${ref.name}`;
  const said = status.message ?? `${answer.status} ${status.reason ?? ''}`.trim();
  if (answer.status === 404) {
    return new KubeApiError(
      'KUBE_NOT_FOUND',
      `the ${service} was not found (the API server's service proxy answered 404: ${said}). Check the namespace and name: kubectl get services -n ${ref.namespace}`,
      call,
      details,
    );
  }
  if (answer.status === 503) {
    return new KubeApiError(
      'KUBE_HTTP_STATUS',
      `the ${service} port ${ref.port} cannot be reached: the API server's service proxy answered 503: ${said}. ${unavailableAdvice(said, ref)}`,
      call,
      details,
    );
  }
  const error = httpStatusError(answer.status, answer.body.toString('utf8'), call);
  if (answer.status !== 403) return error;
  return new KubeApiError(
    error.code,
    `${error.message} The ${service} is reached through the API server's service proxy: "get" on "services/proxy" to read, "create" to upload.`,
    call,
    details,
  );
}

function unavailableAdvice(message: string, ref: ServiceRef): string {
  const describe = `kubectl describe service -n ${ref.namespace} ${ref.name}`;
  if (/no service port/.test(message)) return `The Service has no such port: name one of its ports (${describe}).`;
  if (/no endpoints available/.test(message)) return `No ready pod backs the Service: check its pods (${describe}).`;
  return `Its pod did not answer: check that it is running and listening (${describe}).`;
}

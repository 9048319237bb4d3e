import type { Dispatcher } from 'undici';
import type { KubeAccess } from './kube-access.js';
import { serviceProxyRefusal } from './service-proxy-errors.js';

/**
 * A Service reached through the API server's service proxy,
 * `/api/v1/namespaces/NS/services/NAME:PORT/proxy/<path>`: each request goes to the API server
 * with the kubeconfig's credentials (`get` on `services/proxy` for GET, `create` for POST), which
 * forwards it, path below `/proxy` and query string unchanged, to a ready endpoint of the Service,
 * and passes the answer back. What the API server answers itself (a `kind: Status` refusal: 403,
 * a missing Service, no endpoints) is turned into a KubeApiError by `refusal`.
 */

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** A port name or number of the Service (the API server maps a number to its port). */
  readonly port: string;
}

export interface ServiceProxy {
  /** The proxy's URL on the API server, without a trailing slash: paths of the Service go after it. */
  readonly baseUrl: string;
  /** `service NS/NAME:PORT through the Kubernetes API at <server> (context "...")`: for messages. */
  readonly name: string;
  /** The API path of a Service path, as `kubectl get --raw` takes it. */
  location(path: string): string;
  /** Credentials and TLS for one request (re-read token files, refreshed exec credentials). */
  requestOptions(): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }>;
  /** The API server's own refusal as a KubeApiError, or undefined when the answer is the Service's. */
  refusal(status: number, body: Buffer, request: { method: string; path: string }): Error | undefined;
}

/** `kube-profefe/kube-profefe-collector:http` */
export function serviceRefText(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.name}:${ref.port}`;
}

/** `/api/v1/namespaces/NS/services/NAME:PORT/proxy` */
export function serviceProxyPath(ref: ServiceRef): string {
  return `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/services/${encodeURIComponent(ref.name)}:${encodeURIComponent(ref.port)}/proxy`;
}

export function serviceProxy(access: KubeAccess, ref: ServiceRef): ServiceProxy {
  const path = serviceProxyPath(ref);
  const cluster = access.describe();
  return {
    baseUrl: `${access.server}${path}`,
    name: `service ${serviceRefText(ref)} through the Kubernetes API at ${cluster}`,
    location: (servicePath) => `${path}${servicePath}`,
    requestOptions: () => access.requestOptions(),
    refusal: (status, body, request) => serviceProxyRefusal({ status, body, method: request.method, ref, cluster }),
  };
}

import http from 'node:http';
import https from 'node:https';
import type { RbacRules } from './rbac-rules.js';
import type { ServiceStore } from './service-store.js';
import { badRequest, forbidden, notFound, serviceUnavailable, type KubeStatus } from './status.js';

/**
 * The service proxy subresource, `/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}`,
 * as kube-apiserver serves it (pkg/registry/core/service/storage ResourceLocation and
 * apimachinery's proxy transport): RBAC on `services/proxy` with the verb of the HTTP method, the
 * port found by number (through the Service) or by name (through its endpoints), then one request
 * to the endpoint with the same method, path below `/proxy`, query string and body, and the
 * endpoint's answer passed back as is. The user's Authorization header is not forwarded (the
 * real server removes it once it has authenticated the request).
 *
 * Simplifications: the path below `/proxy` is forwarded exactly as received (the real server
 * re-escapes it after decoding, which changes nothing for the paths clients send), and every port
 * of a Service forwards to its one backend.
 */

export interface ServiceProxyContext {
  readonly services: ServiceStore;
  readonly user: string;
  readonly rbac: RbacRules;
}

export interface ProxyRequest {
  readonly namespace: string;
  /** `name`, `name:port` or `scheme:name:port`, as in the path. */
  readonly id: string;
  /** The path below `/proxy` (`/` when none), and the query string (with its `?`). */
  readonly path: string;
  readonly search: string;
}

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;
/** Request headers that belong to one connection, never forwarded (RFC 9110 §7.6.1, as Go's ReverseProxy drops them). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** The proxy request a path names, or undefined for any other path. */
export function proxyRequestOf(pathname: string, search: string): ProxyRequest | undefined {
  const match = PROXY_PATH.exec(pathname);
  if (match === null) return undefined;
  return { namespace: decodeURIComponent(match[1] as string), id: decodeURIComponent(match[2] as string), path: match[3] ?? '/', search };
}

/** The RBAC verb of an HTTP method on a named object (k8s.io/apiserver RequestInfoFactory). */
function verbOf(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

/** `[scheme:]name[:port]` as utilnet.SplitSchemeNamePort reads it. */
function splitId(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  const [scheme, name, port] = parts.length === 3 ? parts : ['', parts[0], parts.length === 2 ? parts[1] : ''];
  if (parts.length > 3 || name === undefined || name === '' || !['', 'http', 'https'].includes(scheme ?? '')) return undefined;
  return { scheme: scheme || 'http', name, port: port ?? '' };
}

/** Where the request goes (the backend URL and scheme), or the Status the real server answers instead. */
export function resolveProxy(ctx: ServiceProxyContext, method: string, target: ProxyRequest): { url: URL } | { error: KubeStatus } {
  const { namespace, id } = target;
  const verb = verbOf(method);
  if (ctx.rbac.denies(verb, 'services/proxy', namespace)) {
    return { error: forbidden({ user: ctx.user, verb, resource: 'services', subresource: 'proxy', namespace, name: id }) };
  }
  const split = splitId(id);
  if (split === undefined) return { error: badRequest(`invalid service request "${id}"`) };
  let portName = split.port;
  const stored = ctx.services.get(namespace, split.name);
  if (/^[0-9]+$/.test(split.port)) {
    if (stored === undefined) return { error: notFound('services', split.name) };
    const port = stored.service.spec?.ports?.find((p) => p.port === Number(split.port));
    if (port === undefined) return { error: serviceUnavailable(`no service port ${split.port} found for service "${split.name}"`) };
    portName = port.name ?? '';
  }
  if (stored === undefined) return { error: notFound('endpoints', split.name) };
  if (stored.backend === undefined) return { error: serviceUnavailable(`no endpoints available for service "${split.name}"`) };
  if (!(stored.service.spec?.ports ?? []).some((p) => (p.name ?? '') === portName)) {
    return { error: serviceUnavailable(`no endpoints available for service "${id}"`) };
  }
  const url = new URL(`${target.path}${target.search}`, stored.backend);
  url.protocol = `${split.scheme}:`;
  return { url };
}

function forwardedHeaders(req: http.IncomingMessage, backend: URL): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (HOP_BY_HOP.has(name) || name === 'authorization' || name === 'host' || value === undefined) continue;
    headers[name] = value;
  }
  headers.host = backend.host;
  return headers;
}

/** Go's words for a failed dial, which the real server quotes: `dial tcp 10.0.0.5:10100: connect: connection refused`. */
function dialError(err: NodeJS.ErrnoException, backend: URL): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${backend.host}: connect: connection refused`;
  return err.message;
}

/**
 * Forwards one request to the backend and pipes its answer back. Resolves with the status sent
 * to the client; `sendError` answers a Status (the caller's writer, so requests are logged alike).
 */
export function forwardToBackend(req: http.IncomingMessage, res: http.ServerResponse, backend: URL, sendError: (error: KubeStatus) => void): Promise<number> {
  return new Promise((resolve) => {
    const client = backend.protocol === 'https:' ? https : http;
    const upstream = client.request(
      backend,
      { method: req.method, headers: forwardedHeaders(req, backend), ...(backend.protocol === 'https:' ? { rejectUnauthorized: false } : {}) },
      (answer) => {
        const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        resolve(answer.statusCode ?? 502);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const error = serviceUnavailable(`error trying to reach service: ${dialError(err, backend)}`);
      sendError(error);
      resolve(error.code);
    });
    req.pipe(upstream);
  });
}

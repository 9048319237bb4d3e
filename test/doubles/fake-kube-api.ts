import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { ACCESS_REVIEW_PATH, reviewAccess } from './fake-kube-api/access-review.js';
import { apiGroupList, apiVersions, coreV1Resources, versionInfo } from './fake-kube-api/discovery.js';
import { writeFakeKubeconfig } from './fake-kube-api/kubeconfig-file.js';
import { PodStore } from './fake-kube-api/pod-store.js';
import { getNamespace, getPod, listNamespaces, listPods, type PodRouteContext, type RouteResult } from './fake-kube-api/pod-routes.js';
import { RbacRules, type ForbiddenRule } from './fake-kube-api/rbac-rules.js';
import { forwardToBackend, proxyRequestOf, resolveProxy, type ProxyRequest } from './fake-kube-api/service-proxy.js';
import { getService, listServices, type ServiceRouteContext } from './fake-kube-api/service-routes.js';
import { ServiceStore } from './fake-kube-api/service-store.js';
import { methodNotAllowed, pathNotFound, unauthorized, type KubeStatus } from './fake-kube-api/status.js';
import { FAKE_KUBE_API_CERT, FAKE_KUBE_API_KEY } from './fake-kube-api/tls-identity.js';

/**
 * A fake Kubernetes API server: a real HTTP server on 127.0.0.1 that answers what kube-profefe and
 * `kubectl get pods` ask, with the real server's shapes (Status errors, pagination with continue
 * tokens, label and field selectors, bearer-token auth, RBAC-style 403s). Services are listed and
 * got like pods, and their proxy subresource forwards to a backend (a test server on 127.0.0.1)
 * as the real server's does (./fake-kube-api/service-proxy.ts); access reviews (`kubectl auth
 * can-i`) answer from the same RBAC rules. Port-forward is not served here: attach to `server`'s
 * 'upgrade' event (and use `isAuthorized`).
 *
 * Plain HTTP by default. `tls: true` serves HTTPS with a fixed self-signed certificate
 * (`caCert`): needed for kubectl, which (like all client-go programs) sends bearer tokens only
 * over TLS and would otherwise get 401 for everything.
 */

export interface FakeKubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered (0 while the request is in flight). */
  status: number;
  /** The credential that authenticated the request, if any. */
  auth: FakeKubeAuth;
}

export type FakeKubeAuth = 'bearer' | 'basic' | 'client-certificate' | 'none';

/** A Service and where its proxy goes: `http://127.0.0.1:<port>` of a test server, or none (no ready endpoint). */
export interface FakeService {
  service: V1Service;
  backend?: string;
}

export type { ForbiddenRule } from './fake-kube-api/rbac-rules.js';
export { CLUSTER_SCOPE_ONLY } from './fake-kube-api/rbac-rules.js';

export interface FakeKubeApiOptions {
  /** The bearer token accepted; random when not given. */
  token?: string;
  pods?: V1Pod[];
  services?: FakeService[];
  /** What the user may not do on Services and their proxy (pods: `forbiddenNamespaces`). */
  forbidden?: ForbiddenRule[];
  /** Namespaces where the user may not read pods; any of them makes cluster-wide lists 403. */
  forbiddenNamespaces?: string[];
  /** Who the token authenticates as, quoted in 403 messages. */
  user?: string;
  /** Serve HTTPS (certificate `caCert`, for 127.0.0.1) instead of HTTP. */
  tls?: boolean;
  /** With `tls`: client certificates signed by this CA authenticate (the real server's --client-ca-file). */
  clientCa?: string;
  /** A username and password that authenticate with basic auth (static password file). */
  basicAuth?: { username: string; password: string };
}

export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>` (`https://` with `tls: true`) */
  readonly url: string;
  readonly token: string;
  readonly user: string;
  /** The server's certificate (its own CA) when `tls: true`. */
  readonly caCert: string | undefined;
  /** The listening server; an https.Server when `tls: true` (same 'request'/'upgrade' events). */
  readonly server: http.Server;
  /** Every request received, in order; tests may empty it (`requests.length = 0`). */
  readonly requests: FakeKubeRequest[];
  /** Stores a copy (new resourceVersion) and returns it; replaces a pod with the same namespace/name. */
  addPod(pod: V1Pod): V1Pod;
  removePod(namespace: string, name: string): boolean;
  setPods(pods: V1Pod[]): void;
  getPod(namespace: string, name: string): V1Pod | undefined;
  setForbiddenNamespaces(namespaces: string[]): void;
  /** Stores a copy of the Service with its backend (undefined: no endpoints); replaces one with the same namespace/name. */
  addService(service: V1Service, backend?: string): V1Service;
  /** Points a Service's proxy at another backend, or at none (undefined). */
  setServiceBackend(namespace: string, name: string, backend: string | undefined): void;
  setServices(services: FakeService[]): void;
  /** Replaces the RBAC refusals on Services and their proxy. */
  setForbidden(rules: ForbiddenRule[]): void;
  /** Continue tokens handed out so far get 410 Expired from now on (like after an etcd compaction). */
  expireContinueTokens(): void;
  /** Whether the request carries the right bearer token (or another credential the options accept). */
  isAuthorized(req: http.IncomingMessage): boolean;
  /**
   * Writes `<dir>/kubeconfig` (cluster, user and context `fake`, namespace `default`, the token;
   * the CA with `tls: true`, else `insecure-skip-tls-verify`) and returns its path.
   */
  writeKubeconfig(dir: string): Promise<string>;
  close(): Promise<void>;
}

function route(ctx: PodRouteContext & ServiceRouteContext, serverAddress: string, path: string, query: URLSearchParams): RouteResult {
  const json = (body: object): RouteResult => ({ status: 200, json: JSON.stringify(body) });
  switch (path) {
    case '/version':
      return json(versionInfo());
    case '/api':
      return json(apiVersions(serverAddress));
    case '/apis':
      return json(apiGroupList());
    case '/api/v1':
      return json(coreV1Resources());
    case '/api/v1/pods':
      return listPods(ctx, undefined, query);
    case '/api/v1/namespaces':
      return listNamespaces(ctx);
    case '/api/v1/services':
      return listServices(ctx, undefined, query);
  }
  const parts = path.split('/').map((p) => decodeURIComponent(p));
  // ['', 'api', 'v1', 'namespaces', ns, 'pods', name?]
  if (parts.length === 5 && parts[1] === 'api' && parts[2] === 'v1' && parts[3] === 'namespaces' && parts[4] !== '') {
    return getNamespace(ctx, parts[4] as string);
  }
  if (parts.length >= 6 && parts.length <= 7 && parts[1] === 'api' && parts[2] === 'v1' && parts[3] === 'namespaces' && parts[5] === 'pods') {
    const namespace = parts[4] as string;
    const name = parts[6];
    if (name === undefined) return listPods(ctx, namespace, query);
    if (name !== '') return getPod(ctx, namespace, name);
  }
  if (parts.length >= 6 && parts.length <= 7 && parts[1] === 'api' && parts[2] === 'v1' && parts[3] === 'namespaces' && parts[5] === 'services') {
    const namespace = parts[4] as string;
    const name = parts[6];
    if (name === undefined) return listServices(ctx, namespace, query);
    if (name !== '') return getService(ctx, namespace, name);
  }
  const error = pathNotFound();
  return { status: error.code, error };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
  });
  res.end(body);
}

export async function startFakeKubeApi(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const token = opts.token ?? randomBytes(16).toString('hex');
  const user = opts.user ?? 'system:serviceaccount:kube-profefe:kprofefe';
  const store = new PodStore();
  for (const pod of opts.pods ?? []) store.put(pod);
  const services = new ServiceStore();
  for (const { service, backend } of opts.services ?? []) services.put(service, backend);
  const rbac = new RbacRules();
  rbac.set(opts.forbidden ?? []);
  const ctx: PodRouteContext & ServiceRouteContext = { store, services, rbac, user, forbiddenNamespaces: new Set(opts.forbiddenNamespaces ?? []) };
  const requests: FakeKubeRequest[] = [];
  const basic = opts.basicAuth ? `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}` : undefined;
  const authOf = (req: http.IncomingMessage): FakeKubeAuth => {
    if (req.headers.authorization === `Bearer ${token}`) return 'bearer';
    if (basic !== undefined && req.headers.authorization === basic) return 'basic';
    if (opts.clientCa !== undefined && (req.socket as TLSSocket).authorized === true) return 'client-certificate';
    return 'none';
  };
  const isAuthorized = (req: http.IncomingMessage): boolean => authOf(req) !== 'none';
  let serverAddress = '';

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = authOf(req);
    const entry: FakeKubeRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, auth };
    requests.push(entry);
    const reply = (result: RouteResult): void => {
      entry.status = result.status;
      send(res, result.status, 'json' in result ? result.json : JSON.stringify(result.error));
    };
    const replyError = (error: KubeStatus): void => reply({ status: error.code, error });
    if (auth === 'none') {
      req.resume();
      return replyError(unauthorized());
    }
    const proxy = proxyRequestOf(url.pathname, url.search);
    if (proxy !== undefined) return void proxyRequest(proxy, req, res, entry, replyError);
    if (req.method === 'POST' && url.pathname === ACCESS_REVIEW_PATH) {
      return void readBody(req).then((body) => reply(reviewAccess(rbac, req.headers['content-type'], body)));
    }
    // Drain any request body before answering.
    req.resume();
    if (req.method !== 'GET') return replyError(methodNotAllowed(req.method ?? ''));
    try {
      reply(route(ctx, serverAddress, url.pathname, url.searchParams));
    } catch (err) {
      entry.status = 500;
      send(
        res,
        500,
        JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 }),
      );
    }
  };
  /** The service proxy: the Status the real server answers instead, or the backend's own answer. */
  const proxyRequest = async (
    target: ProxyRequest,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: FakeKubeRequest,
    replyError: (error: KubeStatus) => void,
  ): Promise<void> => {
    const resolved = resolveProxy(ctx, req.method ?? 'GET', target);
    if ('error' in resolved) {
      req.resume();
      return replyError(resolved.error);
    }
    entry.status = await forwardToBackend(req, res, resolved.url, replyError);
  };
  // https.Server carries http.Server's methods and events; typed as one for callers' convenience.
  const server: http.Server = opts.tls
    ? (https.createServer(
        {
          cert: FAKE_KUBE_API_CERT,
          key: FAKE_KUBE_API_KEY,
          // Ask for a client certificate, but let requests without one through to the other credentials.
          ...(opts.clientCa !== undefined ? { requestCert: true, rejectUnauthorized: false, ca: opts.clientCa } : {}),
        },
        handler,
      ) as unknown as http.Server)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  serverAddress = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${serverAddress}`;
  const caCert = opts.tls ? FAKE_KUBE_API_CERT : undefined;

  return {
    url,
    token,
    user,
    caCert,
    server,
    requests,
    addPod: (pod) => store.put(pod),
    removePod: (namespace, name) => store.remove(namespace, name),
    setPods: (pods) => {
      store.clear();
      for (const pod of pods) store.put(pod);
    },
    getPod: (namespace, name) => store.get(namespace, name),
    setForbiddenNamespaces: (namespaces) => {
      ctx.forbiddenNamespaces = new Set(namespaces);
    },
    addService: (service, backend) => services.put(service, backend),
    setServiceBackend: (namespace, name, backend) => {
      if (!services.setBackend(namespace, name, backend)) throw new Error(`fake kube API: no service ${namespace}/${name}`);
    },
    setServices: (list) => {
      services.clear();
      for (const { service, backend } of list) services.put(service, backend);
    },
    setForbidden: (rules) => rbac.set(rules),
    expireContinueTokens: () => store.expireSnapshots(),
    isAuthorized,
    writeKubeconfig: (dir) => writeFakeKubeconfig(dir, { url, token, caCert }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

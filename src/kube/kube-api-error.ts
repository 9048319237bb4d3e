/**
 * A failed Kubernetes API call, with a message for people: who refused what, and what to do.
 * Built by `httpStatusError` from an API response (HTTP status + `kind: Status` body), by
 * `toKubeApiError` from client-node's ApiException (same) or from a fetch/undici/system error
 * (nothing answered). Messages never carry credentials. client-node is not imported here.
 */

export type KubeApiErrorCode =
  | 'KUBE_UNAUTHORIZED' // 401: credentials rejected
  | 'KUBE_FORBIDDEN' // 403: RBAC refused the verb
  | 'KUBE_NOT_FOUND' // 404
  | 'KUBE_EXPIRED' // 410: continue token too old
  | 'KUBE_BAD_REQUEST' // 400/422: the request itself is wrong (selector, parameters)
  | 'KUBE_HTTP_STATUS' // any other status (429, 5xx, ...)
  | 'KUBE_UNREACHABLE' // no answer: refused, unresolvable, reset, timed out
  | 'KUBE_TLS' // the server's certificate did not verify
  | 'KUBE_REQUEST'; // the request could not be made (auth plugin, configuration)

export interface KubeApiCall {
  /** The API verb: `list`, `get`, `create` ... */
  verb: string;
  /** The resource, plural: `pods`, `namespaces`, `pods/portforward`. */
  resource: string;
  /** Undefined for cluster-scoped calls (all namespaces). */
  namespace?: string;
  /** The object's name for calls on one object. */
  name?: string;
  /** Where the call went, e.g. `describeCluster(kc)`: named in messages. */
  cluster?: string;
}

/** The fields of a `kind: Status` body that messages use. */
export interface KubeStatusBody {
  message?: string;
  reason?: string;
  code?: number;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly code: KubeApiErrorCode;
  /** HTTP status; undefined when nothing answered. */
  readonly statusCode: number | undefined;
  /** The Status body's `reason` (Forbidden, NotFound, Expired ...) when there was one. */
  readonly reason: string | undefined;
  readonly verb: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly resourceName: string | undefined;

  constructor(code: KubeApiErrorCode, message: string, call: KubeApiCall, details: { statusCode?: number; reason?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.code = code;
    this.statusCode = details.statusCode;
    this.reason = details.reason;
    this.verb = call.verb;
    this.resource = call.resource;
    this.namespace = call.namespace;
    this.resourceName = call.name;
  }
}

const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** Removes anything that looks like a credential from text that may end up in a message. */
export function redactCredentials(text: string): string {
  return text.replace(/(bearer\s+)[^\s"',]+/gi, '$1[redacted]').replace(/((?:token|password)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[redacted]');
}

/** The Status body of an ApiException (client-node hands it over as text, or not at all for 401). */
export function statusBodyOf(body: unknown): KubeStatusBody | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return {
    message: typeof record.message === 'string' ? record.message : undefined,
    reason: typeof record.reason === 'string' ? record.reason : undefined,
    code: typeof record.code === 'number' ? record.code : undefined,
  };
}

/** `list pods in namespace "shop"`, `get pods "web-1" in namespace "shop"`, `list pods in all namespaces`. */
function describeCall(call: KubeApiCall): string {
  const what = call.name !== undefined ? `${call.resource} "${call.name}"` : call.resource;
  const where = call.namespace !== undefined ? ` in namespace "${call.namespace}"` : call.name === undefined ? ' in all namespaces' : '';
  return `${call.verb} ${what}${where}`;
}

function at(call: KubeApiCall): string {
  return call.cluster !== undefined ? `the Kubernetes API at ${call.cluster}` : 'the Kubernetes API';
}

/** Who to grant to, from the Status message `User "..."` (the identity the server saw). */
function subjectFrom(statusMessage: string | undefined): string {
  const user = /User "([^"]+)"/.exec(statusMessage ?? '')?.[1];
  if (user === undefined) return 'the user or service account of the current kubeconfig context';
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (sa) return `service account "${sa[2]}" in namespace "${sa[1]}"`;
  if (user === 'system:anonymous') return 'no one: the request was anonymous, so configure credentials in the kubeconfig';
  return `user "${user}"`;
}

function forbiddenMessage(call: KubeApiCall, statusMessage: string | undefined): string {
  const quoted = statusMessage !== undefined ? `: ${statusMessage}` : '';
  const grant = `grant "${call.verb}" on "${call.resource}"`;
  const to = `to ${subjectFrom(statusMessage)}`;
  const fix =
    call.namespace !== undefined
      ? `${grant} in namespace "${call.namespace}" (Role + RoleBinding) or cluster-wide (ClusterRole + ClusterRoleBinding) ${to}`
      : `${grant} cluster-wide (ClusterRole + ClusterRoleBinding) ${to}, or restrict the request to a namespace you can read`;
  return `${at(call)} refused to ${describeCall(call)} (403 Forbidden)${quoted}. To fix, ${fix}.`;
}

/** The error for an API answer with a non-2xx status; `body` is the response text (a `kind: Status`, or anything). */
export function httpStatusError(statusCode: number, body: unknown, call: KubeApiCall, cause?: unknown): KubeApiError {
  const status = statusBodyOf(body);
  const apiMessage = status?.message !== undefined ? redactCredentials(status.message) : undefined;
  const details = { statusCode, reason: status?.reason, cause };
  const said = apiMessage !== undefined ? `: ${apiMessage}` : '';
  switch (statusCode) {
    case 401:
      return new KubeApiError(
        'KUBE_UNAUTHORIZED',
        `${at(call)} rejected the credentials (401 Unauthorized) when trying to ${describeCall(call)}. Check the token or client certificate of the kubeconfig user (or the pod's service account token): it may have expired, been revoked, or belong to another cluster.`,
        call,
        { ...details, reason: details.reason ?? 'Unauthorized' },
      );
    case 403:
      return new KubeApiError('KUBE_FORBIDDEN', forbiddenMessage(call, apiMessage), call, details);
    case 404:
      return new KubeApiError('KUBE_NOT_FOUND', `${at(call)} answered 404 Not Found to ${describeCall(call)}${said}.`, call, details);
    case 410:
      return new KubeApiError(
        'KUBE_EXPIRED',
        `${at(call)} answered 410 Expired to ${describeCall(call)}${said}. Retry: a new list starts from a fresh snapshot.`,
        call,
        details,
      );
    case 400:
    case 422:
      return new KubeApiError(
        'KUBE_BAD_REQUEST',
        `${at(call)} rejected the request to ${describeCall(call)} (${statusCode})${said}. Check the label selector, field selector and names given.`,
        call,
        details,
      );
    default: {
      const advice = statusCode === 429 || statusCode >= 500 ? ' The server is overloaded or failing: retry later.' : '';
      return new KubeApiError('KUBE_HTTP_STATUS', `${at(call)} answered HTTP ${statusCode} to ${describeCall(call)}${said}.${advice}`, call, details);
    }
  }
}

/** The server origin named by a node-fetch error ("request to https://h:6443/api/v1/pods?... failed"). */
function originFromFetchMessage(message: string): string | undefined {
  const url = /request to (\S+) failed/.exec(message)?.[1];
  if (url === undefined) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function fromNetwork(err: Error & { code?: unknown }, call: KubeApiCall): KubeApiError {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const server = originFromFetchMessage(err.message) ?? call.cluster ?? 'the configured server';
  const where = call.cluster !== undefined && !call.cluster.startsWith(server) ? `${server} (${call.cluster})` : (call.cluster ?? server);
  const check = "Check that the cluster is up and that the kubeconfig cluster's server URL (or KUBERNETES_SERVICE_HOST/PORT in a pod) is right.";
  if (code !== undefined && TLS_ERROR_CODES.has(code)) {
    return new KubeApiError(
      'KUBE_TLS',
      `cannot ${describeCall(call)}: the TLS certificate of the Kubernetes API at ${where} did not verify (${code}). Check certificate-authority / certificate-authority-data of the kubeconfig cluster.`,
      call,
      { cause: err },
    );
  }
  const what =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
          ? `unreachable (${code})`
          : undefined;
  if (what !== undefined) {
    return new KubeApiError('KUBE_UNREACHABLE', `cannot ${describeCall(call)}: the Kubernetes API at ${where} is unreachable: ${what}. ${check}`, call, {
      cause: err,
    });
  }
  const undiciTimeout = code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  if ((err as { type?: unknown }).type === 'request-timeout' || err.name === 'AbortError' || undiciTimeout) {
    return new KubeApiError('KUBE_UNREACHABLE', `cannot ${describeCall(call)}: the Kubernetes API at ${where} did not answer in time. ${check}`, call, {
      cause: err,
    });
  }
  return new KubeApiError('KUBE_REQUEST', `cannot ${describeCall(call)} at ${where}: ${redactCredentials(err.message)}`, call, { cause: err });
}

/** client-node's ApiException, recognised by its shape (importing the class would load client-node). */
function isApiException(err: unknown): err is Error & { code: number; body: unknown } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err && 'headers' in err;
}

/** Converts whatever a client-node call threw into a `KubeApiError` (returned as is if it already is one). */
export function toKubeApiError(err: unknown, call: KubeApiCall): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isApiException(err)) return httpStatusError(err.code, err.body, call, err);
  if (err instanceof Error) return fromNetwork(err, call);
  return new KubeApiError('KUBE_REQUEST', `cannot ${describeCall(call)}: ${redactCredentials(String(err))}`, call, { cause: err });
}

/**
 * Why a port-forward to a pod failed, with a stable `code` and a message that names the pod, the
 * port and what to do. Built from what the API server answered to the upgrade request, or from
 * the text the kubelet wrote on the forward's error channel.
 */

export type PortForwardErrorCode =
  | 'PORT_FORWARD_UNAUTHORIZED' // 401: the kubeconfig's credentials were rejected
  | 'PORT_FORWARD_FORBIDDEN' // 403: RBAC does not allow pods/portforward
  | 'PORT_FORWARD_POD_NOT_FOUND' // 404
  | 'PORT_FORWARD_POD_NOT_RUNNING' // 400 from the API server / kubelet
  | 'PORT_FORWARD_UPGRADE_FAILED' // any other answer to the upgrade request
  | 'PORT_FORWARD_API_UNREACHABLE' // no answer from the API server at all
  | 'PORT_FORWARD_PORT_CLOSED' // the kubelet could not connect: nothing listens on the port
  | 'PORT_FORWARD_REMOTE_ERROR' // any other error text from the kubelet
  | 'PORT_FORWARD_ABORTED';

export class PortForwardError extends Error {
  override readonly name = 'PortForwardError';
  constructor(
    readonly code: PortForwardErrorCode,
    message: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options?.statusCode;
  }
  /** The HTTP status of the upgrade answer, when there was one. */
  readonly statusCode: number | undefined;
}

export interface ForwardTarget {
  namespace: string;
  name: string;
  port: number;
  /** The API server URL, for messages about reaching it. */
  server: string;
}

function podRef(t: ForwardTarget): string {
  return `${t.namespace}/${t.name}`;
}

/** The `message` of a `kind: Status` body, else the body text itself (trimmed, shortened). */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { kind?: unknown; message?: unknown };
    if (parsed.kind === 'Status' && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the kubelet answers some errors as plain text
  }
  const text = body.trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** An answer other than 101 Switching Protocols to the port-forward upgrade request. */
export function fromUpgradeResponse(t: ForwardTarget, statusCode: number, body: string): PortForwardError {
  const said = statusMessage(body);
  const quoted = said === '' ? '' : ` (the API server said: ${said})`;
  switch (statusCode) {
    case 401:
      return new PortForwardError(
        'PORT_FORWARD_UNAUTHORIZED',
        `the API server ${t.server} rejected the kubeconfig credentials (401 Unauthorized) when opening a port-forward to pod ${podRef(t)}: refresh the credentials of the current context (log in again) or pass --kubeconfig/--context for a valid one`,
        { statusCode },
      );
    case 403: {
      // Name the verb the server checked: `get` for WebSocket upgrades (1.31+), `create` for SPDY.
      const verb = /cannot (\w+) resource "pods\/portforward"/.exec(said)?.[1] ?? 'create';
      const both = verb === 'create' ? '' : ' (grant both "get" and "create": WebSocket upgrades are checked as "get", SPDY and newer clusters check "create")';
      return new PortForwardError(
        'PORT_FORWARD_FORBIDDEN',
        `not allowed to port-forward to pod ${podRef(t)}: missing permission "${verb}" on "pods/portforward" in namespace "${t.namespace}"${quoted}; ask for a Role granting it${both}`,
        { statusCode },
      );
    }
    case 404:
      return new PortForwardError(
        'PORT_FORWARD_POD_NOT_FOUND',
        `pod ${podRef(t)} not found${quoted}: check the pod name and namespace (kubectl get pods -n ${t.namespace})`,
        { statusCode },
      );
    case 400:
      return new PortForwardError(
        'PORT_FORWARD_POD_NOT_RUNNING',
        `cannot port-forward to pod ${podRef(t)}${quoted}: the pod must be Running; pick a running pod`,
        { statusCode },
      );
    default:
      return new PortForwardError(
        'PORT_FORWARD_UPGRADE_FAILED',
        `the API server ${t.server} answered ${statusCode} to the port-forward request for pod ${podRef(t)} port ${t.port}${quoted}`,
        { statusCode },
      );
  }
}

/** The WebSocket to the API server could not be opened at all (connection refused, TLS, DNS...). */
export function fromConnectFailure(t: ForwardTarget, cause: unknown): PortForwardError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PortForwardError(
    'PORT_FORWARD_API_UNREACHABLE',
    `cannot reach the API server ${t.server} to port-forward to pod ${podRef(t)}: ${reason}; check the kubeconfig's server address and your network`,
    { cause },
  );
}

/** Text the kubelet wrote on the forward's error channel. */
export function fromKubeletError(t: ForwardTarget, text: string): PortForwardError {
  const said = text.trim();
  if (/connection refused/i.test(said)) {
    return new PortForwardError(
      'PORT_FORWARD_PORT_CLOSED',
      `nothing listens on port ${t.port} in pod ${podRef(t)} (the kubelet said: ${said}); check the port the pod serves pprof on (e.g. its profefe.com/port annotation)`,
    );
  }
  return new PortForwardError('PORT_FORWARD_REMOTE_ERROR', `port-forward to port ${t.port} in pod ${podRef(t)} failed: ${said}`);
}

export function aborted(t: ForwardTarget): PortForwardError {
  return new PortForwardError('PORT_FORWARD_ABORTED', `port-forward to pod ${podRef(t)} port ${t.port} was cancelled`);
}

/**
 * capture's transport: one port-forward per pod through the API server, opened on the pod's first
 * profile, shared by its other profiles, closed when the run releases the pod. Targets keep their
 * pod URL (so messages name the pod's address); a node:http Agent per pod connects every request
 * for that pod to the forward's loopback port instead. An https pod gets TLS over the forwarded
 * socket, verified against the pod IP (or --target-server-name) as kprofefe verifies it.
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { podKey, type PodInfo, type Target } from '../discover/target.js';
import { openPortForward, PortForwardError, type LocalForward } from '../kube/port-forward.js';
import { ProfileError } from '../profile-error.js';
import type { PodConnection, Transport } from '../run/transport.js';
import { httpsAgentOptions, PLAIN_TARGET_ACCESS, targetHeaders, type TargetAccess } from './target-access.js';

export interface PortForwardTransportOptions {
  /** Aborting closes every forward. */
  readonly signal: AbortSignal;
  /** Called once per pod when its forward listens. */
  readonly onOpened?: (pod: PodInfo, forward: LocalForward) => void;
  /** Limit for the API server to accept a forward. Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** How https pods are verified and authenticated; default: system CAs, no token. */
  readonly access?: TargetAccess;
}

export class PortForwardTransport implements Transport {
  private readonly opening = new Map<string, Promise<ForwardConnection>>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: PortForwardTransportOptions,
  ) {}

  connect(target: Target): Promise<PodConnection> {
    const key = podKey(target.pod);
    let opening = this.opening.get(key);
    if (opening === undefined) {
      opening = this.open(target);
      // Every profile of the pod awaits the same promise; a refusal is reported through each of them.
      opening.catch(() => undefined);
      this.opening.set(key, opening);
    }
    return opening;
  }

  async release(pod: PodInfo): Promise<void> {
    const key = podKey(pod);
    const opening = this.opening.get(key);
    this.opening.delete(key);
    if (opening !== undefined) await closeForward(opening);
  }

  async close(): Promise<void> {
    const all = [...this.opening.values()];
    this.opening.clear();
    await Promise.all(all.map(closeForward));
  }

  private async open(target: Target): Promise<ForwardConnection> {
    const { pod, port } = target;
    const { signal } = this.options;
    let forward: LocalForward;
    try {
      forward = await openPortForward(this.kc, { namespace: pod.namespace, name: pod.name }, port, {
        signal,
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const message = err instanceof PortForwardError || err instanceof Error ? err.message : String(err);
      throw new ProfileError('TARGET_CONNECT', message, { cause: err });
    }
    this.options.onOpened?.(pod, forward);
    return new ForwardConnection(forward, target, this.options.access ?? PLAIN_TARGET_ACCESS);
  }
}

class ForwardConnection implements PodConnection {
  // One forward carries a handful of requests; idle connections need not outlive them for long.
  readonly agent: Agent;
  readonly headers: Readonly<Record<string, string>> | undefined;

  /** Every target of a pod has the pod's scheme: the first one's decides. */
  constructor(
    readonly forward: LocalForward,
    target: Pick<Target, 'scheme'>,
    access: TargetAccess,
  ) {
    const pool = { keepAlive: true, timeout: 2_000 };
    this.agent =
      target.scheme === 'https'
        ? new ForwardTlsAgent(forward.host, forward.port, { ...pool, ...httpsAgentOptions(access.tls) })
        : new ForwardAgent(forward.host, forward.port, pool);
    this.headers = targetHeaders(target, access);
  }

  /** A forwarded connection that failed inside the cluster reaches node:http as a closed socket; the forward knows why. */
  explain(error: ProfileError): ProfileError | undefined {
    const why = this.forward.lastError();
    if (error.code !== 'TARGET_CONNECT' || why === undefined) return undefined;
    return new ProfileError('TARGET_CONNECT', why.message, { cause: error });
  }
}

async function closeForward(opening: Promise<ForwardConnection>): Promise<void> {
  let connection: ForwardConnection;
  try {
    connection = await opening;
  } catch {
    return; // never opened: nothing to close
  }
  connection.agent.destroy();
  await connection.forward.close();
}

/** An http.Agent whose every connection goes to host:port, whatever the request names. */
class ForwardAgent extends Agent {
  constructor(
    private readonly forwardHost: string,
    private readonly forwardPort: number,
    options: ConstructorParameters<typeof Agent>[0],
  ) {
    super(options);
  }

  override createConnection(): Socket {
    return connect({ host: this.forwardHost, port: this.forwardPort });
  }
}

/**
 * An https.Agent whose every connection is TLS over a socket to host:port. The handshake still
 * names the pod: the certificate is checked against the request's host (the pod IP), or the
 * agent's servername (--target-server-name).
 */
class ForwardTlsAgent extends HttpsAgent {
  constructor(
    private readonly forwardHost: string,
    private readonly forwardPort: number,
    options: ConstructorParameters<typeof HttpsAgent>[0],
  ) {
    super(options);
  }

  override createConnection(options: ConnectionOptions): TLSSocket {
    return tlsConnect({ ...options, socket: connect({ host: this.forwardHost, port: this.forwardPort }) });
  }
}

/**
 * One port-forward per pod for `capture`: opened on the pod's first profile, shared by its other
 * profiles, closed when the pod is done. Targets keep their pod URL (`http://<podIP>:<port>/...`,
 * so messages name the pod's address); a node:http Agent per pod connects every request for that
 * pod to the forward's loopback port instead.
 */
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodInfo, Target } from '../../discover/target.js';
import { openPortForward, PortForwardError, type LocalForward } from '../../kube/port-forward.js';
import { ProfileError } from '../../profile-error.js';

export interface PodForward {
  readonly forward: LocalForward;
  /** Routes every request, whatever its URL, to the forward. */
  readonly agent: Agent;
}

export interface PodForwardsOptions {
  /** Aborting closes every forward. */
  readonly signal: AbortSignal;
  /** Called once per pod when its forward listens. */
  readonly onOpened?: (pod: PodInfo, forward: LocalForward) => void;
  /** Limit for the API server to accept a forward. Default 30 s. */
  readonly connectTimeoutMs?: number;
}

interface Entry {
  readonly opening: Promise<PodForward>;
}

const podKey = (pod: Pick<PodInfo, 'namespace' | 'name'>): string => `${pod.namespace}/${pod.name}`;

/** The pod port a target's URL names (targets always carry an explicit port). */
export function targetPort(target: Target): number {
  const url = new URL(target.url);
  return url.port === '' ? 80 : Number(url.port);
}

export class PodForwards {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: PodForwardsOptions,
  ) {}

  /** The forward for the target's pod, opened on first use. Rejects with a ProfileError naming the pod and the cause. */
  get(target: Target): Promise<PodForward> {
    const key = podKey(target.pod);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { opening: this.open(target.pod, targetPort(target)) };
      // Every profile of the pod awaits the same promise; a refusal is reported through each of them.
      entry.opening.catch(() => undefined);
      this.entries.set(key, entry);
    }
    return entry.opening;
  }

  /** Closes the pod's forward once its profiles are done (nothing happens if it was never opened). */
  async release(pod: Pick<PodInfo, 'namespace' | 'name'>): Promise<void> {
    const key = podKey(pod);
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    await closeEntry(entry);
  }

  /** Closes every forward still open (after an interruption, or at the end of the run). */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map(closeEntry));
  }

  private async open(pod: PodInfo, port: number): Promise<PodForward> {
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
    // One forward carries a handful of requests; idle connections need not outlive them for long.
    const agent = new ForwardAgent(forward.host, forward.port, { keepAlive: true, timeout: 2_000 });
    this.options.onOpened?.(pod, forward);
    return { forward, agent };
  }
}

async function closeEntry(entry: Entry): Promise<void> {
  let opened: PodForward;
  try {
    opened = await entry.opening;
  } catch {
    return; // never opened: nothing to close
  }
  opened.agent.destroy();
  await opened.forward.close();
}

/** An http.Agent whose every connection goes to host:port, whatever the request's URL names. */
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

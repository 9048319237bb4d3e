import type { Agent } from 'node:http';
import type { PodInfo, Target } from '../discover/target.js';
import type { ProfileError } from '../profile-error.js';

/**
 * How the run reaches a pod's pprof port. kprofefe connects to the pod's own IP
 * (src/transport/direct-transport.ts); capture goes through a port-forward of the API server
 * (src/transport/port-forward-transport.ts). The run asks for a connection before each fetch and
 * releases the pod once all its profiles are stored or failed.
 */
export interface Transport {
  /** Opens (or reuses) what the target's pod needs. Rejects with a ProfileError naming the pod and cause. */
  connect(target: Target, signal: AbortSignal): Promise<PodConnection>;
  /** Every profile of the pod is stored or failed: close what `connect` opened for it. */
  release(pod: PodInfo): Promise<void>;
  /** Closes everything still open (end of the run, or after an interruption). */
  close(): Promise<void>;
}

export interface PodConnection {
  /** The agent every request for this pod goes through: node:http's, or node:https' for an https target. */
  readonly agent: Agent;
  /** Headers sent with every request for this pod (an https target's Authorization); secrets, never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A fetch failed to connect: the transport may know better than the socket why (e.g. "nothing
   * listens on port 6060 in pod shop/api-1" for a forward). Returns the better error, or undefined.
   */
  explain?(error: ProfileError): ProfileError | undefined;
}

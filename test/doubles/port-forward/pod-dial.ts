import { createHash } from 'node:crypto';
import net from 'node:net';

/**
 * The kubelet/containerd half of a port-forward: dial the port "inside the pod" (here: the fake
 * pod's `status.podIP`, a 127.x address) and copy bytes both ways. Like containerd's
 * `portForward`, forwarding ends when one direction finishes and the other follows within a grace
 * period (containerd: 1 s), and a failed dial is reported with the kubelet's error text
 * (`error forwarding port N to pod <sandbox id>, uid : ... connect: connection refused`).
 */

export interface PodTarget {
  ip: string;
  port: number;
  /** metadata.uid: the sandbox id and network namespace in error texts derive from it. */
  uid: string;
}

export interface PodLinkEvents {
  /** Bytes from the pod, for the client. */
  data(chunk: Buffer): void;
  /** The kubelet's error text, for the error stream/channel. Followed by `finished`. */
  error(text: string): void;
  /** Forwarding is over: close the data and error streams. Called exactly once. */
  finished(): void;
}

export interface PodLink {
  /** Bytes from the client, for the pod. */
  write(chunk: Buffer): boolean;
  /** The client will send nothing more (stream EOF, reset, or the WebSocket closed). */
  clientDone(): void;
  /** Tear down now (session closed). Calls `finished` if it was not called yet. */
  destroy(): void;
  pause(): void;
  resume(): void;
  /** Emitted when a `write` that returned false has drained. */
  onDrain(listener: () => void): void;
}

export function sandboxId(uid: string): string {
  return createHash('sha256').update(`sandbox:${uid}`).digest('hex');
}

function netnsPath(uid: string): string {
  const h = createHash('sha256').update(`netns:${uid}`).digest('hex');
  return `/var/run/netns/cni-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Go's wording for a failed dial (`connect: connection refused`). */
function goDialError(err: NodeJS.ErrnoException, port: number): string {
  const reason =
    err.code === 'ECONNREFUSED'
      ? 'connection refused'
      : err.code === 'EHOSTUNREACH'
        ? 'no route to host'
        : err.code === 'ETIMEDOUT'
          ? 'connection timed out'
          : err.message;
  return `dial tcp4 127.0.0.1:${port}: connect: ${reason}`;
}

export function kubeletDialErrorText(target: PodTarget, err: NodeJS.ErrnoException): string {
  const sandbox = sandboxId(target.uid);
  const inner =
    `failed to execute portforward in network namespace "${netnsPath(target.uid)}": ` +
    `failed to connect to localhost:${target.port} inside namespace "${sandbox}", ` +
    `IPv4: ${goDialError(err, target.port)} IPv6 dial tcp6: address localhost: no suitable address `;
  return `error forwarding port ${target.port} to pod ${sandbox}, uid : ${inner}`;
}

export function dialPod(target: PodTarget, events: PodLinkEvents, graceMs: number): PodLink {
  const socket = net.connect({ host: target.ip, port: target.port, allowHalfOpen: true });
  let connected = false;
  let podDone = false;
  let clientDone = false;
  let finished = false;
  let graceTimer: NodeJS.Timeout | undefined;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (graceTimer) clearTimeout(graceTimer);
    socket.destroy();
    events.finished();
  };
  const directionDone = (): void => {
    if (podDone && clientDone) {
      finish();
      return;
    }
    if (!graceTimer && !finished) {
      graceTimer = setTimeout(finish, graceMs);
      graceTimer.unref();
    }
  };

  socket.on('connect', () => {
    connected = true;
  });
  socket.on('data', (chunk: Buffer) => events.data(chunk));
  socket.on('end', () => {
    podDone = true;
    directionDone();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (finished) return;
    if (!connected) {
      events.error(kubeletDialErrorText(target, err));
      finish();
      return;
    }
    // Reset by the pod mid-stream: containerd's copy ends with an error it does not report to the client.
    podDone = true;
    directionDone();
  });
  socket.on('close', () => {
    if (!finished && connected) {
      podDone = true;
      directionDone();
    }
  });

  return {
    write: (chunk) => (finished ? true : socket.write(chunk)),
    clientDone: () => {
      if (clientDone || finished) return;
      clientDone = true;
      if (connected) socket.end();
      else socket.once('connect', () => socket.end());
      directionDone();
    },
    destroy: finish,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    onDrain: (listener) => socket.on('drain', listener),
  };
}

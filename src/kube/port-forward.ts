import net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { silentLogger, type Logger } from '../log.js';
import { PortForwardError, aborted, fromConnectFailure, fromKubeletError, type ForwardTarget } from './port-forward-errors.js';
import { openForwardSocket } from './port-forward-socket.js';

export { PortForwardError, type PortForwardErrorCode } from './port-forward-errors.js';

/**
 * A local TCP port that reaches a port of a pod through the API server (`pods/portforward`), like
 * `kubectl port-forward pod/NAME :PORT`. Each accepted connection opens its own WebSocket
 * (client-node's PortForward: `v4.channel.k8s.io`, one pod connection per WebSocket); when either
 * side closes, so does the other.
 *
 * Failures reach the HTTP client that used the port as a connection closed without an answer; the
 * reason is kept as a typed `PortForwardError` in `lastError()` (e.g. "nothing listens on port 6060
 * in pod shop/checkout-7d9f"). `openPortForward` itself checks the API server accepts the forward
 * (401/403/404/400 become a PortForwardError right away) unless `verify: false`.
 */

export interface PodRef {
  namespace: string;
  name: string;
}

export interface OpenPortForwardOptions {
  log?: Logger;
  /** Aborting closes the forward (and rejects `openPortForward` if it is still opening). */
  signal?: AbortSignal;
  /** Open one forward before listening, so RBAC and pod errors are thrown here. Default true. */
  verify?: boolean;
  /** Limit for the API server to accept a WebSocket upgrade. Default 30 s. */
  connectTimeoutMs?: number;
}

export interface LocalForward {
  readonly host: '127.0.0.1';
  /** The ephemeral local port. */
  readonly port: number;
  readonly pod: PodRef;
  readonly remotePort: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** Why the most recent forwarded connection failed (undefined while none has). */
  lastError(): PortForwardError | undefined;
  /** Local connections being forwarded now. */
  activeConnections(): number;
  /** Stops listening and closes every local connection and WebSocket; resolves when all are gone. */
  close(): Promise<void>;
}

function waitClosed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

export async function openPortForward(kc: KubeConfig, pod: PodRef, remotePort: number, opts: OpenPortForwardOptions = {}): Promise<LocalForward> {
  if (!Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) {
    throw new RangeError(`port-forward to pod ${pod.namespace}/${pod.name}: remote port must be 1-65535, got ${remotePort}`);
  }
  const log = (opts.log ?? silentLogger()).child({ pod: `${pod.namespace}/${pod.name}`, remotePort });
  const connectTimeoutMs = opts.connectTimeoutMs ?? 30_000;
  const target: ForwardTarget = {
    namespace: pod.namespace,
    name: pod.name,
    port: remotePort,
    server: kc.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)',
  };
  if (opts.signal?.aborted) throw aborted(target);

  const sockets = new Set<net.Socket>();
  const tunnels = new Set<WebSocket>();
  let closing = false;
  let lastError: PortForwardError | undefined;
  const track = (ws: WebSocket): void => {
    tunnels.add(ws);
    ws.once('close', () => tunnels.delete(ws));
  };

  const record = (err: PortForwardError): void => {
    lastError = err;
    log.debug({ code: err.code }, err.message);
  };

  const server = net.createServer({ allowHalfOpen: true }, (socket) => forwardConnection(socket));

  const close = async (): Promise<void> => {
    closing = true;
    opts.signal?.removeEventListener('abort', onAbort);
    const serverClosed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const localClosed = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    for (const socket of sockets) socket.destroy();
    const pending = [...tunnels];
    for (const ws of pending) ws.terminate();
    await Promise.all([serverClosed, ...localClosed, ...pending.map(waitClosed)]);
  };
  const onAbort = (): void => {
    void close();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  function forwardConnection(socket: net.Socket): void {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    let tunnel: WebSocket | undefined;
    const errorText: Buffer[] = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        // Backpressure: stop reading the WebSocket while the local client is slower than the pod.
        if (!socket.destroyed && !socket.write(chunk) && tunnel) {
          const paused = tunnel;
          paused.pause();
          socket.once('drain', () => paused.resume());
        }
        done();
      },
    });
    const error = new Writable({
      write(chunk: Buffer, _encoding, done) {
        errorText.push(chunk);
        done();
      },
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'local connection error'));
    socket.on('close', () => {
      sockets.delete(socket);
      if (tunnel && tunnel.readyState === WebSocket.OPEN) tunnel.close(1000);
    });
    log.debug({ clientPort: socket.remotePort }, 'forwarding a local connection');

    openForwardSocket(kc, target, { output, error, input: socket }, track, connectTimeoutMs).then(
      (ws) => {
        tunnel = ws;
        ws.on('error', (err) => {
          log.debug({ err: err.message }, 'port-forward WebSocket error');
          socket.destroy();
        });
        ws.on('close', () => {
          const text = Buffer.concat(errorText).toString('utf8').trim();
          if (text !== '') {
            record(fromKubeletError(target, text));
            socket.destroy();
          } else {
            socket.end();
          }
        });
        if (socket.destroyed || closing) ws.close(1000);
      },
      (err: unknown) => {
        if (!closing) record(err instanceof PortForwardError ? err : fromConnectFailure(target, err));
        socket.destroy();
      },
    );
  }

  try {
    if (opts.verify !== false) {
      const ws = await openForwardSocket(
        kc,
        target,
        { output: new PassThrough(), error: new PassThrough(), input: new PassThrough() },
        track,
        connectTimeoutMs,
      );
      ws.close(1000);
      await waitClosed(ws);
    }
    if (closing) throw aborted(target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (closing) throw aborted(target);
  } catch (err) {
    await close();
    if (opts.signal?.aborted) throw aborted(target);
    throw err;
  }

  const port = (server.address() as net.AddressInfo).port;
  log.debug({ localPort: port }, 'port-forward listening');
  return {
    host: '127.0.0.1',
    port,
    pod: { namespace: pod.namespace, name: pod.name },
    remotePort,
    url: (path) => `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`,
    lastError: () => lastError,
    activeConnections: () => sockets.size,
    close,
  };
}

import type https from 'node:https';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { fromConnectFailure, fromUpgradeResponse, type ForwardTarget } from './port-forward-errors.js';

/**
 * One port-forward WebSocket to a pod, opened with client-node's `PortForward` (which speaks the
 * channel protocol: port prefixes, data channel 0, error channel 1, local input piped in).
 *
 * client-node's own WebSocket handler is replaced by `connect` below (PortForward accepts any
 * handler with that method) for three reasons: it offers `v4.channel.k8s.io`, the only channel
 * protocol a kubelet serves for port-forward; a refused upgrade is read, so the error can quote the
 * API server's Status message (client-node only says "Unexpected server response: 403"); and no
 * process stream is ever touched (client-node's handler ends process.stdout on a v5 close signal).
 */

const CHANNEL_PROTOCOL = 'v4.channel.k8s.io';

export interface ForwardStreams {
  /** Bytes from the pod. */
  output: NodeJS.WritableStream;
  /** Error text from the kubelet. */
  error: NodeJS.WritableStream;
  /** Bytes for the pod; its end closes the WebSocket. */
  input: NodeJS.ReadableStream;
}

class ForwardSocketHandler {
  refusal: { statusCode: number; body: string } | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly track: (ws: WebSocket) => void,
    private readonly handshakeTimeout: number,
  ) {}

  /** The WebSocketInterface PortForward calls: resolves once the upgrade succeeded. */
  async connect(
    path: string,
    textHandler: ((text: string) => boolean) | null,
    binaryHandler: ((stream: number, buff: Buffer) => boolean) | null,
  ): Promise<WebSocket> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const url = `${server.replace(/\/+$/, '').replace(/^http/, 'ws')}${path}`;
    const options: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    const ws = new WebSocket(url, [CHANNEL_PROTOCOL], { ...(options as WebSocket.ClientOptions), handshakeTimeout: this.handshakeTimeout });
    this.track(ws);
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      res.on('end', () => {
        this.refusal = { statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
        ws.terminate();
      });
      res.on('error', () => ws.terminate());
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buff = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const keep = isBinary
        ? buff.length === 0 || !binaryHandler || binaryHandler(buff.readUInt8(0), buff.subarray(1))
        : !textHandler || textHandler(buff.toString('utf8'));
      if (!keep) ws.close(1000);
    });
    return new Promise<WebSocket>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve(ws);
      });
    });
  }
}

/**
 * Opens the WebSocket; rejects with a PortForwardError (401/403/404/400, unreachable API server).
 * `track` sees every WebSocket created, also one still connecting, so a caller can terminate it.
 */
export async function openForwardSocket(
  kc: KubeConfig,
  target: ForwardTarget,
  streams: ForwardStreams,
  track: (ws: WebSocket) => void,
  handshakeTimeout: number,
): Promise<WebSocket> {
  const handler = new ForwardSocketHandler(kc, track, handshakeTimeout);
  const forwarder = new PortForward(kc, true, handler);
  try {
    const ws = await forwarder.portForward(
      target.namespace,
      target.name,
      [target.port],
      streams.output as Parameters<PortForward['portForward']>[3],
      streams.error as Parameters<PortForward['portForward']>[4],
      streams.input as Parameters<PortForward['portForward']>[5],
    );
    return ws as WebSocket;
  } catch (err) {
    if (handler.refusal) throw fromUpgradeResponse(target, handler.refusal.statusCode, handler.refusal.body);
    throw fromConnectFailure(target, err);
  }
}

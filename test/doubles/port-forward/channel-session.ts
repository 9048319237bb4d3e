import type { WebSocket, RawData } from 'ws';
import { dialPod, type PodLink, type PodTarget } from './pod-dial.js';

/**
 * Port-forward over the WebSocket channel protocol, as the kubelet serves it
 * (k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go): subprotocol `v4.channel.k8s.io`
 * (binary: one channel byte, then payload), `v4.base64.channel.k8s.io` (text: ASCII channel digit,
 * then base64), or none (binary). For each requested port k, channel 2k is data (read/write) and
 * 2k+1 is error (write only); the first frame on each carries the port as uint16 little-endian.
 * There is no half-close in v4 (the v5 close signal exists only for remotecommand): the forward
 * ends when the WebSocket closes or the pod side finishes, and then the server closes the socket.
 */

export type ChannelCodec = 'binary' | 'base64';

const HIGH_WATER = 1 << 20;

/** Serves one upgraded WebSocket; returns a function that tears the session down at once. */
export function runChannelSession(ws: WebSocket, codec: ChannelCodec, target: Omit<PodTarget, 'port'>, ports: number[], graceMs: number): () => void {
  const links: PodLink[] = [];
  let pendingBytes = 0;
  let closed = false;

  const send = (channel: number, payload: Buffer): void => {
    if (closed || ws.readyState !== ws.OPEN) return;
    if (codec === 'binary') {
      const frame = Buffer.concat([Buffer.from([channel]), payload]);
      pendingBytes += frame.length;
      ws.send(frame, { binary: true }, () => {
        pendingBytes -= frame.length;
        if (pendingBytes < HIGH_WATER / 4) for (const link of links) link.resume();
      });
      if (pendingBytes > HIGH_WATER) for (const link of links) link.pause();
    } else {
      ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'));
    }
  };

  let remaining = ports.length;
  const pairFinished = (): void => {
    remaining -= 1;
    if (remaining === 0 && !closed) {
      closed = true;
      ws.close(1000);
    }
  };

  ports.forEach((port, index) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(index * 2, portBytes);
    send(index * 2 + 1, portBytes);
    links.push(
      dialPod(
        { ...target, port },
        {
          data: (chunk) => send(index * 2, chunk),
          error: (text) => send(index * 2 + 1, Buffer.from(text)),
          finished: pairFinished,
        },
        graceMs,
      ),
    );
  });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (raw.length === 0) return;
    let channel = raw[0] ?? 0;
    let payload = raw.subarray(1);
    if (codec === 'base64' || !isBinary) {
      channel -= 48;
      payload = Buffer.from(payload.toString('latin1'), 'base64');
    }
    // Only data channels are readable; writes to error channels or unknown channels are dropped.
    if (channel % 2 !== 0 || channel / 2 >= links.length) return;
    links[channel / 2]?.write(payload);
  });
  ws.on('close', () => {
    closed = true;
    for (const link of links) link.clientDone();
  });
  ws.on('error', () => {
    closed = true;
    for (const link of links) link.destroy();
  });
  return () => {
    closed = true;
    for (const link of links) link.destroy();
    ws.terminate();
  };
}

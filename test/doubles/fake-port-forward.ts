import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { WebSocketServer, type WebSocket } from 'ws';
import { runChannelSession, type ChannelCodec } from './port-forward/channel-session.js';
import { SpdyPortForwardSession } from './port-forward/spdy-session.js';

/**
 * The API server's `pods/{name}/portforward` subresource, attached to a fake API server's
 * `upgrade` event. It answers as the API server + kubelet + containerd chain does:
 *
 * - `GET` with `Upgrade: websocket` and subprotocol `v4.channel.k8s.io` / `v4.base64.channel.k8s.io`
 *   (or none): the kubelet's channel protocol, `?ports=N[,M]` (what @kubernetes/client-node uses).
 *   `v5.channel.k8s.io` is NOT accepted for port-forward by any real kubelet (v5 and its close
 *   signal exist only for exec/attach), so a client offering v5 first still gets v4, as in a cluster.
 * - `GET` with `Upgrade: websocket` and subprotocol `SPDY/3.1+portforward.k8s.io`: SPDY tunnelled
 *   over WebSocket (KEP-4006, PortForwardWebsockets), what kubectl >= 1.31 tries first.
 * - `POST` with `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version: portforward.k8s.io`: plain
 *   SPDY, kubectl's fallback.
 *
 * Before upgrading: bearer token (Authorization header, or the
 * `base64url.bearer.authorization.k8s.io.` subprotocol browsers use), else 401; authorization
 * (`get` for a WebSocket GET, `create` for a SPDY POST), else 403; the pod, else 404; a Running pod
 * with an IP, else 400. All as `kind: Status` JSON.
 */

export type PortForwardVerb = 'get' | 'create';

export interface PortForwardOptions {
  token: string;
  resolvePod(namespace: string, name: string): V1Pod | undefined;
  /** True when the caller may not use pods/portforward on this pod (with this verb). */
  forbidden?: (namespace: string, name: string, verb: PortForwardVerb) => boolean;
  /** User named in 403 messages. */
  user?: string;
  /** How long forwarding waits for the second direction once one has ended (containerd: 1 s). */
  closeGraceMs?: number;
}

export interface PortForwardAttachment {
  /** Removes the listener and closes every forwarding session still open. */
  (): void;
  /** Upgraded port-forward connections currently open (WebSocket or SPDY). */
  openSessions(): number;
  /** Upgrade requests seen, with the transport each was served with (or the status code). */
  requests(): ReadonlyArray<{ path: string; transport: 'v4.channel' | 'v4.base64.channel' | 'spdy-websocket' | 'spdy' | number }>;
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;
const BEARER_PROTOCOL = 'base64url.bearer.authorization.k8s.io.';
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const CHANNEL_PROTOCOLS: Record<string, ChannelCodec> = { 'v4.channel.k8s.io': 'binary', 'v4.base64.channel.k8s.io': 'base64' };

export function attachPortForward(server: http.Server, opts: PortForwardOptions): PortForwardAttachment {
  // The subprotocol each upgrade request was granted (decided with the auth checks, before ws runs).
  const granted = new WeakMap<http.IncomingMessage, string>();
  // ws validates subprotocols as RFC 7230 tokens and answers 400 to `SPDY/3.1+portforward.k8s.io`
  // ('/' is not a token character; gorilla/websocket and Go's API server accept it). So the offer
  // is removed from the request before ws sees it, and the granted protocol added to its answer.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    const protocol = granted.get(req);
    if (protocol !== undefined) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const sessions = new Set<() => void>();
  const seen: Array<{ path: string; transport: 'v4.channel' | 'v4.base64.channel' | 'spdy-websocket' | 'spdy' | number }> = [];
  const graceMs = opts.closeGraceMs ?? 1000;

  const track = (teardown: () => void): (() => void) => {
    sessions.add(teardown);
    return () => sessions.delete(teardown);
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = PATH.exec(url.pathname);
    if (!match) {
      // Someone else may serve other upgrades (watch over WebSocket...); answer only when alone.
      if (server.listenerCount('upgrade') === 1) reject(socket, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const namespace = decodeURIComponent(match[1] ?? '');
    const name = decodeURIComponent(match[2] ?? '');
    const fail = (code: number, body: object | string): void => {
      seen.push({ path: url.pathname, transport: code });
      reject(socket, body, code);
    };

    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const tokenFromProtocol = offered.find((p) => p.startsWith(BEARER_PROTOCOL));
    const bearer =
      /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ??
      (tokenFromProtocol ? Buffer.from(tokenFromProtocol.slice(BEARER_PROTOCOL.length), 'base64url').toString() : undefined);
    if (bearer !== opts.token) return fail(401, status(401, 'Unauthorized', 'Unauthorized'));

    const verb: PortForwardVerb = req.method === 'POST' ? 'create' : 'get';
    if (opts.forbidden?.(namespace, name, verb)) {
      const user = opts.user ?? 'test-user';
      return fail(
        403,
        status(
          403,
          'Forbidden',
          `pods "${name}" is forbidden: User "${user}" cannot ${verb} resource "pods/portforward" in API group "" in the namespace "${namespace}"`,
          { name, kind: 'pods' },
        ),
      );
    }
    const pod = opts.resolvePod(namespace, name);
    if (!pod) return fail(404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
    const phase = pod.status?.phase ?? 'Unknown';
    const ip = pod.status?.podIP;
    if (phase !== 'Running' || !ip) {
      return fail(400, status(400, 'BadRequest', `unable to forward port because pod is not running. Current status=${phase}`));
    }
    const target = { ip, uid: pod.metadata?.uid ?? '' };

    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const protocols = offered.filter((p) => !p.startsWith(BEARER_PROTOCOL));
      const tunnel = protocols.includes(TUNNEL_PROTOCOL);
      const channel = protocols.find((p) => p in CHANNEL_PROTOCOLS);
      if (!tunnel && protocols.length > 0 && channel === undefined) {
        // golang.org/x/net/websocket's handshake failure: a bare 403.
        return fail(403, '');
      }
      let ports: number[] = [];
      if (!tunnel) {
        // The API server takes `ports` (repeated or comma-separated); the kubelet's errors come back as text.
        const parsed = parsePorts(url.searchParams.getAll('ports'));
        if (typeof parsed === 'string') return fail(400, parsed);
        ports = parsed;
      }
      const selected = tunnel ? TUNNEL_PROTOCOL : channel;
      seen.push({
        path: url.pathname,
        transport: tunnel ? 'spdy-websocket' : channel === 'v4.base64.channel.k8s.io' ? 'v4.base64.channel' : 'v4.channel',
      });
      if (selected !== undefined) granted.set(req, selected);
      delete req.headers['sec-websocket-protocol'];
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        if (tunnel) {
          const session = new SpdyPortForwardSession(
            {
              write: (chunk, flushed) => ws.send(chunk, { binary: true }, () => flushed()),
              close: () => ws.close(1000),
              destroy: () => ws.terminate(),
            },
            target,
            graceMs,
          );
          const untrack = track(() => session.destroy());
          ws.on('message', (data) => session.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)));
          ws.on('close', () => {
            untrack();
            session.destroy();
          });
          ws.on('error', () => session.destroy());
        } else {
          const teardown = runChannelSession(ws, CHANNEL_PROTOCOLS[channel ?? ''] ?? 'binary', target, ports, graceMs);
          const untrack = track(teardown);
          ws.on('close', untrack);
        }
      });
      return;
    }

    if (upgrade === 'spdy/3.1') {
      const requested = (req.headers['x-stream-protocol-version'] ?? '')
        .toString()
        .split(',')
        .map((p) => p.trim());
      if (requested[0] !== '' && !requested.includes('portforward.k8s.io')) {
        return fail(
          403,
          `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(requested)}, server accepts ["portforward.k8s.io"]`,
        );
      }
      seen.push({ path: url.pathname, transport: 'spdy' });
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' + 'X-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
      );
      const session = new SpdyPortForwardSession(
        {
          write: (chunk, flushed) => socket.write(chunk, () => flushed()),
          close: () => socket.end(),
          destroy: () => socket.destroy(),
        },
        target,
        graceMs,
      );
      const untrack = track(() => session.destroy());
      if (head.length > 0) session.receive(head);
      socket.on('data', (chunk: Buffer) => session.receive(chunk));
      socket.on('error', () => session.destroy());
      socket.on('close', () => {
        untrack();
        session.destroy();
      });
      return;
    }

    fail(400, status(400, 'BadRequest', 'Upgrade request required'));
  };

  server.on('upgrade', onUpgrade);
  const detach = (): void => {
    server.off('upgrade', onUpgrade);
    for (const teardown of [...sessions]) teardown();
    sessions.clear();
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
  return Object.assign(detach, { openSessions: () => sessions.size, requests: () => seen });
}

function parsePorts(values: string[]): number[] | string {
  if (values.length === 0) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const value of values) {
    if (value === '') return 'query parameter "port" cannot be empty';
    for (const part of value.split(',')) {
      if (!/^\d+$/.test(part) || Number(part) > 65535) return `unable to parse "${value}" as a port: invalid syntax`;
      if (Number(part) < 1) return `port "${value}" must be > 0`;
      ports.push(Number(part));
    }
  }
  return ports;
}

function status(code: number, reason: string, message: string, details?: { name: string; kind: string }): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function reject(socket: Duplex, body: object | string, code = (body as { code?: number }).code ?? 400): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  socket.end(
    `HTTP/1.1 ${code} ${REASONS[code] ?? 'Error'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `Connection: close\r\n\r\n${text}`,
  );
  socket.once('finish', () => socket.destroy());
}

import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.js';
import { attachPortForward, type PortForwardAttachment } from './fake-port-forward.js';
import { makePod } from './make-pod.js';

/**
 * The fake's wire protocol, checked with a raw WebSocket client: what a kubelet behind an API server
 * sends for `v4.channel.k8s.io` / `v4.base64.channel.k8s.io`, and the Status answers before the upgrade.
 */

let api: FakeKubeApi;
let detach: PortForwardAttachment;
let echo: net.Server;
let echoPort: number;

beforeEach(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.3', resolve));
  echoPort = (echo.address() as AddressInfo).port;
  api = await startFakeKubeApi({ pods: [makePod({ name: 'echo-1', namespace: 'shop', ip: '127.0.0.3', uid: 'uid-echo-1' })] });
  detach = attachPortForward(api.server, {
    token: api.token,
    user: api.user,
    resolvePod: (ns, name) => api.getPod(ns, name),
    forbidden: (ns, _name, verb) => ns === 'locked' || (ns === 'shop' && verb === 'create'),
  });
});

afterEach(async () => {
  detach();
  await api.close();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

function wsUrl(path: string): string {
  return `${api.url.replace(/^http/, 'ws')}${path}`;
}

interface Session {
  ws: WebSocket;
  protocol: string;
  messages: Array<{ data: Buffer; binary: boolean }>;
  closed: Promise<void>;
  next(count: number): Promise<Array<{ data: Buffer; binary: boolean }>>;
}

async function connect(path: string, protocols: string[], headers: Record<string, string> = { Authorization: `Bearer ${api.token}` }): Promise<Session> {
  const ws = new WebSocket(wsUrl(path), protocols, { headers });
  const messages: Array<{ data: Buffer; binary: boolean }> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data, binary) => {
    messages.push({ data: Buffer.from(data as Buffer), binary });
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (count: number): Promise<Array<{ data: Buffer; binary: boolean }>> => {
    while (messages.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages.slice(0, count);
  };
  return { ws, protocol: ws.protocol, messages, closed, next };
}

function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

/** The status and body of a refused upgrade. */
async function refusal(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.url}${path}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', () => reject(new Error('unexpected upgrade')));
    req.on('error', reject);
    req.end();
  });
}

describe('fake port-forward endpoint (channel protocol)', () => {
  it('grants v4.channel.k8s.io to a client offering v5 first, as a kubelet does, and prefixes each channel with the port', async () => {
    const s = await connect(`/api/v1/namespaces/shop/pods/echo-1/portforward?ports=${echoPort}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']);
    expect(s.protocol).toBe('v4.channel.k8s.io');
    const [data, error] = await s.next(2);
    expect(data?.data.equals(Buffer.concat([Buffer.from([0]), portBytes(echoPort)]))).toBe(true);
    expect(error?.data.equals(Buffer.concat([Buffer.from([1]), portBytes(echoPort)]))).toBe(true);

    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping through the pod')]));
    const [, , echoed] = await s.next(3);
    expect(echoed?.data.toString()).toBe('\u0000ping through the pod');
    s.ws.close();
    await s.closed;
    await expect.poll(() => detach.openSessions()).toBe(0);
  });

  it('serves v4.base64.channel.k8s.io with a token given as a subprotocol', async () => {
    const tokenProtocol = `base64url.bearer.authorization.k8s.io.${Buffer.from(api.token).toString('base64url')}`;
    const s = await connect(`/api/v1/namespaces/shop/pods/echo-1/portforward?ports=${echoPort}`, ['v4.base64.channel.k8s.io', tokenProtocol], {});
    expect(s.protocol).toBe('v4.base64.channel.k8s.io');
    const [data] = await s.next(2);
    expect(data?.binary).toBe(false);
    expect(data?.data.toString()).toBe(`0${portBytes(echoPort).toString('base64')}`);
    s.ws.send(`0${Buffer.from('hi').toString('base64')}`);
    const [, , echoed] = await s.next(3);
    expect(echoed?.data.toString()).toBe(`0${Buffer.from('hi').toString('base64')}`);
    s.ws.close();
    await s.closed;
  });

  it('writes the kubelet error on the error channel and closes when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.3', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const s = await connect(`/api/v1/namespaces/shop/pods/echo-1/portforward?ports=${closedPort}`, ['v4.channel.k8s.io']);
    await s.closed;
    const error = s.messages.filter((m) => m.data[0] === 1).map((m) => m.data.subarray(1));
    expect(error[0]?.equals(portBytes(closedPort))).toBe(true);
    expect(error[1]?.toString()).toMatch(
      new RegExp(
        `^error forwarding port ${closedPort} to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace ".*": .*dial tcp4 127\\.0\\.0\\.1:${closedPort}: connect: connection refused`,
      ),
    );
  });

  it('answers Status errors before upgrading: 401, 403 with the verb, 404, 400', async () => {
    const path = `/api/v1/namespaces/shop/pods/echo-1/portforward?ports=${echoPort}`;
    const unauthorized = await refusal(path, { 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' });
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });

    const auth = { Authorization: `Bearer ${api.token}`, 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' };
    const forbidden = await refusal(`/api/v1/namespaces/locked/pods/x/portforward?ports=1`, auth);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      details: { name: 'x', kind: 'pods' },
      message: `pods "x" is forbidden: User "${api.user}" cannot get resource "pods/portforward" in API group "" in the namespace "locked"`,
    });

    const missing = await refusal(`/api/v1/namespaces/shop/pods/nope/portforward?ports=1`, auth);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });

    const noPorts = await refusal(`/api/v1/namespaces/shop/pods/echo-1/portforward`, auth);
    expect(noPorts.status).toBe(400);

    // A SPDY upgrade is a POST, authorized as `create` (forbidden in "shop" by this test's policy).
    const spdy = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${api.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${api.token}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(spdy).toBe(403);
  });
});

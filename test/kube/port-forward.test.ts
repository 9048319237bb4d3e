import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPortForward, PortForwardError, type LocalForward } from '../../src/kube/port-forward.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { attachPortForward, type PortForwardAttachment } from '../doubles/fake-port-forward.js';
import { fixture } from '../doubles/fixtures.js';
import { kubectlPath } from '../doubles/kubectl.js';
import { makePod } from '../doubles/make-pod.js';
import { rejectionOf } from '../expect-rejection.js';

/** A pod's pprof endpoint: serves the real fixtures and counts the TCP connections it accepted. */
interface PprofPod {
  ip: string;
  port: number;
  connections(): number;
  close(): Promise<void>;
}

async function startPprofPod(ip: string): Promise<PprofPod> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    const name = /^\/debug\/pprof\/(heap|goroutine|heap-large)$/.exec(req.url ?? '')?.[1];
    if (!name) {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    const body = fixture(name === 'heap-large' ? 'heap-large' : name === 'heap' ? 'heap' : 'goroutine');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  return {
    ip,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on `ip` where nothing listens (bound, then released). */
async function closedPort(ip: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, ip, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function kubeConfigFor(api: FakeKubeApi, dir: string): Promise<KubeConfig> {
  const kc = new KubeConfig();
  kc.loadFromFile(await api.writeKubeconfig(dir));
  return kc;
}

async function fetchBytes(url: string, dispatcher?: Agent): Promise<Buffer> {
  const res = await request(url, dispatcher ? { dispatcher } : {});
  expect(res.statusCode).toBe(200);
  return Buffer.from(await res.body.arrayBuffer());
}

let dir: string;
let pod: PprofPod;
let api: FakeKubeApi;
let detach: PortForwardAttachment;
let forwards: LocalForward[];
let forbidden: Set<string>;

async function startCluster(opts: { tls?: boolean; podIp?: string } = {}): Promise<void> {
  pod = await startPprofPod(opts.podIp ?? '127.0.0.1');
  api = await startFakeKubeApi({
    tls: opts.tls ?? false,
    pods: [makePod({ name: 'checkout-7d9f', namespace: 'shop', ip: pod.ip }), makePod({ name: 'starting-1', namespace: 'shop', ip: null, phase: 'Pending' })],
  });
  forbidden = new Set();
  detach = attachPortForward(api.server, {
    token: api.token,
    user: api.user,
    resolvePod: (ns, name) => api.getPod(ns, name),
    forbidden: (ns) => forbidden.has(ns),
    closeGraceMs: 200,
  });
}

async function open(podName: string, port: number, options: Parameters<typeof openPortForward>[3] = {}): Promise<LocalForward> {
  const forward = await openPortForward(await kubeConfigFor(api, dir), { namespace: 'shop', name: podName }, port, options);
  forwards.push(forward);
  return forward;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-forward-'));
  forwards = [];
});

afterEach(async () => {
  for (const forward of forwards) await forward.close();
  detach?.();
  await api?.close();
  await pod?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openPortForward through the API server (client-node, v4.channel.k8s.io)', () => {
  beforeEach(() => startCluster());

  it('serves the pod heap profile on a local port, byte for byte', async () => {
    const forward = await open('checkout-7d9f', pod.port);
    expect(forward.host).toBe('127.0.0.1');
    expect(forward.port).toBeGreaterThan(0);
    expect(forward.url('/debug/pprof/heap')).toBe(`http://127.0.0.1:${forward.port}/debug/pprof/heap`);

    const body = await fetchBytes(forward.url('/debug/pprof/heap'));
    expect(body.equals(fixture('heap'))).toBe(true);
    expect(forward.lastError()).toBeUndefined();
    // The kubelet-side fake saw WebSocket channel sessions (the verify probe, then the request).
    expect(detach.requests().map((r) => r.transport)).toEqual(['v4.channel', 'v4.channel']);
  });

  it('carries a 3.8 MB profile intact', async () => {
    const forward = await open('checkout-7d9f', pod.port);
    const body = await fetchBytes(forward.url('/debug/pprof/heap-large'));
    expect(body.length).toBe(fixture('heap-large').length);
    expect(body.equals(fixture('heap-large'))).toBe(true);
  });

  it('forwards concurrent requests, one WebSocket and one pod connection per local connection', async () => {
    const forward = await open('checkout-7d9f', pod.port, { verify: false });
    const agent = new Agent({ connections: 6, pipelining: 0 });
    try {
      const names = ['heap', 'goroutine', 'heap', 'goroutine', 'heap', 'heap-large'] as const;
      const bodies = await Promise.all(names.map((name) => fetchBytes(forward.url(`/debug/pprof/${name}`), agent)));
      bodies.forEach((body, i) => {
        const name = names[i] ?? 'heap';
        expect(body.equals(fixture(name === 'heap-large' ? 'heap-large' : name))).toBe(true);
      });
      const sessions = detach.requests().filter((r) => r.transport === 'v4.channel').length;
      expect(sessions).toBeGreaterThanOrEqual(2);
      expect(pod.connections()).toBe(sessions);
    } finally {
      await agent.close();
    }
  });

  it('explains a closed pod port: nothing listens on the port in the pod', async () => {
    const port = await closedPort(pod.ip);
    const forward = await open('checkout-7d9f', port);
    await expect(request(forward.url('/debug/pprof/heap'))).rejects.toThrow();
    const err = forward.lastError();
    expect(err).toBeInstanceOf(PortForwardError);
    expect(err?.code).toBe('PORT_FORWARD_PORT_CLOSED');
    expect(err?.message).toContain(`nothing listens on port ${port} in pod shop/checkout-7d9f`);
    expect(err?.message).toContain('connect: connection refused');
  });

  it('names the missing permission when RBAC forbids pods/portforward', async () => {
    forbidden.add('shop');
    const err = await rejection(open('checkout-7d9f', pod.port));
    expect(err.code).toBe('PORT_FORWARD_FORBIDDEN');
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain('missing permission "get" on "pods/portforward" in namespace "shop"');
    expect(err.message).toContain(`User "${api.user}" cannot get resource "pods/portforward"`);
    expect(err.message).toContain('"create"');
  });

  it('without verification, a forbidden forward fails the request and records why', async () => {
    forbidden.add('shop');
    const forward = await open('checkout-7d9f', pod.port, { verify: false });
    await expect(request(forward.url('/debug/pprof/heap'))).rejects.toThrow();
    expect(forward.lastError()?.code).toBe('PORT_FORWARD_FORBIDDEN');
    expect(pod.connections()).toBe(0);
  });

  it('reports an unknown pod, a pod that is not running, and rejected credentials', async () => {
    const missing = await rejection(open('gone-1', pod.port));
    expect(missing).toMatchObject({ code: 'PORT_FORWARD_POD_NOT_FOUND', statusCode: 404 });
    expect(missing.message).toContain('pod shop/gone-1 not found');

    const pending = await rejection(open('starting-1', pod.port));
    expect(pending).toMatchObject({ code: 'PORT_FORWARD_POD_NOT_RUNNING', statusCode: 400 });
    expect(pending.message).toContain('Current status=Pending');

    const kc = await kubeConfigFor(api, dir);
    const user = kc.getCurrentUser();
    if (user) (user as { token?: string }).token = 'wrong-token';
    const denied = await rejection(openPortForward(kc, { namespace: 'shop', name: 'checkout-7d9f' }, pod.port));
    expect(denied).toMatchObject({ code: 'PORT_FORWARD_UNAUTHORIZED', statusCode: 401 });
  });

  it('reports an API server that does not answer', async () => {
    const port = await closedPort('127.0.0.1');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const err = await rejection(openPortForward(kc, { namespace: 'shop', name: 'checkout-7d9f' }, 6060));
    expect(err.code).toBe('PORT_FORWARD_API_UNREACHABLE');
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
  });

  it('close() ends local connections, WebSockets and pod connections, and frees every handle', async () => {
    const handlesBefore = countHandles();
    const forward = await open('checkout-7d9f', pod.port);
    const agent = new Agent({ connections: 3 });
    await Promise.all([1, 2, 3].map(() => fetchBytes(forward.url('/debug/pprof/heap'), agent)));
    // Keep-alive: the local connections, their WebSockets and the pod connections are still open.
    expect(forward.activeConnections()).toBeGreaterThan(0);
    expect(detach.openSessions()).toBeGreaterThan(0);

    await forward.close();
    expect(forward.activeConnections()).toBe(0);
    await eventually(() => detach.openSessions() === 0);
    await agent.close();
    await expect(request(forward.url('/debug/pprof/heap'))).rejects.toThrow(/ECONNREFUSED/);
    await eventually(() => countHandles() <= handlesBefore);
  });

  it('an abort signal closes the forward, and an aborted signal refuses to open', async () => {
    const controller = new AbortController();
    const forward = await open('checkout-7d9f', pod.port, { signal: controller.signal });
    expect((await fetchBytes(forward.url('/debug/pprof/heap'))).equals(fixture('heap'))).toBe(true);
    controller.abort();
    await eventually(async () => {
      try {
        await request(forward.url('/debug/pprof/heap'));
        return false;
      } catch (err) {
        return /ECONNREFUSED/.test(String((err as Error).message ?? err));
      }
    });
    await expect(open('checkout-7d9f', pod.port, { signal: controller.signal })).rejects.toMatchObject({ code: 'PORT_FORWARD_ABORTED' });
  });
});

describe('openPortForward over HTTPS', () => {
  beforeEach(() => startCluster({ tls: true, podIp: '127.0.0.2' }));

  it('forwards through a TLS API server to a pod on another loopback address', async () => {
    const forward = await open('checkout-7d9f', pod.port);
    expect((await fetchBytes(forward.url('/debug/pprof/heap'))).equals(fixture('heap'))).toBe(true);
  });
});

/** Real `kubectl port-forward` against the fake: it speaks SPDY, tunnelled in a WebSocket or not. */
describe('kubectl port-forward against the fake API server', () => {
  beforeEach(() => startCluster({ tls: true }));

  const runKubectl = async (env: Record<string, string>, remotePort: number): Promise<{ port: number; child: ChildProcess; stderr: () => string }> => {
    const kubeconfig = await api.writeKubeconfig(dir);
    const child = spawn(kubectlPath(), ['--kubeconfig', kubeconfig, 'port-forward', 'pod/checkout-7d9f', '-n', 'shop', `:${remotePort}`], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubectl did not start forwarding: ${stderr}`)), 20_000);
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          expect(Number(m[2])).toBe(remotePort);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl exited ${code}: ${stderr}`));
      });
    });
    kubectls.push(child);
    return { port, child, stderr: () => stderr };
  };

  let kubectls: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of kubectls) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    kubectls = [];
  });

  it('kubectl (default: SPDY tunnelled over WebSocket) fetches the heap profile through the fake', async () => {
    const { port } = await runKubectl({}, pod.port);
    const agent = new Agent({ connections: 2 });
    try {
      const bodies = await Promise.all(['heap', 'heap-large', 'goroutine'].map((n) => fetchBytes(`http://127.0.0.1:${port}/debug/pprof/${n}`, agent)));
      expect(bodies[0]?.equals(fixture('heap'))).toBe(true);
      expect(bodies[1]?.equals(fixture('heap-large'))).toBe(true);
      expect(bodies[2]?.equals(fixture('goroutine'))).toBe(true);
    } finally {
      await agent.close();
    }
    expect(detach.requests().map((r) => r.transport)).toEqual(['spdy-websocket']);
  });

  it('kubectl with KUBECTL_PORT_FORWARD_WEBSOCKETS=false uses plain SPDY', async () => {
    const { port } = await runKubectl({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, pod.port);
    expect((await fetchBytes(`http://127.0.0.1:${port}/debug/pprof/heap`)).equals(fixture('heap'))).toBe(true);
    expect(detach.requests().map((r) => r.transport)).toEqual(['spdy']);
  });

  it('kubectl reports the kubelet error text when nothing listens on the pod port', async () => {
    const closed = await closedPort(pod.ip);
    const { port, stderr } = await runKubectl({}, closed);
    await expect(request(`http://127.0.0.1:${port}/debug/pprof/heap`)).rejects.toThrow();
    await eventually(() => /connection refused/.test(stderr()));
    expect(stderr()).toMatch(new RegExp(`error forwarding port ${closed} to pod [0-9a-f]{64}, uid : .*connect: connection refused`));
  });
});

/** The PortForwardError a promise must reject with. */
function rejection(promise: Promise<unknown>): Promise<PortForwardError> {
  return rejectionOf(promise, PortForwardError);
}

function countHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

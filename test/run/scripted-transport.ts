/**
 * A fake transport for the run's scheduling tests, as Prometheus tests its scrape loop with a fake
 * scraper: every pod is served by one real HTTP server on 127.0.0.1 whose answers the test
 * controls. Requests are held until the test answers them (or answered at once by `autoAnswer`),
 * each one is an event, and the transport counts what the run asked of it: connections per pod,
 * releases, and the most requests in flight at once per kind (CPU; window: any `?seconds=N`
 * request, CPU included; other: the snapshots) and per pod.
 */
import { EventEmitter, once } from 'node:events';
import { Agent, createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { PodInfo, Target } from '../../src/discover/target.js';
import type { PodConnection, Transport } from '../../src/run/transport.js';
import { fixture } from '../doubles/fixtures.js';

export interface HeldRequest {
  /** The pod's IP, from the Host header the run sent (each test pod has its own IP). */
  readonly ip: string;
  readonly path: string;
  /** `/profile`: the CPU profile. */
  readonly cpu: boolean;
  /** A window profile (`?seconds=N`): cpu, allocs, block, mutex. */
  readonly window: boolean;
  answer(body?: Buffer): void;
  /** Sends `bytes` of `body` now and holds the rest until `finish()`. */
  stream(body: Buffer, bytes: number): { finish(): void };
}

export class ScriptedTransport implements Transport {
  readonly events = new EventEmitter();
  readonly held: HeldRequest[] = [];
  readonly connects = new Map<string, number>();
  readonly released: string[] = [];
  closed = false;
  inFlight = { cpu: 0, window: 0, other: 0 };
  mostInFlight = { cpu: 0, window: 0, other: 0, pods: 0 };
  /** Answers requests at once when it returns a body; undefined holds them. */
  autoAnswer: ((request: HeldRequest) => Buffer | undefined) | undefined;
  private readonly podsWithRequests = new Map<string, number>();
  private server: Server | undefined;
  private port = 0;
  private readonly agents: Agent[] = [];

  static async start(): Promise<ScriptedTransport> {
    const transport = new ScriptedTransport();
    transport.server = createServer((req, res) => transport.onRequest(req.headers.host ?? '', req.url ?? '', res));
    transport.server.listen(0, '127.0.0.1');
    await once(transport.server, 'listening');
    transport.port = (transport.server.address() as AddressInfo).port;
    return transport;
  }

  async connect(target: Target): Promise<PodConnection> {
    this.connects.set(target.pod.ip, (this.connects.get(target.pod.ip) ?? 0) + 1);
    const agent = new LoopbackAgent(this.port);
    this.agents.push(agent);
    return { agent };
  }

  async release(pod: PodInfo): Promise<void> {
    this.released.push(pod.name);
    this.events.emit('released', pod.name);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const agent of this.agents) agent.destroy();
  }

  async stop(): Promise<void> {
    for (const request of this.held.splice(0)) request.answer(Buffer.alloc(0));
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Resolves once `n` requests in all have arrived. */
  async requests(n: number): Promise<void> {
    await this.until(() => this.total >= n);
  }

  /** Resolves once `condition` holds, checked as each request arrives. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await once(this.events, 'request');
  }

  /** Answers every held request that matches, with the real fixture of its type unless a body is given. */
  answerAll(match: (request: HeldRequest) => boolean = () => true, body?: Buffer): number {
    const chosen = this.held.filter(match);
    for (const request of chosen) request.answer(body);
    return chosen.length;
  }

  total = 0;

  private onRequest(host: string, path: string, res: ServerResponse): void {
    const ip = host.replace(/:\d+$/, '');
    const cpu = path.includes('/profile');
    const window = /[?&]seconds=/.test(path);
    const kinds: Array<'cpu' | 'window' | 'other'> = cpu ? ['cpu', 'window'] : window ? ['window'] : ['other'];
    this.count(kinds, ip, +1);
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      const index = this.held.indexOf(request);
      if (index >= 0) this.held.splice(index, 1);
      this.count(kinds, ip, -1);
    };
    res.on('close', end);
    const request: HeldRequest = {
      ip,
      path,
      cpu,
      window,
      answer: (body) => {
        end();
        res.end(body ?? fixture(cpu ? 'cpu' : 'heap'));
      },
      stream: (body, bytes) => {
        res.write(body.subarray(0, bytes));
        return {
          finish: () => {
            end();
            res.end(body.subarray(bytes));
          },
        };
      },
    };
    this.held.push(request);
    this.total += 1;
    this.events.emit('request', request);
    const auto = this.autoAnswer?.(request);
    if (auto !== undefined) request.answer(auto);
  }

  private count(kinds: ReadonlyArray<'cpu' | 'window' | 'other'>, ip: string, delta: number): void {
    for (const kind of kinds) {
      this.inFlight[kind] += delta;
      this.mostInFlight[kind] = Math.max(this.mostInFlight[kind], this.inFlight[kind]);
    }
    const left = (this.podsWithRequests.get(ip) ?? 0) + delta;
    if (left === 0) this.podsWithRequests.delete(ip);
    else this.podsWithRequests.set(ip, left);
    this.mostInFlight.pods = Math.max(this.mostInFlight.pods, this.podsWithRequests.size);
  }
}

/** Every connection goes to the scripted server, whatever pod the request names. */
class LoopbackAgent extends Agent {
  constructor(private readonly serverPort: number) {
    super({ keepAlive: false });
  }

  override createConnection(): Socket {
    return connect({ host: '127.0.0.1', port: this.serverPort });
  }
}

/**
 * The run's scheduling, with a scripted transport (scripted-transport.ts): which requests start
 * when, what the listing is made to wait for, what the observer hears, and how the run ends.
 * Every "not yet" is checked at a point where the run can do nothing more without the test
 * (requests held, listing blocked), through counters the run itself moves, never after a sleep.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverTargets, type PodSourceItem } from '../../src/discover/discover-targets.js';
import type { Target } from '../../src/discover/target.js';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import type { ProfileError } from '../../src/profile-error.js';
import type { ProfileType } from '../../src/profile-types.js';
import type { RunObserver } from '../../src/run/run-observer.js';
import { runOutcome } from '../../src/run/run-outcome.js';
import { scrapeRun, type RunLimits } from '../../src/run/scrape-run.js';
import type { ScrapedProfile } from '../../src/scrape/scraped-profile.js';
import type { Sink } from '../../src/sink/sink.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { ScriptedTransport } from './scripted-transport.js';

const transports: ScriptedTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()));
});

async function scripted(): Promise<ScriptedTransport> {
  const transport = await ScriptedTransport.start();
  transports.push(transport);
  return transport;
}

/** Pods p0..p(n-1) at 10.0.0.1.., enabled. */
function pods(n: number): PodSourceItem[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'pod' as const, pod: makePod({ name: `p${i}`, ip: `10.0.0.${i + 1}`, annotations: enabled() }) }));
}

/** The pod listing, counting how many pods the run has pulled; may wait before a pod or fail after some. */
class Listing implements AsyncIterable<PodSourceItem> {
  pulled = 0;
  exhausted = false;
  constructor(
    private readonly items: PodSourceItem[],
    private readonly options: { before?: (index: number) => Promise<void>; failAfter?: number } = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<PodSourceItem> {
    for (const [index, item] of this.items.entries()) {
      if (index === this.options.failAfter)
        throw new KubeApiError('KUBE_HTTP_STATUS', 'the API server went away', { verb: 'list', resource: 'pods', namespace: 'default' }, { statusCode: 503 });
      await this.options.before?.(index);
      this.pulled += 1;
      yield item;
    }
    this.exhausted = true;
  }
}

/** What the run told its observer, in order: `started p0`, `stored p0 heap`, `failed p0 cpu INTERRUPTED`, `done p0`. */
class Recorder implements RunObserver {
  readonly log: string[] = [];
  readonly failures: ProfileError[] = [];
  private waiters: Array<() => void> = [];
  podStarted(pod: { name: string }): void {
    this.push(`started ${pod.name}`);
  }
  profileStored(target: Target): void {
    this.push(`stored ${target.pod.name} ${target.type}`);
  }
  profileFailed(target: Target, error: ProfileError): void {
    this.failures.push(error);
    this.push(`failed ${target.pod.name} ${target.type} ${error.code}`);
  }
  podDone(pod: { name: string }): void {
    this.push(`done ${pod.name}`);
  }
  count(prefix: string): number {
    return this.log.filter((line) => line.startsWith(prefix)).length;
  }
  /** Resolves once `count(prefix)` reaches n. */
  async until(prefix: string, n: number): Promise<void> {
    while (this.count(prefix) < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  private push(line: string): void {
    this.log.push(line);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

class MemorySink implements Sink {
  readonly description = 'memory';
  constructor(private readonly fail?: (profile: ScrapedProfile) => void) {}
  async store(profile: ScrapedProfile): Promise<string> {
    this.fail?.(profile);
    return `memory:${profile.target.pod.name}/${profile.target.type}`;
  }
  async close(): Promise<void> {}
}

/** A sink whose stores wait until the test opens the gate. */
class GatedSink extends MemorySink {
  waiting = 0;
  private open = false;
  private readonly queue: Array<() => void> = [];
  override async store(profile: ScrapedProfile): Promise<string> {
    if (!this.open) {
      this.waiting += 1;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    return super.store(profile);
  }
  release(): void {
    this.open = true;
    for (const resolve of this.queue.splice(0)) resolve();
  }
}

const LIMITS: RunLimits = { concurrency: 8, cpuConcurrency: 8, podsInFlight: Infinity, maxInflightBytes: 64 * 1024 * 1024 };

function run(
  listing: AsyncIterable<PodSourceItem>,
  transport: ScriptedTransport,
  options: {
    types: ProfileType[];
    limits?: Partial<RunLimits>;
    sink?: Sink;
    sinks?: Sink[];
    observer?: RunObserver;
    signal?: AbortSignal;
    named?: boolean;
    cpuSeconds?: number;
  },
) {
  const targetOptions = { profileTypes: options.types, cpuSeconds: options.cpuSeconds ?? 1, requireEnable: options.named !== true };
  return scrapeRun(discoverTargets(listing, targetOptions), {
    limits: { ...LIMITS, ...options.limits },
    fetch: { timeoutMs: 10_000, maxProfileBytes: 64 * 1024 * 1024 },
    transport,
    sinks: options.sinks ?? [options.sink ?? new MemorySink()],
    observer: options.observer,
    signal: options.signal,
    named: options.named,
  });
}

describe('scrapeRun scheduling', () => {
  it('runs window profiles and downloads in separate pools: held windows never delay the downloads', async () => {
    const transport = await scripted();
    transport.autoAnswer = (request) => (request.window ? undefined : fixture('heap'));
    const recorder = new Recorder();
    const types: ProfileType[] = ['cpu', 'heap', 'goroutine', 'block', 'mutex'];
    const done = run(new Listing(pods(2)), transport, { types, limits: { cpuConcurrency: 2, concurrency: 1 }, observer: recorder });

    // Both window slots are taken (cpu, block and mutex of each pod) and held, yet all four downloads are stored, one at a time.
    await recorder.until('stored', 4);
    await transport.until(() => transport.inFlight.window === 6);
    expect(recorder.log.filter((line) => line.startsWith('stored') && !/ (heap|goroutine)$/.test(line))).toEqual([]);
    expect(transport.mostInFlight.other).toBe(1);

    transport.answerAll((request) => request.window, fixture('cpu'));
    const summary = await done;
    expect(summary.profilesStored).toBe(10);
    expect(transport.mostInFlight).toMatchObject({ cpu: 2, window: 6, other: 1 });
  });

  it("starts a pod's window profiles together in one slot of --cpu-concurrency; the next pod's wait for a slot", async () => {
    const transport = await scripted();
    const listing = new Listing(pods(2));
    const done = run(listing, transport, { types: ['cpu', 'allocs', 'block', 'mutex', 'heap'], limits: { cpuConcurrency: 1 } });

    // p0's four window requests are all under way at once, unanswered; p1 waits for the slot.
    await transport.until(() => transport.inFlight.window === 4);
    expect(new Set(transport.held.filter((r) => r.window).map((r) => r.ip))).toEqual(new Set(['10.0.0.1']));
    expect(
      transport.held
        .filter((r) => r.window)
        .map((r) => r.path.replace(/^\/debug\/pprof\//, ''))
        .sort(),
    ).toEqual(['allocs?seconds=1', 'block?seconds=1', 'mutex?seconds=1', 'profile?seconds=1']);
    expect(listing.pulled).toBe(1);

    transport.autoAnswer = (request) => fixture(request.cpu ? 'cpu' : 'heap');
    transport.answerAll();
    expect((await done).profilesStored).toBe(10);
    expect(transport.mostInFlight.window).toBe(4);
  });

  it('stops pulling pods while the CPU pool is full, and resumes as profiles finish (listing back-pressure)', async () => {
    const transport = await scripted();
    const listing = new Listing(pods(10));
    const done = run(listing, transport, { types: ['cpu'], limits: { cpuConcurrency: 2 } });

    await transport.requests(2);
    expect(listing.pulled).toBe(2);
    transport.held[0]!.answer();
    await transport.requests(3);
    expect(listing.pulled).toBe(3);

    transport.autoAnswer = () => fixture('cpu');
    transport.answerAll();
    expect((await done).profilesStored).toBe(10);
    expect(transport.mostInFlight.cpu).toBe(2);
  });

  it('counts window profiles that came back cumulative (the target ignored ?seconds), and stores them', async () => {
    const transport = await scripted();
    // Answered at once, long before a 10 s window could end: as a target that ignores seconds.
    transport.autoAnswer = (request) => fixture(request.cpu ? 'cpu' : 'heap');
    const said: string[] = [];
    const observer: RunObserver = { profileCumulative: (target, reason) => said.push(`${target.type}: ${reason}`) };
    const summary = await run(new Listing(pods(1)), transport, { types: ['cpu', 'allocs', 'block', 'heap'], observer, cpuSeconds: 10 });
    expect(summary).toMatchObject({ profilesStored: 4, profilesCumulative: 2 });
    expect(said.sort()).toEqual([expect.stringMatching(/^allocs: the target answered \?seconds=10 after \d\.\d s/), expect.stringMatching(/^block: /)]);
  });

  it('works on at most podsInFlight pods; a pod is done and released when its last profile settles, then the next is pulled', async () => {
    const transport = await scripted();
    const listing = new Listing(pods(4));
    const recorder = new Recorder();
    const done = run(listing, transport, { types: ['cpu', 'heap'], limits: { podsInFlight: 2 }, observer: recorder });

    await transport.requests(4);
    expect(listing.pulled).toBe(2);
    expect([...transport.connects.keys()].sort()).toEqual(['10.0.0.1', '10.0.0.2']);

    transport.answerAll((request) => request.ip === '10.0.0.1');
    await recorder.until('done', 1);
    await transport.requests(6);
    expect(recorder.log.filter((line) => line.startsWith('done'))).toEqual(['done p0']);
    expect(listing.pulled).toBe(3);

    transport.autoAnswer = (request) => fixture(request.cpu ? 'cpu' : 'heap');
    transport.answerAll();
    const summary = await done;
    expect(summary.profilesStored).toBe(8);
    expect(transport.mostInFlight.pods).toBe(2);
    expect([...transport.released].sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
    // Each pod: started, then both its profiles, then done.
    for (const pod of ['p0', 'p1', 'p2', 'p3']) {
      const own = recorder.log.filter((line) => line.split(' ')[1] === pod).map((line) => line.split(' ')[0]);
      expect(own).toEqual(['started', 'stored', 'stored', 'done']);
    }
  });

  it('interrupted: every profile in flight ends INTERRUPTED, no more pods are pulled, every pod is done and released, exit 130', async () => {
    const transport = await scripted();
    const listing = new Listing(pods(5));
    const recorder = new Recorder();
    const controller = new AbortController();
    const done = run(listing, transport, { types: ['cpu', 'heap'], limits: { podsInFlight: 3 }, observer: recorder, signal: controller.signal });

    await transport.requests(6);
    controller.abort();
    const summary = await done;
    expect(listing.pulled).toBe(3);
    expect(summary.profilesAttempted).toBe(6);
    expect(summary.profilesStored).toBe(0);
    expect(summary.failedByReason).toEqual({ INTERRUPTED: 6 });
    expect(recorder.count('done')).toBe(3);
    expect([...transport.released].sort()).toEqual(['p0', 'p1', 'p2']);
    expect(runOutcome(summary, controller.signal.aborted, false)).toMatchObject({ ending: 'interrupted', status: 130 });
  });

  it('a bug in a stage fails that profile as INTERNAL_ERROR, counted and reported; the other profiles are stored', async () => {
    const transport = await scripted();
    transport.autoAnswer = () => fixture('heap');
    const recorder = new Recorder();
    const sink = new MemorySink((profile) => {
      if (profile.target.pod.name === 'p1') throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    const summary = await run(new Listing(pods(3)), transport, { types: ['heap'], sink, observer: recorder });
    expect(summary.profilesStored).toBe(2);
    expect(summary.failedByReason).toEqual({ INTERNAL_ERROR: 1 });
    expect(recorder.failures[0]?.message).toBe("unexpected error: Cannot read properties of undefined (reading 'id')");
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'partial', status: 1 });
  });

  it('the listing fails mid-run: the pods already listed are still scraped and counted, and the run ends with status 2', async () => {
    const transport = await scripted();
    transport.autoAnswer = () => fixture('heap');
    const summary = await run(new Listing(pods(4), { failAfter: 2 }), transport, { types: ['heap'] });
    expect(summary.profilesStored).toBe(2);
    expect(summary.profilesAttempted).toBe(2);
    expect(summary.listError?.message).toMatch(/the API server went away/);
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'list-failed', status: 2 });
  });

  it('a named pod that cannot be scraped is an error; an unannotated pod in a listing is not', async () => {
    const transport = await scripted();
    const items: PodSourceItem[] = [
      { kind: 'pod', pod: makePod({ name: 'quiet', ip: '10.0.0.9' }) },
      { kind: 'pod', pod: makePod({ name: 'bad', ip: '10.0.0.8', annotations: enabled({ 'profefe.com/port': 'http' }) }) },
    ];
    const summary = await run(new Listing(items), transport, { types: ['heap'] });
    expect(summary.podsIgnored).toEqual({ 'not-enabled': 1 });
    expect(summary.podsSkipped).toBe(1);
    expect(summary.clean).toBe(false);
    expect(transport.total).toBe(0);

    // The same pod that is not Running: quietly ignored in a listing, an error when it was named.
    const pending = (): PodSourceItem[] => [{ kind: 'pod', pod: makePod({ name: 'starting', ip: null, phase: 'Pending', annotations: enabled() }) }];
    const listed = await run(new Listing(pending()), transport, { types: ['heap'] });
    expect(listed).toMatchObject({ podsSkipped: 0, podsIgnored: { 'not-running': 1 } });
    expect(listed.clean).toBe(true);
    const named = await run(new Listing(pending()), transport, { types: ['heap'], named: true });
    expect(named.podsSkipped).toBe(1);
    expect(named.podsSkippedExamples).toEqual(['default/starting: phase is Pending, not Running']);
    expect(runOutcome(named, false, false).status).toBe(1);
  });
});

describe('scrapeRun byte budget', () => {
  it('holds new downloads back while profile bytes in flight exceed --max-inflight-bytes, then finishes them all', async () => {
    const transport = await scripted();
    transport.autoAnswer = () => fixture('heap-large');
    const sink = new GatedSink();
    let connectCalls = 0;
    const connect = transport.connect.bind(transport);
    transport.connect = (target) => {
      connectCalls += 1;
      return connect(target);
    };
    // The first pod is listed alone; the others once its 3.8 MB profile sits in the sink.
    const firstHeld = async (index: number) => {
      while (index === 1 && sink.waiting < 1) await nextTurn();
    };
    const listing = new Listing(pods(4), { before: firstHeld });
    // Less than one profile: one download at a time may be held.
    const done = run(listing, transport, { types: ['heap'], limits: { maxInflightBytes: 1024 * 1024 }, sink });

    while (!listing.exhausted) await nextTurn();
    await nextTurn();
    // Every pod is listed and queued; the first 3.8 MB profile is held by the sink, and the next
    // heaps each reserve 3.8 MB: none may even connect.
    expect(connectCalls).toBe(1);
    sink.release();
    expect((await done).profilesStored).toBe(4);
    expect(transport.total).toBe(4);
  });

  it('window profiles are all requested at once; their bodies are read only within the budget', async () => {
    const transport = await scripted();
    const sink = new GatedSink();
    const done = run(new Listing(pods(3)), transport, { types: ['allocs'], limits: { maxInflightBytes: 1024 * 1024 }, sink });
    // All three pods are asked before any answers: a window starts with its pod, not when memory frees.
    await transport.requests(3);
    expect(transport.inFlight.window).toBe(3);
    // The first pod answers: its 3.8 MB body is read and held by the sink. Then the others do:
    // against a 1 MiB budget their bodies wait unread (bodies read regardless would reach the
    // sink well within the wait below).
    transport.held[0]!.answer(fixture('heap-large'));
    while (sink.waiting < 1) await nextTurn();
    transport.answerAll(() => true, fixture('heap-large'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sink.waiting).toBe(1);
    sink.release();
    expect((await done).profilesStored).toBe(3);
  });

  it('without the budget pressure, downloads run up to --concurrency at once', async () => {
    const transport = await scripted();
    transport.autoAnswer = () => fixture('heap');
    const sink = new GatedSink();
    const done = run(new Listing(pods(4)), transport, { types: ['heap'], limits: { maxInflightBytes: 1024 * 1024 }, sink });
    // Four small heaps (1.2 KB each) fit in the budget together: all four are held by the sink at once.
    while (sink.waiting < 4) await nextTurn();
    sink.release();
    expect((await done).profilesStored).toBe(4);
  });
});

describe('scrapeRun gives stored profile bytes back', () => {
  async function runWith(store: (profile: ScrapedProfile) => void): Promise<{ body: Buffer; stored: number; failed: number }> {
    const transport = await scripted();
    transport.autoAnswer = () => fixture('heap-large');
    let body: Buffer | undefined;
    const sink = new MemorySink((profile) => {
      body = profile.body;
      store(profile);
    });
    const summary = await run(new Listing(pods(1)), transport, { types: ['heap'], sink });
    return { body: body!, stored: summary.profilesStored, failed: summary.profilesFailed };
  }

  it('detaches a large body once the sink has stored it', async () => {
    let lengthSeenBySink = -1;
    const result = await runWith((profile) => {
      lengthSeenBySink = profile.body.length;
    });
    expect(lengthSeenBySink).toBe(fixture('heap-large').length);
    expect(result.stored).toBe(1);
    expect(result.body.length).toBe(0);
  });

  it('leaves the body alone when the store failed (the sink may still be reading it)', async () => {
    const result = await runWith(() => {
      throw new Error('collector said no');
    });
    expect(result.failed).toBe(1);
    expect(result.body.length).toBe(fixture('heap-large').length);
  });
});

/**
 * A run with several sinks (src/sink/fan-out.ts): each profile is fetched once and stored in
 * every sink; the summary counts stored and failed per sink, with stored + failed = attempted for
 * each (less the empty windows, which reach no sink); a failing sink fails its own stores only and makes the run not clean; a sink that holds
 * its stores never holds the other sink's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { discoverTargets, type PodSourceItem } from '../../src/discover/discover-targets.js';
import type { Target } from '../../src/discover/target.js';
import { ProfileError } from '../../src/profile-error.js';
import type { ProfileType } from '../../src/profile-types.js';
import type { RunObserver } from '../../src/run/run-observer.js';
import { runOutcome } from '../../src/run/run-outcome.js';
import type { RunSummary } from '../../src/run/run-summary.js';
import { scrapeRun, type RunLimits } from '../../src/run/scrape-run.js';
import type { ScrapedProfile } from '../../src/scrape/scraped-profile.js';
import type { Sink } from '../../src/sink/sink.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { withoutSamples } from '../doubles/test-collector/profile-bytes.js';
import { ScriptedTransport } from './scripted-transport.js';

const transports: ScriptedTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()));
});

/** A transport whose pods answer every request at once with the real profile of its type. */
async function answering(): Promise<ScriptedTransport> {
  const transport = await ScriptedTransport.start();
  transports.push(transport);
  transport.autoAnswer = (request) => fixture(request.cpu ? 'cpu' : 'heap');
  return transport;
}

async function* listing(n: number): AsyncIterable<PodSourceItem> {
  for (let i = 0; i < n; i++) yield { kind: 'pod', pod: makePod({ name: `p${i}`, ip: `10.0.1.${i + 1}`, annotations: enabled() }) };
}

/** A sink that keeps what it stored, fails the stores `fail` picks, and holds every store while `held` is set. */
class RecordingSink implements Sink {
  readonly stored: string[] = [];
  holding = 0;
  private readonly waiting: Array<() => void> = [];
  held = false;

  constructor(
    readonly description: string,
    private readonly fail: (profile: ScrapedProfile) => ProfileError | undefined = () => undefined,
  ) {}

  async store(profile: ScrapedProfile): Promise<string> {
    if (this.held) {
      this.holding += 1;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const error = this.fail(profile);
    if (error !== undefined) throw error;
    const key = `${profile.target.pod.name}/${profile.target.type}`;
    this.stored.push(key);
    return `${this.description}:${key}`;
  }

  release(): void {
    this.held = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  async close(): Promise<void> {}
}

/** Every event, as `stored p0 heap in A` / `failed p0 heap in B SINK_UNAVAILABLE` / `failed p0 heap everywhere TARGET_EMPTY` / `empty p0 cpu: why`. */
class Events implements RunObserver {
  readonly lines: string[] = [];
  profileEmpty(target: Target, why: string): void {
    this.lines.push(`empty ${target.pod.name} ${target.type}: ${why}`);
  }
  profileStored(target: Target, location: string, _bytes: number, sink: string): void {
    this.lines.push(`stored ${target.pod.name} ${target.type} in ${sink} at ${location}`);
  }
  profileFailed(target: Target, error: ProfileError, sink?: string): void {
    this.lines.push(`failed ${target.pod.name} ${target.type} ${sink === undefined ? 'everywhere' : `in ${sink}`} ${error.code}`);
  }
}

const LIMITS: RunLimits = { concurrency: 8, cpuConcurrency: 8, podsInFlight: Infinity, maxInflightBytes: 64 * 1024 * 1024 };

function run(
  pods: number,
  types: ProfileType[],
  sinks: Sink[],
  options: { observer?: RunObserver; limits?: Partial<RunLimits>; signal?: AbortSignal; transport: ScriptedTransport },
) {
  return scrapeRun(discoverTargets(listing(pods), { profileTypes: types, cpuSeconds: 1, requireEnable: true }), {
    limits: { ...LIMITS, ...options.limits },
    fetch: { timeoutMs: 10_000, maxProfileBytes: 64 * 1024 * 1024 },
    transport: options.transport,
    sinks,
    observer: options.observer,
    signal: options.signal,
  });
}

/** stored + failed + empty = attempted for the run; stored + failed = attempted - empty for each sink. */
function expectEveryProfileAccounted(summary: RunSummary): void {
  expect(summary.profilesStored + summary.profilesFailed + summary.profilesEmpty).toBe(summary.profilesAttempted);
  const forSinks = summary.profilesAttempted - summary.profilesEmpty;
  for (const counts of summary.sinks)
    expect({ sink: counts.sink, accounted: counts.stored + counts.failed }).toEqual({ sink: counts.sink, accounted: forSinks });
}

const unavailable = () => new ProfileError('SINK_UNAVAILABLE', 'could not store: the collector is down');

describe('scrapeRun with several sinks', () => {
  it('stores each profile, fetched once, in every sink', async () => {
    const transport = await answering();
    const a = new RecordingSink('A');
    const b = new RecordingSink('B');
    const summary = await run(3, ['cpu', 'heap'], [a, b], { transport });
    // One request per profile, whatever the number of sinks.
    expect(transport.total).toBe(6);
    expect(a.stored.sort()).toEqual(['p0/cpu', 'p0/heap', 'p1/cpu', 'p1/heap', 'p2/cpu', 'p2/heap']);
    expect(b.stored.sort()).toEqual(a.stored);
    expect(summary.toJSON()).toMatchObject({
      profilesAttempted: 6,
      profilesStored: 6,
      profilesFailed: 0,
      sinks: [
        { sink: 'A', stored: 6, failed: 0, failedByReason: {} },
        { sink: 'B', stored: 6, failed: 0, failedByReason: {} },
      ],
    });
    expectEveryProfileAccounted(summary);
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'clean', status: 0 });
  });

  it('one sink down: the other stores everything; counted per sink, the run is not clean (exit status 1)', async () => {
    const transport = await answering();
    const up = new RecordingSink('directory /up');
    const down = new RecordingSink('profefe http://down', unavailable);
    const events = new Events();
    const summary = await run(2, ['cpu', 'heap'], [down, up], { transport, observer: events });
    expect(up.stored).toHaveLength(4);
    expect(summary.toJSON()).toMatchObject({
      profilesAttempted: 4,
      profilesStored: 0,
      profilesFailed: 4,
      failedByReason: { SINK_UNAVAILABLE: 4 },
      sinks: [
        { sink: 'profefe http://down', stored: 0, failed: 4, failedByReason: { SINK_UNAVAILABLE: 4 } },
        { sink: 'directory /up', stored: 4, failed: 0, failedByReason: {} },
      ],
    });
    expectEveryProfileAccounted(summary);
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'partial', status: 1 });
    // Each profile: one event per sink, naming it, with the location that sink gave.
    expect(events.lines.filter((line) => line.startsWith('stored p0 heap'))).toEqual(['stored p0 heap in directory /up at directory /up:p0/heap']);
    expect(events.lines.filter((line) => line.startsWith('failed p0 heap'))).toEqual(['failed p0 heap in profefe http://down SINK_UNAVAILABLE']);
    expect(events.lines).toHaveLength(8);
  });

  it('a sink failing some profiles: counted for that sink only; the profile counts as failed for the run', async () => {
    const transport = await answering();
    const a = new RecordingSink('A');
    const b = new RecordingSink('B', (profile) => (profile.target.pod.name === 'p1' ? new ProfileError('SINK_REJECTED', 'the collector said 400') : undefined));
    const summary = await run(3, ['heap', 'goroutine'], [a, b], { transport });
    expect(summary.sinks).toEqual([
      { sink: 'A', stored: 6, failed: 0, failedByReason: {} },
      { sink: 'B', stored: 4, failed: 2, failedByReason: { SINK_REJECTED: 2 } },
    ]);
    expect(summary).toMatchObject({ profilesStored: 4, profilesFailed: 2, storedByType: { heap: 2, goroutine: 2 }, failedByReason: { SINK_REJECTED: 2 } });
    expectEveryProfileAccounted(summary);
  });

  it('a profile whose fetch fails is failed in every sink, told once without a sink', async () => {
    const transport = await answering();
    // Every heap answers 200 with an empty body: TARGET_EMPTY; the CPU profiles are fine.
    transport.autoAnswer = (request) => (request.cpu ? fixture('cpu') : Buffer.alloc(0));
    const a = new RecordingSink('A');
    const b = new RecordingSink('B');
    const events = new Events();
    const summary = await run(2, ['cpu', 'heap'], [a, b], { transport, observer: events });
    expect(summary.sinks).toEqual([
      { sink: 'A', stored: 2, failed: 2, failedByReason: { TARGET_EMPTY: 2 } },
      { sink: 'B', stored: 2, failed: 2, failedByReason: { TARGET_EMPTY: 2 } },
    ]);
    expect(summary).toMatchObject({ profilesAttempted: 4, profilesStored: 2, profilesFailed: 2, failedByReason: { TARGET_EMPTY: 2 } });
    expect(events.lines.filter((line) => line.includes(' heap ')).sort()).toEqual([
      'failed p0 heap everywhere TARGET_EMPTY',
      'failed p1 heap everywhere TARGET_EMPTY',
    ]);
    expectEveryProfileAccounted(summary);
  });

  it('an empty window (a CPU profile without samples) reaches no sink, is told and counted as empty, and the run stays clean', async () => {
    const transport = await answering();
    // p0's CPU window is empty; every heap is fine, and p1's CPU profile too.
    transport.autoAnswer = (request) => (request.cpu ? (request.ip === '10.0.1.1' ? withoutSamples(fixture('cpu')) : fixture('cpu')) : fixture('heap'));
    const a = new RecordingSink('A');
    const b = new RecordingSink('B');
    const events = new Events();
    const summary = await run(2, ['cpu', 'heap'], [a, b], { transport, observer: events });
    expect(a.stored.sort()).toEqual(['p0/heap', 'p1/cpu', 'p1/heap']);
    expect(b.stored.sort()).toEqual(a.stored);
    expect(summary.toJSON()).toMatchObject({
      profilesAttempted: 4,
      profilesStored: 3,
      profilesFailed: 0,
      profilesEmpty: 1,
      failedByReason: {},
      sinks: [
        { sink: 'A', stored: 3, failed: 0, failedByReason: {} },
        { sink: 'B', stored: 3, failed: 0, failedByReason: {} },
      ],
    });
    expect(events.lines.filter((line) => line.includes(' p0 cpu'))).toEqual(['empty p0 cpu: the program used no CPU time the profiler sampled']);
    expectEveryProfileAccounted(summary);
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'clean', status: 0 });
  });

  it('a snapshot without samples is no empty window: a heap without samples fails TARGET_EMPTY in every sink, the run is not clean', async () => {
    const transport = await answering();
    transport.autoAnswer = (request) => (request.cpu ? fixture('cpu') : withoutSamples(fixture('heap')));
    const a = new RecordingSink('A');
    const events = new Events();
    const summary = await run(1, ['cpu', 'heap'], [a], { transport, observer: events });
    expect(a.stored).toEqual(['p0/cpu']);
    expect(summary.toJSON()).toMatchObject({ profilesStored: 1, profilesFailed: 1, profilesEmpty: 0, failedByReason: { TARGET_EMPTY: 1 } });
    expect(events.lines).toContain('failed p0 heap everywhere TARGET_EMPTY');
    expectEveryProfileAccounted(summary);
    expect(runOutcome(summary, false, false)).toMatchObject({ ending: 'partial', status: 1 });
  });

  it("a sink holding its stores does not take the other sink's slots: with one store in flight, the other stores meanwhile", async () => {
    const transport = await answering();
    const slow = new RecordingSink('slow');
    slow.held = true;
    const fast = new RecordingSink('fast');
    // The CPU profile and the heap are fetched at once (separate pools), and reach the sinks together.
    const done = run(1, ['cpu', 'heap'], [slow, fast], { transport, limits: { concurrency: 1 } });
    // The slow sink's one slot is taken and held; the fast sink's own slot stores both profiles.
    while (fast.stored.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(slow.holding).toBe(1);
    expect(slow.stored).toEqual([]);
    slow.release();
    const summary = await done;
    expect(summary.sinks.map((counts) => [counts.sink, counts.stored])).toEqual([
      ['slow', 2],
      ['fast', 2],
    ]);
    expectEveryProfileAccounted(summary);
  });

  it('interrupted while one sink holds its stores: INTERRUPTED in that sink, stored in the other, every profile accounted in each', async () => {
    const transport = await answering();
    const slow = new RecordingSink('slow', () => (controller.signal.aborted ? new ProfileError('INTERRUPTED', 'cancelled') : undefined));
    slow.held = true;
    const fast = new RecordingSink('fast');
    const controller = new AbortController();
    const done = run(2, ['heap'], [slow, fast], { transport, signal: controller.signal });
    while (slow.holding < 2) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    slow.release();
    const summary = await done;
    expect(summary.sinks).toEqual([
      { sink: 'slow', stored: 0, failed: 2, failedByReason: { INTERRUPTED: 2 } },
      { sink: 'fast', stored: 2, failed: 0, failedByReason: {} },
    ]);
    expectEveryProfileAccounted(summary);
    expect(runOutcome(summary, true, false)).toMatchObject({ ending: 'interrupted', status: 130 });
  });
});

/**
 * The scheduler of one scrape run: for every discovered pod, each target is fetched through the
 * transport, validated and stored, with bounded concurrency, and every profile is accounted:
 * each attempted profile ends stored or failed, and the observer hears of it once.
 *
 * Pods are the unit of admission: at most `podsInFlight` pods have profiles under way (capture
 * holds one port-forward per pod), and a pod is done, told to the observer and released by the
 * transport, when its last profile settles.
 *
 * Two profile pools. A pod's window profiles (cpu, allocs, block, mutex: each waits `seconds`
 * on the pod) take one slot of the window pool together, so they start at once and cover the
 * same seconds; many pods profile at once (`cpuConcurrency`), and the window profiles' bodies
 * are read only when the pods answer, `concurrency` at once within the byte budget (window-bodies.ts). Every other profile (the snapshots) is a
 * download that may be megabytes, so few run at once (`concurrency`). Uploads, of both kinds,
 * share one limit of `concurrency` per sink: when a thousand pods' windows end together, a
 * collector still sees at most `concurrency` requests, and a slow sink never takes another sink's slots (src/sink/fan-out.ts).
 * A byte budget (`maxInflightBytes`) holds new downloads back while large profiles are being
 * validated and uploaded, so memory does not become `concurrency` × the largest profile. Listing
 * pauses while the pods-in-flight limit or the window pool is full or the data queue is long, so
 * the queue (small Target objects, no bytes) stays bounded. The pools are separate so that a
 * long queue of downloads never delays the start of the next pods' window profiles, which set the
 * floor of a run's wall time.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { DiscoveredItem } from '../discover/discover-targets.js';
import { podKey, type PodInfo, type Target } from '../discover/target.js';
import { SinkFanOut } from '../sink/fan-out.js';
import type { Sink } from '../sink/sink.js';
import { profileScraper, type FetchLimits } from './scrape-profile.js';
import { ByteBudget } from './byte-budget.js';
import { WindowBodies } from './window-bodies.js';
import { observeAll, type RunObserver } from './run-observer.js';
import { RunSummary } from './run-summary.js';
import type { Transport } from './transport.js';

/** Queued downloads are Target objects (no bytes): ten thousand of them cost a few MB. */
const MIN_DATA_QUEUE = 10_000;

export interface RunLimits {
  /** Profile downloads in flight, and uploads in flight per sink. */
  readonly concurrency: number;
  /** Pods profiling a window at once: each runs its window profiles (cpu, allocs, block, mutex) together. */
  readonly cpuConcurrency: number;
  /** Pods with profiles under way; Infinity for no limit. */
  readonly podsInFlight: number;
  /** Profile bytes held in memory before new downloads wait (one profile may exceed it). */
  readonly maxInflightBytes: number;
}

export interface ScrapeRunOptions {
  readonly limits: RunLimits;
  readonly fetch: FetchLimits;
  readonly transport: Transport;
  /** Every fetched profile is stored in each (at once, each with `concurrency` stores in flight). */
  readonly sinks: readonly Sink[];
  readonly observer?: RunObserver;
  readonly signal?: AbortSignal;
  /** Pods were named: a named pod that cannot be scraped is an error, not "not selected". */
  readonly named?: boolean;
}

export type { FetchLimits } from './scrape-profile.js';

export async function scrapeRun(items: AsyncIterable<DiscoveredItem>, options: ScrapeRunOptions): Promise<RunSummary> {
  const signal = options.signal ?? new AbortController().signal;
  // Every profile in flight listens for the run's abort: thousands of listeners are expected.
  setMaxListeners(0, signal);
  const sinks = new SinkFanOut(options.sinks, options.limits.concurrency);
  const summary = new RunSummary(sinks.names);
  const observe = observeAll(summary, options.observer ?? {});
  const pods = new PodsInFlight(options.transport, observe);
  const { limits } = options;
  const dataPool = pLimit(limits.concurrency);
  const cpuPool = pLimit(limits.cpuConcurrency);
  const maxDataQueued = Math.max(MIN_DATA_QUEUE, limits.concurrency * 64);

  const scrapeOne = profileScraper({
    transport: options.transport,
    sinks,
    fetch: options.fetch,
    observe,
    signal,
    budget: new ByteBudget(limits.maxInflightBytes),
    windowBodies: new WindowBodies(limits.concurrency),
  });

  // Queued or running per pool (window pool: pods; data pool: profiles), and a waiter woken whenever one settles.
  let cpuPending = 0;
  let dataPending = 0;
  const settled = new Wakeup();
  const full = () => pods.count >= limits.podsInFlight || cpuPending >= limits.cpuConcurrency || dataPending >= maxDataQueued;

  const schedule = (item: DiscoveredItem): void => {
    if (item.kind !== 'targets') {
      observe.podSkipped(item, item.kind !== 'ignored' || options.named === true);
      return;
    }
    pods.start(item.pod, item.targets);
    const scrapeAndSettle = (target: Target): Promise<void> => scrapeOne(target).finally(() => pods.settled(target.pod));
    const windowed = item.targets.filter((target) => target.seconds !== undefined);
    if (windowed.length > 0) {
      cpuPending += 1;
      void cpuPool(() => Promise.all(windowed.map(scrapeAndSettle))).finally(() => {
        cpuPending -= 1;
        settled.wake();
      });
    }
    for (const target of item.targets) {
      if (target.seconds !== undefined) continue;
      dataPending += 1;
      void dataPool(() => scrapeAndSettle(target)).finally(() => {
        dataPending -= 1;
        settled.wake();
      });
    }
  };

  try {
    for await (const item of items) {
      if (signal.aborted) break;
      schedule(item);
      if (full()) await settled.until(() => !full() || signal.aborted);
      // Checked before the next pod is pulled: an interrupted run lists nothing more.
      if (signal.aborted) break;
    }
  } catch (err) {
    // The pod list failed part-way (an API error): what was queued still finishes and is counted.
    summary.listError = err instanceof Error ? err : new Error(String(err));
  }
  // scrapeOne never rejects: every outcome is counted inside it.
  await settled.until(() => cpuPending + dataPending === 0);
  await pods.released();
  return summary;
}

/** Pods with profiles under way: started, counted down as profiles settle, done and released at zero. */
class PodsInFlight {
  private readonly remaining = new Map<string, { pod: PodInfo; left: number }>();
  private readonly releases: Array<Promise<void>> = [];

  constructor(
    private readonly transport: Transport,
    private readonly observe: Required<RunObserver>,
  ) {}

  get count(): number {
    return this.remaining.size;
  }

  start(pod: PodInfo, targets: readonly Target[]): void {
    this.remaining.set(podKey(pod), { pod, left: targets.length });
    this.observe.podStarted(pod, targets);
  }

  settled(pod: PodInfo): void {
    const key = podKey(pod);
    const entry = this.remaining.get(key);
    if (entry === undefined || --entry.left > 0) return;
    this.remaining.delete(key);
    this.observe.podDone(entry.pod);
    this.releases.push(this.transport.release(entry.pod).catch(() => undefined));
  }

  /** Waits until every done pod's transport resources are closed. */
  async released(): Promise<void> {
    await Promise.all(this.releases.splice(0));
  }
}

/** Wakes a waiter (at most one at a time) when something settles, once its condition holds. */
class Wakeup {
  private waiter: (() => void) | undefined;

  wake(): void {
    this.waiter?.();
  }

  until(condition: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = () => {
        if (!condition()) return;
        this.waiter = undefined;
        resolve();
      };
      this.waiter();
    });
  }
}

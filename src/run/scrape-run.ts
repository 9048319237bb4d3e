/**
 * One scrape run: for every discovered target, fetch → validate → store, with bounded
 * concurrency, and account for every profile: each attempted profile ends stored or failed.
 *
 * Two pools: CPU profiles wait `seconds` on the pod and return small bodies, so many run at
 * once (`cpuConcurrency`); every other profile is a download that may be megabytes, so few run
 * at once (`concurrency`), which bounds memory: only running profiles hold bytes. Uploads, of
 * both kinds, share one limit of `concurrency`: when a thousand CPU profiles finish together,
 * the collector still sees at most `concurrency` requests at once. A byte budget
 * (`maxInflightBytes`) holds new downloads back while large profiles are being validated and
 * uploaded, so memory does not become `concurrency` × the largest profile. Listing
 * pauses while the CPU pool is full or the data queue is long, so the queue (small Target
 * objects, no bytes) stays bounded and memory does not grow with the number of pods. The
 * two limits are separate so that a long queue of downloads never delays the start of the
 * next pods' CPU profiles, which set the floor of a run's wall time.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { DiscoveredItem } from '../discover/discover-targets.js';
import { skippedPodMessage } from '../discover/pod-targets.js';
import type { Target } from '../discover/target.js';
import type { Logger } from '../log.js';
import type { ProfileType } from '../profile-types.js';
import { ProfileError } from '../profile-error.js';
import { RunSummary } from '../report/run-summary.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { Sink } from '../sink/sink.js';
import { ByteBudget } from './byte-budget.js';
import { freeBuffer } from '../free-buffer.js';

/** Queued downloads are Target objects (no bytes): ten thousand of them cost a few MB. */
const MIN_DATA_QUEUE = 10_000;

/** Fetches one target; `onBytes` must be told of body bytes as they arrive. */
export type FetchTarget = (target: Target, signal: AbortSignal, onBytes: (bytes: number) => void) => Promise<ScrapedProfile>;

export interface ScrapeRunOptions {
  readonly concurrency: number;
  readonly cpuConcurrency: number;
  /** Profile bytes held in memory before new downloads wait (one profile may exceed it). */
  readonly maxInflightBytes: number;
  readonly fetch: FetchTarget;
  readonly sink: Sink;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Called for every stored profile with its location (file path or collector URL). */
  readonly onStored?: (target: Target, location: string) => void;
  /** Called for every failed profile. */
  readonly onFailed?: (target: Target, error: ProfileError) => void;
}

export async function scrapeRun(items: AsyncIterable<DiscoveredItem>, options: ScrapeRunOptions): Promise<RunSummary> {
  const { log, sink } = options;
  const signal = options.signal ?? new AbortController().signal;
  // Every profile in flight listens for the run's abort: thousands of listeners are expected.
  setMaxListeners(0, signal);
  const summary = new RunSummary();
  const dataPool = pLimit(options.concurrency);
  const cpuPool = pLimit(options.cpuConcurrency);
  const storePool = pLimit(options.concurrency);
  const budget = new ByteBudget(options.maxInflightBytes);
  // The largest body seen per profile type: what the next download of that type reserves.
  const largest = new Map<ProfileType, number>();
  const maxDataQueued = Math.max(MIN_DATA_QUEUE, options.concurrency * 64);

  // Profiles queued or running per pool, and a waiter woken whenever one settles.
  let cpuPending = 0;
  let dataPending = 0;
  let wake: (() => void) | undefined;
  const full = () => cpuPending >= options.cpuConcurrency || dataPending >= maxDataQueued;
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      wake = () => {
        if (condition()) {
          wake = undefined;
          resolve();
        }
      };
      wake();
    });

  const scrapeOne = async (target: Target): Promise<void> => {
    const where = { namespace: target.pod.namespace, pod: target.pod.name, type: target.type, url: target.url };
    let held = largest.get(target.type) ?? 0;
    let received = 0;
    try {
      await budget.reserve(held, signal);
      if (signal.aborted) throw new ProfileError('INTERRUPTED', 'the run was interrupted before this profile was fetched');
      const profile = await options.fetch(target, signal, (bytes) => {
        received += bytes;
        if (received > held) {
          budget.add(received - held);
          held = received;
          // Raised while the body streams in, not once it is complete: the downloads of this
          // type that start meanwhile reserve what a large one needs.
          if (received > (largest.get(target.type) ?? 0)) largest.set(target.type, received);
        }
      });
      if (signal.aborted) throw new ProfileError('INTERRUPTED', 'the run was interrupted before this profile was stored');
      const location = await storePool(() => sink.store(profile, signal));
      summary.stored(target.type);
      options.onStored?.(target, location);
      log.debug({ ...where, location, bytes: profile.body.length }, 'profile stored');
      // Stored: the sink has read every byte (a failed store may still be writing, so not then).
      freeBuffer(profile.body);
    } catch (err) {
      const failure = asProfileError(err, signal);
      summary.failed(failure.code);
      options.onFailed?.(target, failure);
      log.warn({ ...where, reason: failure.code }, failure.message);
    } finally {
      budget.release(held);
    }
  };

  const schedule = (item: DiscoveredItem): void => {
    if (item.kind === 'missing') {
      summary.addMissing();
      log.error({ namespace: item.namespace, pod: item.name }, item.reason);
      return;
    }
    summary.addPod(item);
    if (item.kind === 'ignored') {
      log.debug({ namespace: item.namespace, pod: item.name, why: item.why }, `pod not scraped: ${item.reason}`);
      return;
    }
    if (item.kind === 'invalid') {
      const { annotation, value } = item.problem;
      log.error({ namespace: item.namespace, pod: item.name, annotation, value }, skippedPodMessage(item));
      return;
    }
    for (const target of item.targets) {
      summary.attempt();
      const timed = target.seconds !== undefined;
      const count = (delta: number) => (timed ? (cpuPending += delta) : (dataPending += delta));
      count(1);
      void (timed ? cpuPool : dataPool)(() => scrapeOne(target)).finally(() => {
        count(-1);
        wake?.();
      });
    }
  };

  try {
    for await (const item of items) {
      if (signal.aborted) break;
      schedule(item);
      if (full()) await until(() => !full() || signal.aborted);
    }
  } catch (err) {
    // The pod list failed part-way (an API error): what was queued still finishes and is counted.
    summary.listError = err instanceof Error ? err : new Error(String(err));
  }
  // scrapeOne never rejects: every outcome is counted inside it.
  await until(() => cpuPending + dataPending === 0);
  return summary;
}

function asProfileError(err: unknown, signal: AbortSignal): ProfileError {
  if (err instanceof ProfileError) return err;
  if (signal.aborted) return new ProfileError('INTERRUPTED', 'the run was interrupted', { cause: err });
  // Anything else is a bug in a stage; still counted and reported, never dropped.
  const message = err instanceof Error ? err.message : String(err);
  return new ProfileError('INTERNAL_ERROR', `unexpected error: ${message}`, { cause: err });
}

/**
 * One fetched profile, stored in every sink of the run at once. Each sink has its own pool of
 * stores in flight, so a slow or failing sink (a collector being retried, a breaker probing)
 * never takes the slots of the others, and a store that fails is that sink's result only. The
 * profile's bytes are shared, read-only, by every store: they are held until the last sink has
 * answered (within the run's byte budget). A sink that is down fails fast behind its circuit
 * breaker (create-sink.ts), so it costs the others little.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { Sink } from './sink.js';

/** What one sink did with a profile: where it stored it, or why it did not (as thrown). */
export type SinkResult =
  | { readonly sink: string; readonly stored: true; readonly location: string }
  | { readonly sink: string; readonly stored: false; readonly error: unknown };

interface Lane {
  readonly sink: Sink;
  readonly pool: LimitFunction;
}

export class SinkFanOut {
  private readonly lanes: readonly Lane[];

  /** `concurrency`: stores in flight per sink. */
  constructor(sinks: readonly Sink[], concurrency: number) {
    if (sinks.length === 0) throw new Error('a run needs at least one sink');
    const names = sinks.map((sink) => sink.description);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) throw new Error(`the sink "${twice}" is given twice`);
    this.lanes = sinks.map((sink) => ({ sink, pool: pLimit(concurrency) }));
  }

  /** The sinks' descriptions, in order: the names a run's observer and summary know them by. */
  get names(): string[] {
    return this.lanes.map((lane) => lane.sink.description);
  }

  /** Settles when every sink has stored or failed the profile, with one result per sink in order; never rejects. */
  store(profile: ScrapedProfile, signal: AbortSignal): Promise<SinkResult[]> {
    return Promise.all(this.lanes.map((lane) => storeIn(lane, profile, signal)));
  }
}

async function storeIn({ sink, pool }: Lane, profile: ScrapedProfile, signal: AbortSignal): Promise<SinkResult> {
  try {
    const location = await pool(() => sink.store(profile, signal));
    return { sink: sink.description, stored: true, location };
  } catch (error) {
    return { sink: sink.description, stored: false, error };
  }
}

/** Closes every sink, each whatever the others do; rejects with the first failure once all are closed. */
export async function closeSinks(sinks: readonly Sink[]): Promise<void> {
  const results = await Promise.allSettled(sinks.map((sink) => sink.close()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

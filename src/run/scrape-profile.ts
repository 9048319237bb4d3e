/**
 * One profile of a run, start to end: reserve its share of the byte budget, connect through the
 * transport, fetch and validate, store in every sink at once (each under its own limit), and
 * tell the observer, per sink, it was stored or why it failed; or, for a window profile without
 * samples, that its window was empty (stored nowhere). Never rejects: every outcome is told.
 */
import type { Target } from '../discover/target.js';
import { freeBuffer } from '../free-buffer.js';
import { ProfileError } from '../profile-error.js';
import { fetchProfile } from '../scrape/fetch-profile.js';
import { EmptyWindow } from '../scrape/fetch-window.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { SinkFanOut, SinkResult } from '../sink/fan-out.js';
import type { ByteBudget } from './byte-budget.js';
import type { RunObserver } from './run-observer.js';
import type { Transport } from './transport.js';
import type { WindowBodies } from './window-bodies.js';

export interface FetchLimits {
  /** One request; window requests (cpu, allocs, block, mutex) get their `seconds` on top. */
  readonly timeoutMs: number;
  readonly maxProfileBytes: number;
}

export interface ProfileScrapeContext {
  readonly transport: Transport;
  /** Every sink of the run, each with its own stores in flight. */
  readonly sinks: SinkFanOut;
  readonly fetch: FetchLimits;
  readonly observe: Required<RunObserver>;
  readonly signal: AbortSignal;
  readonly budget: ByteBudget;
  /** When window profiles' bodies may be read (window-bodies.ts). */
  readonly windowBodies: WindowBodies;
}

export function profileScraper(context: ProfileScrapeContext): (target: Target) => Promise<void> {
  const { sinks, observe, signal, budget } = context;
  return async (target) => {
    const share = budget.share(target.type);
    // A window profile starts at once (with the pod's CPU profile) and is admitted when the pod
    // answers, N seconds later; a snapshot waits for its share before it is requested.
    const admission = target.seconds !== undefined ? context.windowBodies.admission(share, signal) : undefined;
    try {
      if (admission === undefined) await share.reserve(signal);
      const profile = await fetchThrough(context, target, share.onBytes, admission?.admit);
      if (profile.window?.kind === 'cumulative') observe.profileCumulative(target, profile.window.reason);
      if (signal.aborted) throw new ProfileError('INTERRUPTED', 'the run was interrupted before this profile was stored');
      const results = await sinks.store(profile, signal);
      tellResults(observe, target, profile.body.length, results, signal);
      // Stored everywhere: every sink has read every byte (a failed store may still be writing, so not then).
      if (results.every((result) => result.stored)) freeBuffer(profile.body);
    } catch (err) {
      // An empty window is the third outcome: told, stored nowhere, not failed.
      if (err instanceof EmptyWindow) observe.profileEmpty(target, err.why);
      else observe.profileFailed(target, asProfileError(err, signal));
    } finally {
      share.release();
      admission?.done();
    }
  };
}

/** One event per sink: stored with its location, or failed with its reason. */
function tellResults(observe: Required<RunObserver>, target: Target, bytes: number, results: readonly SinkResult[], signal: AbortSignal): void {
  for (const result of results) {
    if (result.stored) observe.profileStored(target, result.location, bytes, result.sink);
    else observe.profileFailed(target, asProfileError(result.error, signal), result.sink);
  }
}

/** Connects through the transport and fetches; a connect failure is explained by the transport when it can. */
async function fetchThrough(
  context: ProfileScrapeContext,
  target: Target,
  onBytes: (bytes: number) => void,
  beforeBody: (() => Promise<void>) | undefined,
): Promise<ScrapedProfile> {
  const { signal } = context;
  if (signal.aborted) throw new ProfileError('INTERRUPTED', 'the run was interrupted before this profile was fetched');
  const connection = await context.transport.connect(target, signal);
  context.observe.profileStarted(target);
  const { timeoutMs, maxProfileBytes } = context.fetch;
  try {
    return await fetchProfile(target, {
      timeoutMs,
      maxBytes: maxProfileBytes,
      signal,
      agent: connection.agent,
      headers: connection.headers,
      onBytes,
      beforeBody,
    });
  } catch (err) {
    throw (err instanceof ProfileError && connection.explain?.(err)) || err;
  }
}

function asProfileError(err: unknown, signal: AbortSignal): ProfileError {
  if (err instanceof ProfileError) return err;
  if (signal.aborted) return new ProfileError('INTERRUPTED', 'the run was interrupted', { cause: err });
  // Anything else is a bug in a stage; still counted and reported, never dropped.
  const message = err instanceof Error ? err.message : String(err);
  return new ProfileError('INTERNAL_ERROR', `unexpected error: ${message}`, { cause: err });
}

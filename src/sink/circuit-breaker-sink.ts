/**
 * Fails fast while a sink is down. After `threshold` consecutive SINK_UNAVAILABLE failures
 * (each already retried by the sink itself) the breaker opens: stores fail at once, reported as
 * SINK_UNAVAILABLE, until `cooldownMs` has passed; then one store is let through as a probe and
 * its outcome closes or re-opens the breaker. Without it, a run against an unreachable collector
 * spends minutes in retries and can outlast its CronJob deadline before printing its summary.
 */
import { ProfileError } from '../profile-error.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { Sink } from './sink.js';

export interface CircuitBreakerOptions {
  readonly threshold?: number;
  readonly cooldownMs?: number;
  readonly now?: () => number;
}

export class CircuitBreakerSink implements Sink {
  readonly description: string;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private consecutiveFailures = 0;
  private openUntil = 0;
  private probing = false;
  private lastFailure = '';

  constructor(
    private readonly inner: Sink,
    options: CircuitBreakerOptions = {},
  ) {
    this.description = inner.description;
    this.threshold = options.threshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async store(profile: ScrapedProfile, signal?: AbortSignal): Promise<string> {
    const open = this.consecutiveFailures >= this.threshold;
    if (open && (this.now() < this.openUntil || this.probing)) {
      throw new ProfileError(
        'SINK_UNAVAILABLE',
        `not sent: ${this.inner.description} failed ${this.consecutiveFailures} uploads in a row (last: ${this.lastFailure}); retrying it after a pause`,
      );
    }
    if (open) this.probing = true;
    try {
      const location = await this.inner.store(profile, signal);
      this.consecutiveFailures = 0;
      return location;
    } catch (err) {
      if (err instanceof ProfileError && err.code === 'SINK_UNAVAILABLE') {
        this.consecutiveFailures += 1;
        this.lastFailure = err.message;
        if (this.consecutiveFailures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
      } else {
        this.consecutiveFailures = 0;
      }
      throw err;
    } finally {
      if (open) this.probing = false;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { podKey } from '../discover/target.js';
import { silentLogger, type Logger } from '../log.js';
import { ProfileError } from '../profile-error.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { PyroscopeClient } from './pyroscope-client.js';
import { isRetryablePyroscopeError, PyroscopeError } from './pyroscope-error.js';
import { labelSelector, pyroscopeLabels, type DroppedLabel } from './pyroscope-labels.js';
import { PushRequestSchema } from './pyroscope-schema.js';
import { retryWithBackoff } from './retry.js';
import type { SinkPolicy } from './sink-config.js';
import type { Sink } from './sink.js';

export interface PyroscopeSinkOptions {
  readonly client: PyroscopeClient;
  readonly retry: SinkPolicy['retry'];
  readonly log?: Logger;
}

/**
 * Pushes each profile to Grafana Pyroscope as Alloy's writer does: one series with one sample
 * (the bytes as scraped, a UUID kept across retries), labelled by pyroscopeLabels. Failures
 * Alloy retries are retried with backoff; any other 4xx is final and carries the server's
 * message. Resolves to the server and the series the profile can be found under.
 */
export class PyroscopeSink implements Sink {
  readonly description: string;
  private readonly client: PyroscopeClient;
  private readonly retry: SinkPolicy['retry'];
  private readonly log: Logger;
  /** Pods whose left-out labels were already reported (once per pod, not per profile). */
  private readonly warnedPods = new Set<string>();

  constructor(options: PyroscopeSinkOptions) {
    this.client = options.client;
    this.retry = options.retry;
    this.log = options.log ?? silentLogger();
    this.description = `pyroscope ${this.client.baseUrl}`;
  }

  async store(profile: ScrapedProfile, signal?: AbortSignal): Promise<string> {
    const { target } = profile;
    const context = { pod: podKey(target.pod), type: target.type };
    const { labels, dropped } = pyroscopeLabels(profile);
    this.reportDropped(context.pod, dropped);
    const request = create(PushRequestSchema, { series: [{ labels: [...labels], samples: [{ rawProfile: profile.body, ID: randomUUID() }] }] });
    let attemptsMade = 0;
    try {
      await retryWithBackoff(
        (attempt) => {
          attemptsMade = attempt;
          return this.client.push(request, signal);
        },
        {
          ...this.retry,
          shouldRetry: isRetryablePyroscopeError,
          signal,
          onRetry: ({ attempt, delayMs, error }) => {
            const status = error instanceof PyroscopeError ? error.status : undefined;
            this.log.warn({ ...context, attempt, retryInMs: delayMs, status }, `Pyroscope push failed, will retry: ${messageOf(error)}`);
          },
        },
      );
    } catch (error) {
      throw failure(error, `${target.type} profile of pod ${context.pod}`, attemptsMade);
    }
    const location = `${this.client.baseUrl} ${labelSelector(labels)}`;
    this.log.debug({ ...context, location, bytes: profile.body.length }, 'profile pushed to Pyroscope');
    return location;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private reportDropped(pod: string, dropped: readonly DroppedLabel[]): void {
    if (dropped.length === 0 || this.warnedPods.has(pod)) return;
    this.warnedPods.add(pod);
    const list = dropped.map((d) => `${d.name} (${d.why})`).join(', ');
    this.log.warn({ pod, labels: dropped.map((d) => d.name) }, `labels of pod ${pod} left out of its Pyroscope profiles: ${list}`);
  }
}

function failure(error: unknown, what: string, attempts: number): ProfileError {
  if (!(error instanceof PyroscopeError)) return new ProfileError('SINK_REJECTED', `the ${what} was not stored: ${messageOf(error)}`, { cause: error });
  if (error.retryable) {
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    return new ProfileError('SINK_UNAVAILABLE', `could not store the ${what} after ${tries}: ${error.message}`, { cause: error });
  }
  if (error.kind === 'aborted') return new ProfileError('SINK_UNAVAILABLE', `storing the ${what} was cancelled: ${error.message}`, { cause: error });
  // Another 4xx (or a redirect, a 200 that is not Pyroscope's, a certificate not trusted): the same push cannot succeed.
  return new ProfileError('SINK_REJECTED', `the ${what} was not stored: ${error.message}`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

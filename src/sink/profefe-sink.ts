import { silentLogger, type Logger } from '../log.js';
import { ProfileError } from '../profile-error.js';
import { PROFILE_TYPE_SPECS } from '../profile-types.js';
import type { ProfefeClient } from '../profefe/profefe-client.js';
import { isRetryableProfefeError, ProfefeError } from '../profefe/profefe-error.js';
import { windowLabels, type ScrapedProfile } from '../scrape/scraped-profile.js';
import { retryWithBackoff } from './retry.js';
import type { Sink } from './sink.js';

export interface ProfefeSinkOptions {
  client: ProfefeClient;
  retry?: {
    /** Total attempts per profile, the first included. Default 4. */
    attempts?: number;
    /** First backoff ceiling; doubles per attempt (full jitter). Default 500 ms. */
    baseDelayMs?: number;
    /** Backoff ceiling cap. Default 8 s. */
    maxDelayMs?: number;
  };
  log?: Logger;
}

/**
 * Pushes each profile to a profefe collector as `service` = the target's service, the collector
 * type from PROFILE_TYPE_SPECS (allocs -> `other` + `pprof_type=allocs`) and the target's labels;
 * allocs, block and mutex also get `delta=true` (a window) or `delta=false` (cumulative: the
 * target refused `?seconds`).
 * 5xx, 429 and network failures are retried with backoff; a 4xx is final. Resolves to the URL the
 * stored profile can be downloaded from.
 */
export class ProfefeSink implements Sink {
  readonly description: string;
  private readonly client: ProfefeClient;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly log: Logger;

  constructor(options: ProfefeSinkOptions) {
    this.client = options.client;
    this.attempts = options.retry?.attempts ?? 4;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 8_000;
    this.log = options.log ?? silentLogger();
    this.description = `profefe ${this.client.baseUrl}`;
  }

  async store(profile: ScrapedProfile, signal?: AbortSignal): Promise<string> {
    const { target } = profile;
    const spec = PROFILE_TYPE_SPECS[target.type];
    const what = `${target.type} profile of pod ${target.pod.namespace}/${target.pod.name}`;
    const context = { pod: `${target.pod.namespace}/${target.pod.name}`, type: target.type };
    let attemptsMade = 0;
    try {
      const item = await retryWithBackoff(
        (attempt) => {
          attemptsMade = attempt;
          return this.client.upload(
            profile.body,
            { service: target.service, type: spec.collectorType, labels: { ...target.labels, ...spec.collectorLabels, ...windowLabels(profile) } },
            { signal },
          );
        },
        {
          attempts: this.attempts,
          baseDelayMs: this.baseDelayMs,
          maxDelayMs: this.maxDelayMs,
          shouldRetry: isRetryableProfefeError,
          signal,
          onRetry: ({ attempt, delayMs, error }) => {
            this.log.warn(
              { ...context, attempt, retryInMs: delayMs, status: error instanceof ProfefeError ? error.status : undefined },
              `profefe upload failed, will retry: ${errorText(error)}`,
            );
          },
        },
      );
      const url = this.client.profileUrl(item.id);
      this.log.debug({ ...context, id: item.id, url, bytes: profile.body.length }, 'profile stored in profefe');
      return url;
    } catch (error) {
      throw toProfileError(error, what, attemptsMade);
    }
  }

  async close(): Promise<void> {
    // The client holds no resources of its own (the dispatcher belongs to whoever passed it).
  }
}

function toProfileError(error: unknown, what: string, attempts: number): ProfileError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  if (error instanceof ProfefeError) {
    if (error.retryable) {
      return new ProfileError('SINK_UNAVAILABLE', `could not store the ${what} after ${tries}: ${error.message}`, { cause: error });
    }
    if (error.kind === 'aborted') {
      return new ProfileError('SINK_UNAVAILABLE', `storing the ${what} was cancelled: ${error.message}`, { cause: error });
    }
    // A 4xx (or a 3xx, or a 200 that is not profefe's): sending the same request again cannot help.
    return new ProfileError('SINK_REJECTED', `the ${what} was not stored: ${error.message}`, { cause: error });
  }
  return new ProfileError('SINK_REJECTED', `the ${what} was not stored: ${errorText(error)}`, { cause: error });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Retry with exponential backoff and full jitter: before attempt n+1 wait a random time in
 * [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). Which errors are worth retrying is the caller's
 * `shouldRetry`; an abort stops the waiting and rejects with the last error.
 */
import { onAbort } from '../on-abort.js';

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** How long until the next attempt. */
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Total attempts, the first included (>= 1). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  shouldRetry(error: unknown): boolean;
  signal?: AbortSignal;
  onRetry?(info: RetryInfo): void;
  /** Source of randomness in [0, 1); Math.random by default. */
  random?: () => number;
}

/** The full-jitter delay after failed attempt `attempt` (1-based). */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || options.signal?.aborted || !options.shouldRetry(error)) throw error;
      const delayMs = backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      if (!(await sleep(delayMs, options.signal))) throw error;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stopListening();
      resolve(true);
    }, ms);
    const stopListening = onAbort(signal, () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

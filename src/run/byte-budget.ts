import { onAbort } from '../on-abort.js';

/**
 * Profile bytes held in memory by profiles in flight (downloaded, being validated or uploaded).
 * A download first reserves what it expects to need (the run uses the largest profile of that
 * type seen so far) and waits until that fits; a download under way never stalls (bytes beyond
 * its reservation are added as they stream), so a slow sink can never turn into a timeout
 * blamed on a pod. A reservation is always granted when nothing else is held, so one profile
 * larger than the whole budget still goes through, alone.
 */
/** Default budget: eight 4 MiB heap profiles at once, any number of small ones. */
export const DEFAULT_MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;

export class ByteBudget {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get held(): number {
    return this.used;
  }

  /** Reserves `bytes` once they fit (or nothing else is held, or the signal aborts). */
  async reserve(bytes: number, signal?: AbortSignal): Promise<void> {
    while (this.used > 0 && this.used + bytes > this.limit && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const stopListening = onAbort(signal, () => resolve());
        this.waiters.push(() => {
          stopListening();
          resolve();
        });
      });
    }
    this.used += bytes;
  }

  add(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    // Wake everyone waiting: each re-checks, in the order they came.
    for (const wake of this.waiters.splice(0)) wake();
  }
}

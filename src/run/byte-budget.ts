import { onAbort } from '../on-abort.js';
import type { ProfileType } from '../profile-types.js';

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
  /** The largest body seen per profile type: what the next download of that type reserves. */
  private readonly largest = new Map<ProfileType, number>();

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

  /** One download's share: reserves the largest body seen for its type, grows as bytes arrive. */
  share(type: ProfileType): BudgetShare {
    return new BudgetShare(this, this.largest, type);
  }
}

export class BudgetShare {
  private held = 0;
  private received = 0;
  /** Set by the first reserve(): a share reserves once. */
  private reservation: Promise<void> | undefined;
  private reserved = false;

  constructor(
    private readonly budget: ByteBudget,
    private readonly largest: Map<ProfileType, number>,
    private readonly type: ProfileType,
  ) {}

  /**
   * Reserves the largest body of the type seen by now (a window profile reserves when the pod
   * answers, seconds after the share was made). Once per share: a fetch asked again holds nothing more.
   */
  reserve(signal: AbortSignal): Promise<void> {
    if (this.reservation === undefined) {
      this.held = this.largest.get(this.type) ?? 0;
      this.reservation = this.budget.reserve(this.held, signal).then(() => {
        this.reserved = true;
      });
    }
    return this.reservation;
  }

  /** Told of body bytes as they arrive. */
  readonly onBytes = (bytes: number): void => {
    this.received += bytes;
    if (this.received <= this.held) return;
    this.budget.add(this.received - this.held);
    this.held = this.received;
    // Raised while the body streams in, not once it is complete: the downloads of this type
    // that start meanwhile reserve what a large one needs.
    if (this.received > (this.largest.get(this.type) ?? 0)) this.largest.set(this.type, this.received);
  };

  /** Gives back what was reserved and received: nothing if never reserved, once granted if still waiting (an aborted fetch). */
  release(): void {
    if (this.reserved) this.budget.release(this.held);
    else void this.reservation?.then(() => this.budget.release(this.held));
  }
}

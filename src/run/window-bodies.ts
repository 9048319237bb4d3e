/**
 * When a window profile's body may be read. Window profiles (cpu, allocs, block, mutex) are
 * requested as soon as their pod's window starts, so thousands may be under way; their bodies
 * only exist when the pods answer, N seconds later, often all at once. A body is then read only
 * once it has one of `concurrency` read slots (as many as snapshot downloads in flight) and its
 * share of the byte budget, and it keeps the slot until its profile is stored or failed. So the
 * first wave, before the run has seen any body of the type, is bounded as downloads are.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { BudgetShare } from './byte-budget.js';

export class WindowBodies {
  private readonly slots: LimitFunction;

  constructor(concurrency: number) {
    this.slots = pLimit(concurrency);
  }

  /** One profile's admission: `admit` before its body is read (once, however often called), `done` when the profile ends. */
  admission(share: BudgetShare, signal: AbortSignal): { admit: () => Promise<void>; done: () => void } {
    let release: (() => void) | undefined;
    let ended = false;
    let slot: Promise<void> | undefined;
    const takeSlot = (): Promise<void> =>
      new Promise<void>((granted) => {
        void this.slots(
          () =>
            new Promise<void>((free) => {
              release = free;
              // The profile ended (aborted) while it waited: give the slot straight back.
              if (ended) free();
              granted();
            }),
        );
      });
    return {
      admit: async () => {
        slot ??= takeSlot();
        await slot;
        await share.reserve(signal);
      },
      done: () => {
        ended = true;
        release?.();
      },
    };
  }
}

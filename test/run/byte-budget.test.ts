import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/run/byte-budget.js';

const MiB = 1024 * 1024;

/** Whether `promise` has settled once every pending microtask and I/O callback of this turn ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await nextTurn();
  return done;
}

describe('ByteBudget', () => {
  it('a download still streaming already raises what the next ones of its type reserve', async () => {
    const budget = new ByteBudget(3 * MiB);
    const first = budget.share('heap');
    await first.reserve(new AbortController().signal);
    first.onBytes(2 * MiB); // 2 MiB of the first heap arrived; the rest has not

    // The next heap reserves 2 MiB as well, which does not fit next to the first's 2 MiB.
    const second = budget.share('heap');
    const reserved = second.reserve(new AbortController().signal);
    expect(await settled(reserved)).toBe(false);
    // Another type has seen no large body: it reserves nothing and goes ahead.
    expect(await settled(budget.share('goroutine').reserve(new AbortController().signal))).toBe(true);

    first.release();
    expect(await settled(reserved)).toBe(true);
    expect(budget.held).toBe(2 * MiB);
  });

  it('grants a reservation larger than the whole budget when nothing else is held, and an abort stops the wait', async () => {
    const budget = new ByteBudget(1 * MiB);
    await budget.reserve(4 * MiB);
    expect(budget.held).toBe(4 * MiB);
    const controller = new AbortController();
    const waiting = budget.reserve(1, controller.signal);
    expect(await settled(waiting)).toBe(false);
    controller.abort();
    expect(await settled(waiting)).toBe(true);
  });
});

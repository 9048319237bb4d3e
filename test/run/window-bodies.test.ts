import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/run/byte-budget.js';
import { WindowBodies } from '../../src/run/window-bodies.js';

describe('WindowBodies', () => {
  const signal = new AbortController().signal;

  it('admits `concurrency` bodies at once; the next when a profile ends', async () => {
    const budget = new ByteBudget(1024 * 1024);
    const bodies = new WindowBodies(2);
    const admissions = [0, 1, 2].map(() => bodies.admission(budget.share('allocs'), signal));
    const admitted: number[] = [];
    admissions.forEach((a, i) => void a.admit().then(() => admitted.push(i)));
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(admitted).toEqual([0, 1]);
    admissions[0]!.done();
    while (admitted.length < 3) await nextTurn();
    expect(admitted).toEqual([0, 1, 2]);
  });

  it('admits once however often asked (a fetch asked again without seconds), and a profile that ended while waiting gives its slot back', async () => {
    const budget = new ByteBudget(1024 * 1024);
    const bodies = new WindowBodies(1);
    const first = bodies.admission(budget.share('block'), signal);
    await first.admit();
    await first.admit();
    const waiting = bodies.admission(budget.share('block'), signal);
    void waiting.admit();
    waiting.done(); // e.g. aborted before its slot came
    first.done();
    const third = bodies.admission(budget.share('block'), signal);
    await third.admit();
    expect(budget.held).toBe(0);
  });
});

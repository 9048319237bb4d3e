import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort } from '../src/on-abort.js';

describe('onAbort', () => {
  it('calls every registered callback once when the signal aborts, through one real listener', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    for (let i = 0; i < 1000; i++) onAbort(controller.signal, () => calls.push(i));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.abort();
    expect(calls).toHaveLength(1000);
    expect(calls[0]).toBe(0);
    expect(calls[999]).toBe(999);
  });

  it('does not call a callback that was unregistered, and keeps the others', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const stopA = onAbort(controller.signal, () => calls.push('a'));
    onAbort(controller.signal, () => calls.push('b'));
    stopA();
    stopA();
    controller.abort();
    expect(calls).toEqual(['b']);
  });

  it('never calls a callback registered on a signal that already aborted (like addEventListener)', async () => {
    const signal = AbortSignal.abort();
    let called = false;
    onAbort(signal, () => {
      called = true;
    })();
    onAbort(signal, () => {
      called = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(called).toBe(false);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('accepts no signal', () => {
    expect(() => onAbort(undefined, () => {})()).not.toThrow();
  });
});

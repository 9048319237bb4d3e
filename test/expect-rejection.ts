import { expect } from 'vitest';

/**
 * What `promise` rejected with, after asserting it is a `type` (the test fails when the promise
 * resolves or rejects with anything else), so a test can go on to check its code and message.
 */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(type);
  return outcome as E;
}

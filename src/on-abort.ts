/**
 * `signal.addEventListener('abort', fn)` for thousands of short-lived listeners on one long-lived
 * signal (the run's). Node's EventTarget finds a listener to remove by walking its list, so with
 * a thousand requests in flight, adding and removing one listener per request costs O(n²); here
 * every signal gets one real listener and the callbacks sit in a Set. Like addEventListener, a
 * callback registered on a signal that is already aborted is never called: check `aborted` first.
 * Returns the function that unregisters the callback.
 */
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

export function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (signal === undefined || signal.aborted) return noop;
  let set = callbacks.get(signal);
  if (set === undefined) {
    const registered = new Set<() => void>();
    set = registered;
    callbacks.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        callbacks.delete(signal);
        for (const fn of registered) fn();
        registered.clear();
      },
      { once: true },
    );
  }
  const own = set;
  // Each call is its own registration, removed by its own dispose.
  const entry = (): void => callback();
  own.add(entry);
  return () => {
    own.delete(entry);
  };
}

function noop(): void {}

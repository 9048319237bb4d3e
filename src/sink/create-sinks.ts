/**
 * Every sink of a run, set up at once through the one factory (create-sink.ts): under a policy
 * that checks collectors first, each collector sink is checked, concurrently. When one cannot be
 * set up, those that were are closed and its error is thrown: nothing was profiled.
 */
import { createSink, type SinkContext } from './create-sink.js';
import { closeSinks } from './fan-out.js';
import type { SinkConfig, SinkPolicy } from './sink-config.js';
import type { Sink } from './sink.js';

export function createSinks(configs: readonly SinkConfig[], policy: SinkPolicy, context: SinkContext): Promise<Sink[]> {
  return createEach(configs, (config) => createSink(config, policy, context));
}

/** `create` for each config at once; rejects with the first failure once the others are closed. */
export async function createEach<C>(configs: readonly C[], create: (config: C) => Promise<Sink>): Promise<Sink[]> {
  const settled = await Promise.allSettled(configs.map(create));
  const created = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed === undefined) return created;
  await closeSinks(created).catch(() => undefined);
  throw failed.reason;
}

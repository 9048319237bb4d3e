/**
 * The one place sinks are built: a sink configuration and a policy in, a Sink out. A new sink is
 * one file and one case here.
 */
import type { Logger } from '../log.js';
import { ProfefeClient } from '../profefe/profefe-client.js';
import { ProfefeError } from '../profefe/profefe-error.js';
import { CircuitBreakerSink } from './circuit-breaker-sink.js';
import { createPyroscopeSink } from './create-pyroscope-sink.js';
import { DirectorySink } from './directory-sink.js';
import { ProfefeSink } from './profefe-sink.js';
import type { SinkConfig, SinkPolicy } from './sink-config.js';
import type { Sink } from './sink.js';

export interface SinkContext {
  /** `--timeout`: one request to the collector, as one request to a pod. */
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The sink could not be set up (the collector does not answer); nothing was profiled. */
export class SinkSetupError extends Error {
  override readonly name = 'SinkSetupError';
}

/** How long the collector has to answer the check made before any pod is profiled. */
const COLLECTOR_CHECK_MS = 5_000;

/** Rejects with SinkSetupError when the policy checks the collector first and nothing answers, or with the signal's reason. */
export async function createSink(config: SinkConfig, policy: SinkPolicy, context: SinkContext): Promise<Sink> {
  if (config.kind === 'directory') return new DirectorySink(config.dir);
  if (config.kind === 'pyroscope') return createPyroscopeSink(config, policy, context);
  const client =
    config.kind === 'profefe-client' ? config.client : new ProfefeClient({ baseUrl: config.url, headers: { ...config.headers }, timeoutMs: context.timeoutMs });
  if (policy.checkCollectorFirst) await checkCollector(client, context.signal);
  const sink = new ProfefeSink({ client, retry: policy.retry, log: context.log });
  return policy.circuitBreaker ? new CircuitBreakerSink(sink) : sink;
}

async function checkCollector(client: ProfefeClient, signal: AbortSignal): Promise<void> {
  try {
    await client.version({ signal: AbortSignal.any([signal, AbortSignal.timeout(COLLECTOR_CHECK_MS)]) });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    // Only "nothing answers" stops the run: a proxy may refuse /version and still take uploads.
    if (err instanceof ProfefeError && err.kind !== 'network' && err.kind !== 'timeout' && err.kind !== 'aborted') return;
    const reason = err instanceof Error ? err.message : String(err);
    throw new SinkSetupError(
      `the profefe collector at ${client.baseUrl} is unreachable (${reason}); no pod was profiled. ` +
        'Check --profefe-hostport (or PROFEFE_HOSTPORT), or port-forward to the collector first',
      { cause: err },
    );
  }
}

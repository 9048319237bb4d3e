/** The Pyroscope case of createSink: a client per run, the run's retry policy, behind a circuit breaker when the policy wants one. */
import type { SinkContext } from './create-sink.js';
import { CircuitBreakerSink } from './circuit-breaker-sink.js';
import { PyroscopeClient } from './pyroscope-client.js';
import { PyroscopeSink } from './pyroscope-sink.js';
import type { PyroscopeSinkConfig, SinkPolicy } from './sink-config.js';
import type { Sink } from './sink.js';

export function createPyroscopeSink(config: PyroscopeSinkConfig, policy: SinkPolicy, context: SinkContext): Sink {
  const { url: baseUrl, tenant, auth, headers, ca } = config;
  const client = new PyroscopeClient({ baseUrl, tenant, auth, headers, ca, timeoutMs: context.timeoutMs });
  const sink = new PyroscopeSink({ client, retry: policy.retry, log: context.log });
  return policy.circuitBreaker ? new CircuitBreakerSink(sink) : sink;
}

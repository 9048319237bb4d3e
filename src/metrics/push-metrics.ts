/**
 * Sends gauges to a Pushgateway with prom-client: a registry of their own (never the global
 * one), POST (prom-client's pushAdd: the group's other metrics stay), and a bound on the whole
 * exchange. prom-client (~130 ms to load) is imported only when there is something to push.
 */
import type { RunMetric } from './run-metrics.js';
import type { PushgatewayTarget } from './pushgateway-target.js';

/** Why a push failed, in words fit for a log line (no credentials). */
export class PushError extends Error {
  override readonly name = 'PushError';
}

const MAX_BODY_CHARS = 200;

/** Pushes `metrics` to the target's group; rejects with a PushError when not accepted within `timeoutMs`. */
export async function pushMetrics(target: PushgatewayTarget, metrics: readonly RunMetric[], timeoutMs: number): Promise<void> {
  const { Gauge, Pushgateway, Registry } = await import('prom-client');
  const registry = new Registry();
  for (const metric of metrics) {
    const gauge = new Gauge({ name: metric.name, help: metric.help, labelNames: [...metric.labelNames], registers: [registry] });
    for (const sample of metric.samples) gauge.set({ ...sample.labels }, sample.value);
  }
  const controller = new AbortController();
  // agent: false, a connection of its own, closed after the answer.
  const gateway = new Pushgateway(target.url, { signal: controller.signal, agent: false }, registry);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new PushError(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    await Promise.race([gateway.pushAdd({ jobName: target.job, groupings: { ...target.grouping } }), timedOut]);
  } catch (err) {
    throw err instanceof PushError ? err : new PushError(reason(err));
  } finally {
    clearTimeout(timer);
  }
}

/** prom-client's "push failed with status 500, <body>" shortened; Node's connection errors as they are. */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const status = /^push failed with status (\d+), ?([\s\S]*)$/.exec(message);
  if (status === null) return message;
  const body = (status[2] ?? '').trim().replace(/\s+/g, ' ');
  return `HTTP ${status[1]}${body === '' ? '' : `: ${body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}…` : body}`}`;
}

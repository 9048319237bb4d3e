/**
 * What kprofefe does with `--pushgateway` when a run ends: push the run's gauges (run-metrics.ts)
 * and log how that went. A push that fails is a warning and nothing more: it never changes the
 * run's outcome or exit status, and never throws.
 */
import type { Logger } from '../log.js';
import type { RunOutcome } from '../run/run-outcome.js';
import { pushMetrics } from './push-metrics.js';
import { displayUrl, type PushgatewayTarget } from './pushgateway-target.js';
import { runMetrics } from './run-metrics.js';

/**
 * The bound of a push after SIGINT/SIGTERM: the pod is being stopped (a CronJob at
 * activeDeadlineSeconds gets terminationGracePeriodSeconds, 30 s by default, before SIGKILL).
 */
export const INTERRUPTED_PUSH_MS = 3_000;

/** Pushes the outcome's metrics within `timeoutMs` (less when interrupted); true when the Pushgateway took them. */
export async function pushRunMetrics(target: PushgatewayTarget, outcome: RunOutcome, options: { timeoutMs: number; log: Logger }): Promise<boolean> {
  const { log } = options;
  const timeoutMs = outcome.ending === 'interrupted' ? Math.min(options.timeoutMs, INTERRUPTED_PUSH_MS) : options.timeoutMs;
  const where = { pushgateway: displayUrl(target.url), job: target.job, grouping: target.grouping };
  try {
    await pushMetrics(target, runMetrics(outcome, Date.now()), timeoutMs);
    log.info(where, 'run metrics pushed');
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log.warn(where, `pushing the run metrics to ${where.pushgateway} failed: ${why}; the run's outcome and exit status stand`);
    return false;
  }
}

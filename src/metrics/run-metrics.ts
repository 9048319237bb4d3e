/**
 * A run's health as Prometheus gauges, built from its outcome: plain data, no client library, so
 * what is pushed can be tested without a Pushgateway (push-run-metrics.ts sends it).
 *
 * Pushed with POST, a Pushgateway replaces only the metrics named in the push and keeps the
 * group's others. So the success timestamp is left out of a run that is not clean (the last
 * success survives), and every label value a counted metric can take is pushed, zeros included:
 * a metric with no sample would not replace the previous run's samples.
 */
import type { ProfileErrorCode } from '../profile-error.js';
import { PROFILE_TYPES } from '../profile-types.js';
import type { RunOutcome } from '../run/run-outcome.js';
import { sinkMetrics } from './sink-metrics.js';

export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RunMetric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly samples: readonly MetricSample[];
}

/** Every failure reason, so that a reason of an earlier run is reset to 0 (a Record lists them all, or does not compile). */
const REASONS: Readonly<Record<ProfileErrorCode, true>> = {
  TARGET_CONNECT: true,
  TARGET_TLS: true,
  TARGET_TIMEOUT: true,
  TARGET_HTTP_STATUS: true,
  TARGET_TEXT: true,
  TARGET_EMPTY: true,
  TARGET_INVALID_PPROF: true,
  TARGET_TOO_LARGE: true,
  SINK_REJECTED: true,
  SINK_UNAVAILABLE: true,
  SINK_IO: true,
  INTERRUPTED: true,
  INTERNAL_ERROR: true,
};
export const FAILURE_REASONS = Object.keys(REASONS) as ProfileErrorCode[];

/** Label names of kprofefe's own metrics: a grouping key may not use them. */
export const METRIC_LABEL_NAMES: readonly string[] = ['type', 'reason', 'sink'];

const gauge = (name: string, help: string, value: number): RunMetric => ({ name, help, labelNames: [], samples: [{ labels: {}, value }] });

/** The gauges of a run that ended at `endedAtMs` (Unix milliseconds). */
export function runMetrics(outcome: RunOutcome, endedAtMs: number): RunMetric[] {
  const report = outcome.summary.toJSON();
  const endedAt = endedAtMs / 1000;
  const metrics: RunMetric[] = [gauge('kprofefe_last_run_timestamp_seconds', 'When the last kprofefe run ended, whatever its outcome (Unix time).', endedAt)];
  if (outcome.ending === 'clean') {
    metrics.push(gauge('kprofefe_last_success_timestamp_seconds', 'When the last kprofefe run that stored every profile ended (Unix time).', endedAt));
  }
  metrics.push(
    {
      name: 'kprofefe_profiles_stored',
      help: 'Profiles the last run stored, by profile type.',
      labelNames: ['type'],
      samples: PROFILE_TYPES.map((type) => ({ labels: { type }, value: report.storedByType[type] ?? 0 })),
    },
    {
      name: 'kprofefe_profiles_failed',
      help: 'Profiles the last run failed to store, by reason.',
      labelNames: ['reason'],
      samples: FAILURE_REASONS.map((reason) => ({ labels: { reason }, value: report.failedByReason[reason] ?? 0 })),
    },
    gauge(
      'kprofefe_profiles_cumulative',
      'Window profiles (allocs, block, mutex) of the last run that are cumulative: the target refused or ignored ?seconds.',
      report.profilesCumulative,
    ),
    gauge(
      'kprofefe_profiles_empty',
      'Window profiles (cpu, allocs, block, mutex) of the last run whose window was empty (no samples): not stored, not failed.',
      report.profilesEmpty,
    ),
    gauge('kprofefe_pods_selected', 'Pods the last run scraped.', report.podsSelected),
    gauge(
      'kprofefe_pods_skipped',
      'Pods the last run was asked for but could not scrape: invalid annotations, named pods missing or not Running.',
      report.podsSkipped + report.podsMissing,
    ),
    gauge('kprofefe_run_duration_seconds', 'How long the last run took.', report.durationMs / 1000),
    ...sinkMetrics(report, FAILURE_REASONS),
  );
  return metrics;
}

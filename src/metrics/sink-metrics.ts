/**
 * The run's gauges per sink, labelled `sink` with the sink's description (as in the logs, e.g.
 * `profefe http://profefe-collector:10100`, `directory /profiles`): what each sink stored, and
 * what it failed by reason, every reason pushed (0 included) so an earlier run's count is reset.
 * A run with one sink pushes them too, so alerts can name the sink whatever the configuration.
 */
import type { ProfileErrorCode } from '../profile-error.js';
import type { RunSummaryJson } from '../run/run-summary.js';
import type { RunMetric } from './run-metrics.js';

export function sinkMetrics(report: RunSummaryJson, reasons: readonly ProfileErrorCode[]): RunMetric[] {
  if (report.sinks.length === 0) return [];
  return [
    {
      name: 'kprofefe_sink_profiles_stored',
      help: 'Profiles the last run stored, by sink.',
      labelNames: ['sink'],
      samples: report.sinks.map(({ sink, stored }) => ({ labels: { sink }, value: stored })),
    },
    {
      name: 'kprofefe_sink_profiles_failed',
      help: 'Profiles the last run failed to store, by sink and reason (a failed fetch counts in every sink).',
      labelNames: ['sink', 'reason'],
      samples: report.sinks.flatMap(({ sink, failedByReason }) => reasons.map((reason) => ({ labels: { sink, reason }, value: failedByReason[reason] ?? 0 }))),
    },
  ];
}

/**
 * The gauges kprofefe pushes, built from a RunOutcome (src/metrics/run-metrics.ts); what reaches
 * a real Pushgateway is tested in kprofefe-pushgateway.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { PodInfo, Target } from '../../src/discover/target.js';
import { FAILURE_REASONS, runMetrics, type RunMetric } from '../../src/metrics/run-metrics.js';
import { ProfileError } from '../../src/profile-error.js';
import { PROFILE_TYPES, type ProfileType } from '../../src/profile-types.js';
import { runOutcome } from '../../src/run/run-outcome.js';
import { RunSummary } from '../../src/run/run-summary.js';

const ENDED_AT_MS = 1_796_400_000_123;

const pod = (name: string): PodInfo => ({ namespace: 'shop', name, uid: `uid-${name}`, ip: '10.0.0.1', node: undefined, workload: undefined });
const target = (p: PodInfo, type: ProfileType): Target => ({
  pod: p,
  type,
  service: p.name,
  scheme: 'http',
  port: 6060,
  path: `/debug/pprof/${type}`,
  url: `http://10.0.0.1:6060/debug/pprof/${type}`,
  seconds: undefined,
  labels: {},
});

/** Two pods of heap + goroutine: `failures` of them fail, the rest are stored. */
function summaryOf(failures: Array<[ProfileType, ProfileError]> = []): RunSummary {
  const summary = new RunSummary();
  for (const p of [pod('a'), pod('b')]) {
    const targets = [target(p, 'heap'), target(p, 'goroutine')];
    summary.podStarted(p, targets);
    for (const t of targets) {
      const failure = p.name === 'b' ? failures.find(([type]) => type === t.type) : undefined;
      if (failure === undefined) summary.profileStored(t);
      else summary.profileFailed(t, failure[1]);
    }
  }
  return summary;
}

const byName = (metrics: RunMetric[]) => new Map(metrics.map((m) => [m.name, m]));
const single = (metric: RunMetric | undefined) => metric?.samples.map((s) => s.value);
const labelled = (metric: RunMetric | undefined) => Object.fromEntries((metric?.samples ?? []).map((s) => [Object.values(s.labels)[0], s.value]));

describe('runMetrics', () => {
  it('a clean run: both timestamps (the end of the run), stored per type with every other type 0, failed 0 for every reason', () => {
    const metrics = byName(runMetrics(runOutcome(summaryOf(), false, false), ENDED_AT_MS));
    expect([...metrics.keys()]).toEqual([
      'kprofefe_last_run_timestamp_seconds',
      'kprofefe_last_success_timestamp_seconds',
      'kprofefe_profiles_stored',
      'kprofefe_profiles_failed',
      'kprofefe_profiles_cumulative',
      'kprofefe_profiles_empty',
      'kprofefe_pods_selected',
      'kprofefe_pods_skipped',
      'kprofefe_run_duration_seconds',
    ]);
    expect(single(metrics.get('kprofefe_last_run_timestamp_seconds'))).toEqual([1_796_400_000.123]);
    expect(single(metrics.get('kprofefe_last_success_timestamp_seconds'))).toEqual([1_796_400_000.123]);
    expect(labelled(metrics.get('kprofefe_profiles_stored'))).toEqual({ cpu: 0, heap: 2, allocs: 0, goroutine: 2, block: 0, mutex: 0, threadcreate: 0 });
    expect(metrics.get('kprofefe_profiles_stored')?.samples).toHaveLength(PROFILE_TYPES.length);
    expect(Object.values(labelled(metrics.get('kprofefe_profiles_failed')))).toEqual(FAILURE_REASONS.map(() => 0));
    expect(FAILURE_REASONS).toHaveLength(13);
    expect(single(metrics.get('kprofefe_profiles_cumulative'))).toEqual([0]);
    expect(single(metrics.get('kprofefe_profiles_empty'))).toEqual([0]);
    expect(single(metrics.get('kprofefe_pods_selected'))).toEqual([2]);
    expect(single(metrics.get('kprofefe_pods_skipped'))).toEqual([0]);
    const [duration] = single(metrics.get('kprofefe_run_duration_seconds')) ?? [];
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(duration).toBeLessThan(5);
  });

  it('counts the window profiles that came back cumulative', () => {
    const summary = summaryOf();
    summary.profileCumulative();
    summary.profileCumulative();
    const metrics = byName(runMetrics(runOutcome(summary, false, false), ENDED_AT_MS));
    expect(single(metrics.get('kprofefe_profiles_cumulative'))).toEqual([2]);
  });

  it('counts the empty windows, and a run whose only other outcome is empty windows is clean (its success timestamp pushed)', () => {
    const summary = summaryOf();
    const quiet = pod('quiet');
    summary.podStarted(quiet, [
      { ...target(quiet, 'allocs'), seconds: 10 },
      { ...target(quiet, 'mutex'), seconds: 10 },
    ]);
    summary.profileEmpty();
    summary.profileEmpty();
    const outcome = runOutcome(summary, false, false);
    expect(outcome).toMatchObject({ ending: 'clean', status: 0 });
    const metrics = byName(runMetrics(outcome, ENDED_AT_MS));
    expect(single(metrics.get('kprofefe_profiles_empty'))).toEqual([2]);
    expect(single(metrics.get('kprofefe_last_success_timestamp_seconds'))).toEqual([1_796_400_000.123]);
    expect(Object.values(labelled(metrics.get('kprofefe_profiles_failed')))).toEqual(FAILURE_REASONS.map(() => 0));
  });

  it.each([
    ['partial', false],
    ['interrupted', true],
  ] as const)('a %s run: no success timestamp (the last one stays in the group), the failures by reason', (ending, interrupted) => {
    const failures: Array<[ProfileType, ProfileError]> = interrupted
      ? [['heap', new ProfileError('INTERRUPTED', 'interrupted')]]
      : [
          ['heap', new ProfileError('TARGET_HTTP_STATUS', '404')],
          ['goroutine', new ProfileError('TARGET_TIMEOUT', 'timeout')],
        ];
    const outcome = runOutcome(summaryOf(failures), interrupted, false);
    expect(outcome.ending).toBe(ending);
    const metrics = byName(runMetrics(outcome, ENDED_AT_MS));
    expect(metrics.has('kprofefe_last_success_timestamp_seconds')).toBe(false);
    expect(single(metrics.get('kprofefe_last_run_timestamp_seconds'))).toEqual([1_796_400_000.123]);
    const failed = labelled(metrics.get('kprofefe_profiles_failed'));
    const expected = interrupted ? { INTERRUPTED: 1 } : { TARGET_HTTP_STATUS: 1, TARGET_TIMEOUT: 1 };
    for (const reason of FAILURE_REASONS) expect(failed[reason], reason).toBe(expected[reason as keyof typeof expected] ?? 0);
    expect(labelled(metrics.get('kprofefe_profiles_stored'))).toMatchObject(interrupted ? { heap: 1, goroutine: 2 } : { heap: 1, goroutine: 1 });
  });

  it('a run with a skipped or missing pod is not clean, and counts them as skipped', () => {
    const summary = summaryOf();
    summary.podSkipped({ kind: 'missing', namespace: 'shop', name: 'ghost', reason: 'pod shop/ghost not found' }, true);
    const metrics = byName(runMetrics(runOutcome(summary, false, false), ENDED_AT_MS));
    expect(metrics.has('kprofefe_last_success_timestamp_seconds')).toBe(false);
    expect(single(metrics.get('kprofefe_pods_skipped'))).toEqual([1]);
  });
});

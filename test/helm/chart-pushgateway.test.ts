import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { containerOf, cronJobNamed, expectValidObjects, ofKind } from './chart-expect.js';
import { prometheusRuleProblems } from './prometheus-rule-shape.js';
import { buildRenderer, ChartRenderError, renderChart, type KubeObject, type Rendered } from './render-chart.js';

/** Rendered objects are walked as plain JSON. */
type Json = any;

const valuesFile = (name: string): string => fileURLToPath(new URL(`./values/${name}`, import.meta.url));
const PUSHGATEWAY = 'http://prometheus-pushgateway.monitoring:9091';

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

function rulesOf(rendered: Rendered): Json[] {
  const [rule, ...more] = ofKind(rendered, 'PrometheusRule');
  expect(more).toEqual([]);
  expect(rule.spec.groups).toHaveLength(1);
  return rule.spec.groups[0].rules;
}

/** The alerts of one CronJob, by alert name. */
function alertsFor(rendered: Rendered, cronJob: string): Record<string, Json> {
  const selector = `{job="kprofefe",cronjob="${cronJob}"}`;
  return Object.fromEntries(
    rulesOf(rendered)
      .filter((r) => r.expr.includes(selector))
      .map((r) => [r.alert, r]),
  );
}

/** The seconds in the "no successful run" alert of a default job (named "kube-profefe-x") with this schedule. */
function intervalOf(schedule: string, intervalSeconds?: number): number {
  const rendered = renderChart(renderer, {
    values: {
      pushgateway: { url: PUSHGATEWAY },
      prometheusRule: { enabled: true },
      jobs: [{ name: 'x', schedule, ...(intervalSeconds === undefined ? {} : { intervalSeconds }) }],
    },
  });
  const match = / > 3 \* (\d+)\)/.exec(alertsFor(rendered, 'kube-profefe-x').KprofefeNoSuccessfulRun.expr);
  if (match?.[1] === undefined) throw new Error('no interval in the expression');
  return Number(match[1]);
}

describe('defaults: no Pushgateway, no PrometheusRule', () => {
  it('passes no --pushgateway flag and renders no PrometheusRule', () => {
    const rendered = renderChart(renderer);
    expect(containerOf(cronJobNamed(rendered, 'kube-profefe')).args.some((a: string) => a.startsWith('--pushgateway'))).toBe(false);
    expect(ofKind(rendered, 'PrometheusRule')).toEqual([]);
  });

  it('pushes without a PrometheusRule when only pushgateway.url is set, each CronJob under its own name', () => {
    const rendered = renderChart(renderer, { values: { pushgateway: { url: PUSHGATEWAY } } });
    expect(containerOf(cronJobNamed(rendered, 'kube-profefe')).args).toEqual(
      expect.arrayContaining([`--pushgateway=${PUSHGATEWAY}`, '--pushgateway-label=cronjob=kube-profefe']),
    );
    expect(ofKind(rendered, 'PrometheusRule')).toEqual([]);
    expect(rendered.notes).toContain(`pushes its metrics to the Pushgateway at ${PUSHGATEWAY}`);
  });
});

describe('Pushgateway and PrometheusRule', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('pushgateway.yaml')] });
  });

  it('renders valid objects, the PrometheusRule (monitoring.coreos.com/v1) with alert, expr and for on every rule', () => {
    expectValidObjects(rendered);
    const [rule] = ofKind(rendered, 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'kube-profefe', namespace: 'kube-profefe', labels: { release: 'prometheus' } });
    for (const r of rulesOf(rendered)) {
      expect(typeof r.alert).toBe('string');
      expect(r.expr).toMatch(/kprofefe_/);
      expect(r.for).toMatch(/^\d+s$/);
      expect(r.labels).toEqual({ severity: 'warning', team: 'platform' });
    }
  });

  it('passes --pushgateway and --pushgateway-label cronjob=<CronJob name> to every job, sharded ones too', () => {
    for (const name of ['frequent', 'hourly', 'nightly', 'paused', 'rehearsal']) {
      const args: string[] = containerOf(cronJobNamed(rendered, `kube-profefe-${name}`)).args;
      const at = args.indexOf(`--pushgateway=${PUSHGATEWAY}`);
      expect(at, name).toBeGreaterThan(-1);
      expect(args[at + 1]).toBe(`--pushgateway-label=cronjob=kube-profefe-${name}`);
      // kprofefe adds shard=<index> itself.
      expect(args.some((a) => a.startsWith('--pushgateway-label=shard'))).toBe(false);
    }
  });

  it('alerts per job when no run stored every profile for 3 intervals, reading the interval from the schedule', () => {
    const frequent = alertsFor(rendered, 'kube-profefe-frequent').KprofefeNoSuccessfulRun;
    const selector = '{job="kprofefe",cronjob="kube-profefe-frequent"}';
    expect(frequent.expr).toBe(
      [
        `(time() - kprofefe_last_success_timestamp_seconds${selector} > 3 * 300)`,
        'or',
        `(kprofefe_last_run_timestamp_seconds${selector} offset 900s`,
        `  unless on (job, cronjob, shard) kprofefe_last_success_timestamp_seconds${selector})`,
      ].join('\n'),
    );
    expect(frequent.for).toBe('0s');
    expect(frequent.annotations.description).toContain('kube-profefe/kube-profefe-frequent');
    expect(alertsFor(rendered, 'kube-profefe-hourly').KprofefeNoSuccessfulRun.expr).toContain(' > 3 * 3600)');
    // Weekdays only: the interval is given, 3 days (Friday to Monday).
    expect(alertsFor(rendered, 'kube-profefe-nightly').KprofefeNoSuccessfulRun.expr).toContain(' > 3 * 259200)');
  });

  it('alerts when every run for 3 intervals failed profiles', () => {
    const failing = alertsFor(rendered, 'kube-profefe-frequent').KprofefeProfilesFailing;
    expect(failing.expr).toBe('kprofefe_profiles_failed{job="kprofefe",cronjob="kube-profefe-frequent"} > 0');
    expect(failing.for).toBe('900s');
    // Prometheus templates pass through Helm untouched.
    expect(failing.annotations.description).toContain('{{ $labels.reason }}');
  });

  it('has no alert for a suspended job or a dry run (which pushes nothing)', () => {
    expect(Object.keys(alertsFor(rendered, 'kube-profefe-paused'))).toEqual([]);
    expect(Object.keys(alertsFor(rendered, 'kube-profefe-rehearsal'))).toEqual([]);
    expect(rulesOf(rendered).map((r) => r.alert)).toHaveLength(6);
  });
});

describe('the schedule interval', () => {
  it.each([
    ['* * * * *', 60],
    ['*/15 * * * *', 900],
    ['*/7 * * * *', 420],
    ['@hourly', 3600],
    ['0 * * * *', 3600],
    ['@daily', 86400],
    ['@midnight', 86400],
    ['15 3 * * *', 86400],
  ])('reads %s as %i seconds', (schedule, seconds) => {
    expect(intervalOf(schedule)).toBe(seconds);
  });

  it('takes intervalSeconds over the schedule when set', () => {
    expect(intervalOf('*/10 * * * *', 1200)).toBe(1200);
    expect(intervalOf('0 */2 * * *', 7200)).toBe(7200);
  });

  it('fails on a schedule it cannot read, naming intervalSeconds', () => {
    const render = (): number => intervalOf('0 */2 * * *');
    expect(render).toThrow(ChartRenderError);
    expect(render).toThrow(/job "x": the interval of its schedule "0 \*\/2 \* \* \*" cannot be read; set intervalSeconds/);
  });
});

describe('PrometheusRule refusals and checks', () => {
  it('fails when the rule is enabled without a Pushgateway', () => {
    expect(() => renderChart(renderer, { values: { prometheusRule: { enabled: true } } })).toThrow(
      /prometheusRule.enabled is true but pushgateway.url is empty/,
    );
  });

  it('catches a malformed PrometheusRule (the check can fail)', () => {
    const rule: KubeObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r', labels: { a: 'b' } },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '10 minutes', severity: 'page' }, { expr: 'up' }] }] },
    };
    expect(prometheusRuleProblems(rule)).toEqual([
      'unknown field spec.groups[0].rules[0].severity',
      'spec.groups[0].rules[0].for: "10 minutes" is not a duration',
      'spec.groups[0].rules[1] must have exactly one of alert and record',
      'spec.groups[0].rules[1]: bad record name undefined',
    ]);
    expect(prometheusRuleProblems({ ...rule, apiVersion: 'monitoring.coreos.com/v1beta1', spec: { groups: [] } })).toEqual([
      'apiVersion is monitoring.coreos.com/v1beta1, want monitoring.coreos.com/v1',
      'spec.groups must be a non-empty list',
    ]);
  });
});

/**
 * The chart's pyroscope.* values: the URL and tenant as kprofefe's --pyroscope-* flags, the
 * credentials from an existing Secret mounted read-only as a file, the private CA of an https://
 * URL from a ConfigMap or a Secret (tls.ca, as targets.tls.ca); Pyroscope beside the collector
 * or alone; nothing added with the defaults; contradictions refused.
 */
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { addPyroscopeOptions, type RawPyroscopeOptions, toPyroscopeSinkConfig } from '../../src/cli/pyroscope-flags.js';
import { containerOf, cronJobNamed, expectRestricted, expectValidObjects, podSpecOf } from './chart-expect.js';
import { buildRenderer, ChartRenderError, ChartSchemaError, renderChart } from './render-chart.js';

/** Rendered objects are walked as plain JSON. */
type Json = any;

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

const argsOf = (cronJob: Json): string[] => containerOf(cronJob).args as string[];
const pyroscopeArgs = (cronJob: Json): string[] => argsOf(cronJob).filter((a) => a.startsWith('--pyroscope-'));

function cronJob(pyroscope: Json, extra: Json = {}): Json {
  const rendered = renderChart(renderer, { values: { pyroscope, ...extra } });
  expectValidObjects(rendered);
  return cronJobNamed(rendered, 'kube-profefe');
}

function schemaViolations(pyroscope: Json): string {
  try {
    renderChart(renderer, { values: { pyroscope } });
  } catch (err) {
    expect(err).toBeInstanceOf(ChartSchemaError);
    return (err as ChartSchemaError).violations.map((v) => v.message).join('\n');
  }
  throw new Error(`the schema took ${JSON.stringify(pyroscope)}`);
}

describe('chart: pyroscope', () => {
  it('adds no flag, mount or volume with the defaults', () => {
    const job = cronJobNamed(renderChart(renderer, {}), 'kube-profefe');
    expect(pyroscopeArgs(job)).toEqual([]);
    expect(JSON.stringify(podSpecOf(job))).not.toContain('pyroscope');
  });

  it("beside the chart's collector: URL, tenant and a basic-auth Secret mounted read-only", () => {
    const job = cronJob({ url: 'https://profiles-prod-001.grafana.net', tenant: 'team-a', basicAuthSecret: { name: 'grafana-cloud' } });
    expect(argsOf(job)).toContain('--profefe-hostport=http://kube-profefe-collector.kube-profefe.svc:10100');
    expect(pyroscopeArgs(job)).toEqual([
      '--pyroscope-url=https://profiles-prod-001.grafana.net',
      '--pyroscope-tenant=team-a',
      '--pyroscope-basic-auth-file=/etc/kprofefe/pyroscope-auth/basic-auth',
    ]);
    expect(containerOf(job).volumeMounts).toEqual([{ name: 'pyroscope-auth', mountPath: '/etc/kprofefe/pyroscope-auth', readOnly: true }]);
    expect(podSpecOf(job).volumes).toEqual([
      { name: 'pyroscope-auth', secret: { secretName: 'grafana-cloud', defaultMode: 288, items: [{ key: 'basic-auth', path: 'basic-auth' }] } },
    ]);
    expectRestricted(job);
  });

  it('alone (no collector, no claim): no --profefe-hostport, no --output-dir, no profiles volume', () => {
    const job = cronJob({ url: 'http://pyroscope.monitoring:4040', bearerTokenSecret: { name: 'pyro', key: 'tok' } }, { collector: { enabled: false } });
    expect(argsOf(job).filter((a) => a.startsWith('--profefe-') || a.startsWith('--output-dir'))).toEqual([]);
    expect(pyroscopeArgs(job)).toEqual(['--pyroscope-url=http://pyroscope.monitoring:4040', '--pyroscope-bearer-token-file=/etc/kprofefe/pyroscope-auth/tok']);
    expect(podSpecOf(job).volumes.map((v: Json) => v.name)).toEqual(['pyroscope-auth']);
  });

  it('kprofefe takes the rendered flags', () => {
    const args = pyroscopeArgs(cronJob({ url: 'http://pyroscope.monitoring:4040', tenant: 'team-a' }));
    const command = addPyroscopeOptions(new Command('kprofefe')).exitOverride();
    command.parse(args, { from: 'user' });
    expect(toPyroscopeSinkConfig(command.opts<RawPyroscopeOptions>(), '/')).toEqual({
      kind: 'pyroscope',
      url: 'http://pyroscope.monitoring:4040',
      tenant: 'team-a',
      auth: undefined,
      headers: {},
    });
  });

  it('beside an output claim: both volumes', () => {
    const job = cronJob(
      { url: 'http://pyroscope:4040', bearerTokenSecret: { name: 'pyro' } },
      { collector: { enabled: false }, output: { existingClaim: 'profiles' } },
    );
    expect(argsOf(job)).toContain('--output-dir=/profiles');
    expect(podSpecOf(job).volumes.map((v: Json) => v.name)).toEqual(['profiles', 'pyroscope-auth']);
  });

  it('refuses both Secrets, and credentials or a tenant without a URL', () => {
    expect(() =>
      renderChart(renderer, { values: { pyroscope: { url: 'http://p:4040', basicAuthSecret: { name: 'a' }, bearerTokenSecret: { name: 'b' } } } }),
    ).toThrow(/pyroscope: set basicAuthSecret.name \(a\) or bearerTokenSecret.name \(b\), not both/);
    expect(() => renderChart(renderer, { values: { pyroscope: { tenant: 't' } } })).toThrow(ChartRenderError);
    expect(() => renderChart(renderer, { values: { pyroscope: { bearerTokenSecret: { name: 'b' } } } })).toThrow(
      /pyroscope.tenant, pyroscope.basicAuthSecret and pyroscope.bearerTokenSecret need pyroscope.url/,
    );
  });

  it('tls.ca from a ConfigMap: mounted read-only, passed as --pyroscope-ca-file beside the Secret of the token', () => {
    const job = cronJob({ url: 'https://pyroscope.monitoring:4040', bearerTokenSecret: { name: 'pyro' }, tls: { ca: { configMap: 'internal-ca' } } });
    expect(pyroscopeArgs(job)).toEqual([
      '--pyroscope-url=https://pyroscope.monitoring:4040',
      '--pyroscope-bearer-token-file=/etc/kprofefe/pyroscope-auth/token',
      '--pyroscope-ca-file=/etc/kprofefe/pyroscope-ca/ca.crt',
    ]);
    expect(containerOf(job).volumeMounts).toEqual([
      { name: 'pyroscope-auth', mountPath: '/etc/kprofefe/pyroscope-auth', readOnly: true },
      { name: 'pyroscope-ca', mountPath: '/etc/kprofefe/pyroscope-ca', readOnly: true },
    ]);
    expect(podSpecOf(job).volumes).toContainEqual({
      name: 'pyroscope-ca',
      configMap: { name: 'internal-ca', defaultMode: 288, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expectRestricted(job);
  });

  it('tls.ca from a Secret with another key, beside the target CA: two CA volumes, each flag its own file', () => {
    const job = cronJob(
      { url: 'https://pyroscope.monitoring:4040', tls: { ca: { secret: 'pyroscope-tls', key: 'root.pem' } } },
      { targets: { scheme: 'https', tls: { ca: { configMap: 'pod-ca' } } } },
    );
    expect(pyroscopeArgs(job)).toEqual(['--pyroscope-url=https://pyroscope.monitoring:4040', '--pyroscope-ca-file=/etc/kprofefe/pyroscope-ca/root.pem']);
    expect(argsOf(job)).toContain('--target-ca-file=/etc/kprofefe/target-ca/ca.crt');
    expect(containerOf(job).volumeMounts.map((m: Json) => [m.name, m.mountPath, m.readOnly])).toEqual([
      ['pyroscope-ca', '/etc/kprofefe/pyroscope-ca', true],
      ['target-ca', '/etc/kprofefe/target-ca', true],
    ]);
    expect(podSpecOf(job).volumes).toContainEqual({
      name: 'pyroscope-ca',
      secret: { secretName: 'pyroscope-tls', defaultMode: 288, items: [{ key: 'root.pem', path: 'root.pem' }] },
    });
    expect(podSpecOf(job).volumes).toContainEqual({
      name: 'target-ca',
      configMap: { name: 'pod-ca', defaultMode: 288, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
  });

  it('refuses tls.ca without pyroscope.url, with an http:// one, or from both a ConfigMap and a Secret', () => {
    expect(() => renderChart(renderer, { values: { pyroscope: { tls: { ca: { configMap: 'ca' } } } } })).toThrow(/pyroscope.tls.ca needs pyroscope.url/);
    expect(() => renderChart(renderer, { values: { pyroscope: { url: 'http://pyroscope:4040', tls: { ca: { secret: 'ca' } } } } })).toThrow(
      /pyroscope.tls.ca needs an https:\/\/ pyroscope.url \(http:\/\/pyroscope:4040\)/,
    );
    expect(() => renderChart(renderer, { values: { pyroscope: { url: 'https://p:4040', tls: { ca: { configMap: 'a', secret: 'b' } } } } })).toThrow(
      /pyroscope.tls.ca: set configMap \(a\) or secret \(b\), not both/,
    );
  });

  it('without any sink, the error names pyroscope.url among the ways out', () => {
    expect(() => renderChart(renderer, { values: { collector: { enabled: false } } })).toThrow(/or pyroscope.url=<Grafana Pyroscope's URL>/);
  });

  it.each([
    [{ url: 'pyroscope:4040' }, 'pyroscope.url: "pyroscope:4040" does not match'],
    [{ url: 'http://user:pw@pyroscope:4040' }, 'pyroscope.url: "http://user:pw@pyroscope:4040" does not match'],
    [{ tenant: 'a b' }, 'pyroscope.tenant: "a b" does not match'],
    [{ token: 'abc' }, 'pyroscope: unknown key "token"'],
    [{ tls: { ca: { key: 'a/b' } } }, 'pyroscope.tls.ca.key: "a/b" does not match'],
    [{ tls: { insecureSkipVerify: true } }, 'pyroscope.tls: unknown key "insecureSkipVerify"'],
  ])('the schema refuses %j', (pyroscope, message) => {
    expect(schemaViolations(pyroscope)).toContain(message);
  });
});

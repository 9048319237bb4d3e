/**
 * The chart's targets.* values: HTTPS pods verified with a CA from a ConfigMap or a Secret, a
 * server name, a bearer token from a Secret, all mounted read-only as files and passed as
 * kprofefe's --target-* flags; nothing added with the defaults; contradictions refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { containerOf, cronJobNamed, expectRestricted, expectValidObjects, podSpecOf } from './chart-expect.js';
import { buildRenderer, ChartRenderError, ChartSchemaError, renderChart } from './render-chart.js';

/** Rendered objects are walked as plain JSON. */
type Json = any;

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

const targetArgs = (cronJob: Json): string[] => (containerOf(cronJob).args as string[]).filter((a) => a.startsWith('--target-'));

function render(targets: Json, extra: Json = {}) {
  const rendered = renderChart(renderer, { values: { targets, ...extra } });
  expectValidObjects(rendered);
  return rendered;
}

describe('chart: targets', () => {
  it('adds no flag, mount or volume with the defaults', () => {
    const cronJob = cronJobNamed(renderChart(renderer, {}), 'kube-profefe');
    expect(targetArgs(cronJob)).toEqual([]);
    expect(JSON.stringify(podSpecOf(cronJob))).not.toContain('target-');
  });

  it('https with the CA from a ConfigMap, a server name and a token from a Secret, mounted read-only', () => {
    const cronJob = cronJobNamed(
      render({ scheme: 'https', tls: { ca: { configMap: 'pprof-ca' }, serverName: 'pprof.internal' }, bearerTokenSecret: { name: 'pprof-token' } }),
      'kube-profefe',
    );
    expect(targetArgs(cronJob)).toEqual([
      '--target-scheme=https',
      '--target-ca-file=/etc/kprofefe/target-ca/ca.crt',
      '--target-server-name=pprof.internal',
      '--target-bearer-token-file=/etc/kprofefe/target-token/token',
    ]);
    expect(containerOf(cronJob).volumeMounts).toEqual([
      { name: 'target-ca', mountPath: '/etc/kprofefe/target-ca', readOnly: true },
      { name: 'target-token', mountPath: '/etc/kprofefe/target-token', readOnly: true },
    ]);
    expect(podSpecOf(cronJob).volumes).toEqual([
      { name: 'target-ca', configMap: { name: 'pprof-ca', defaultMode: 288, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { name: 'target-token', secret: { secretName: 'pprof-token', defaultMode: 288, items: [{ key: 'token', path: 'token' }] } },
    ]);
    expectRestricted(cronJob);
  });

  it('the CA from a Secret under another key (cert-manager), for every scrape job', () => {
    const rendered = render({ tls: { ca: { secret: 'pprof-tls', key: 'tls-ca.pem' } } }, { jobs: [{ name: 'a' }, { name: 'b' }] });
    for (const name of ['kube-profefe-a', 'kube-profefe-b']) {
      const cronJob = cronJobNamed(rendered, name);
      expect(targetArgs(cronJob)).toEqual(['--target-ca-file=/etc/kprofefe/target-ca/tls-ca.pem']);
      expect(podSpecOf(cronJob).volumes).toEqual([
        { name: 'target-ca', secret: { secretName: 'pprof-tls', defaultMode: 288, items: [{ key: 'tls-ca.pem', path: 'tls-ca.pem' }] } },
      ]);
    }
  });

  it('insecureSkipVerify is one flag, and the mounts sit beside the output claim', () => {
    const cronJob = cronJobNamed(
      render({ tls: { insecureSkipVerify: true } }, { collector: { enabled: false }, output: { existingClaim: 'profiles' } }),
      'kube-profefe',
    );
    expect(targetArgs(cronJob)).toEqual(['--target-insecure-skip-verify']);
    expect(podSpecOf(cronJob).volumes.map((v: Json) => v.name)).toEqual(['profiles']);
  });

  it('refuses a CA from both a ConfigMap and a Secret', () => {
    expect(() => renderChart(renderer, { values: { targets: { tls: { ca: { configMap: 'a', secret: 'b' } } } } })).toThrow(ChartRenderError);
    expect(() => renderChart(renderer, { values: { targets: { tls: { ca: { configMap: 'a', secret: 'b' } } } } })).toThrow(
      /targets.tls.ca: set configMap \(a\) or secret \(b\), not both/,
    );
  });

  it('refuses insecureSkipVerify with a CA or a server name', () => {
    for (const tls of [
      { insecureSkipVerify: true, ca: { secret: 'b' } },
      { insecureSkipVerify: true, serverName: 'pprof.internal' },
    ]) {
      expect(() => renderChart(renderer, { values: { targets: { tls } } })).toThrow(
        /targets.tls.insecureSkipVerify checks no certificate: set it, or targets.tls.ca \/ targets.tls.serverName, not both/,
      );
    }
  });

  it.each([
    [{ scheme: 'ftp' }, 'targets.scheme: "ftp" is not one of'],
    [{ tls: { serverName: 'https://pprof.internal' } }, 'targets.tls.serverName: "https://pprof.internal" does not match'],
    [{ bearerToken: 'abc' }, 'targets: unknown key "bearerToken"'],
  ])('the schema refuses %j', (targets, message) => {
    let error: unknown;
    try {
      renderChart(renderer, { values: { targets } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChartSchemaError);
    expect((error as ChartSchemaError).violations.map((v) => v.message).join('\n')).toContain(message);
  });
});

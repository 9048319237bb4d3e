/**
 * profefe.com/scheme and --target-scheme: http or https, to the pod IP either way; any other
 * value skips the pod naming the annotation and its value.
 */
import { describe, expect, it } from 'vitest';
import { podTargets, skippedPodMessage, type PodTargets, type TargetOptions } from '../../src/discover/pod-targets.js';
import { enabled, makePod } from '../doubles/make-pod.js';

const options: TargetOptions = { profileTypes: ['heap', 'cpu'], cpuSeconds: 10, requireEnable: true };

function run(annotations: Record<string, string>, opts: Partial<TargetOptions> = {}): PodTargets {
  return podTargets(makePod({ name: 'api-7d9f', namespace: 'shop', ip: '10.1.2.3', annotations: enabled(annotations) }), { ...options, ...opts });
}

function targetsOf(result: PodTargets) {
  if (result.kind !== 'targets') throw new Error(`expected targets, got ${JSON.stringify(result)}`);
  return result.targets;
}

describe('podTargets: the scheme', () => {
  it('is http without the annotation or --target-scheme', () => {
    const targets = targetsOf(run({}));
    expect(targets.map((t) => [t.scheme, t.url])).toEqual([
      ['http', 'http://10.1.2.3:6060/debug/pprof/heap'],
      ['http', 'http://10.1.2.3:6060/debug/pprof/profile?seconds=10'],
    ]);
  });

  it.each(['https', 'HTTPS', ' https '])('profefe.com/scheme "%s" makes every target https, still to the pod IP and port', (value) => {
    const targets = targetsOf(run({ 'profefe.com/scheme': value, 'profefe.com/port': '8443' }));
    for (const target of targets) {
      expect(target.scheme).toBe('https');
      expect(target.pod.ip).toBe('10.1.2.3');
      expect(target.port).toBe(8443);
    }
    expect(targets[0]?.url).toBe('https://10.1.2.3:8443/debug/pprof/heap');
  });

  it('--target-scheme https is the default of pods without the annotation; the annotation wins', () => {
    expect(targetsOf(run({}, { scheme: 'https' }))[0]?.url).toBe('https://10.1.2.3:6060/debug/pprof/heap');
    expect(targetsOf(run({ 'profefe.com/scheme': 'http' }, { scheme: 'https' }))[0]?.url).toBe('http://10.1.2.3:6060/debug/pprof/heap');
  });

  it('an IPv6 pod is bracketed in an https URL', () => {
    const pod = makePod({ name: 'v6', namespace: 'shop', ip: 'fd00::12', annotations: enabled({ 'profefe.com/scheme': 'https' }) });
    expect(targetsOf(podTargets(pod, options))[0]?.url).toBe('https://[fd00::12]:6060/debug/pprof/heap');
  });
});

describe('podTargets: a bad profefe.com/scheme skips the pod, naming the annotation and the value', () => {
  function skipped(value: string): string {
    const result = run({ 'profefe.com/scheme': value });
    if (result.kind !== 'invalid') throw new Error(`expected invalid, got ${result.kind}`);
    expect(result.problem.annotation).toBe('profefe.com/scheme');
    expect(result.problem.value).toBe(value);
    return skippedPodMessage(result);
  }

  it('ftp', () => {
    expect(skipped('ftp')).toBe(
      'pod shop/api-7d9f skipped: annotation profefe.com/scheme="ftp": the scheme must be http or https (the host is always the pod IP)',
    );
  });

  it('a URL instead of a scheme', () => {
    expect(skipped('https://evil.example.com')).toContain('annotation profefe.com/scheme="https://evil.example.com": the scheme must be http or https');
  });

  it('"https:" with a colon', () => {
    expect(skipped('https:')).toContain('profefe.com/scheme="https:"');
  });

  it('an empty value', () => {
    expect(skipped('')).toContain('profefe.com/scheme="": the scheme must be http or https');
  });

  it('h2c', () => {
    expect(skipped('h2c')).toContain('profefe.com/scheme="h2c"');
  });
});

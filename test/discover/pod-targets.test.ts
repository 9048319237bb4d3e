import { describe, expect, it } from 'vitest';
import { podTargets, type PodTargets, type TargetOptions } from '../../src/discover/pod-targets.js';
import { DEFAULT_PROFILE_TYPES } from '../../src/profile-types.js';
import { enabled, makePod, type PodSpecInput } from '../doubles/make-pod.js';

const options: TargetOptions = { profileTypes: DEFAULT_PROFILE_TYPES, cpuSeconds: 10, requireEnable: true };

function run(input: Partial<PodSpecInput>, opts: Partial<TargetOptions> = {}): PodTargets {
  return podTargets(makePod({ name: 'api-7d9f', namespace: 'shop', ip: '10.1.2.3', ...input }), { ...options, ...opts });
}

function targetsOf(result: PodTargets) {
  if (result.kind !== 'targets') throw new Error(`expected targets, got ${JSON.stringify(result)}`);
  return result.targets;
}

describe('podTargets: which pods are selected', () => {
  it.each([
    ['no annotations', {}, 'no profefe.com/enable annotation'],
    ['enable "false"', { annotations: { 'profefe.com/enable': 'false' } }, 'profefe.com/enable is "false", not "true"'],
    ['enable "yes"', { annotations: { 'profefe.com/enable': 'yes' } }, 'not "true"'],
    ['Pending pod', { annotations: enabled(), phase: 'Pending' as const }, 'phase is Pending, not Running'],
    ['Succeeded pod', { annotations: enabled(), phase: 'Succeeded' as const }, 'phase is Succeeded'],
    ['Running pod without an IP', { annotations: enabled(), ip: null }, 'no IP address'],
  ])('%s is ignored', (_name, input, reason) => {
    const result = run(input);
    expect(result.kind).toBe('ignored');
    expect(result.kind === 'ignored' && result.reason).toContain(reason);
  });

  it('a named pod needs no enable annotation', () => {
    expect(targetsOf(run({}, { requireEnable: false }))).toHaveLength(DEFAULT_PROFILE_TYPES.length);
  });
});

describe('podTargets: URLs from annotations', () => {
  it.each([
    ['defaults', {}, 'http://10.1.2.3:6060/debug/pprof/heap'],
    ['port number', { 'profefe.com/port': '8080' }, 'http://10.1.2.3:8080/debug/pprof/heap'],
    ['custom path', { 'profefe.com/path': '/internal/pprof' }, 'http://10.1.2.3:6060/internal/pprof/heap'],
    ['custom path with trailing slash', { 'profefe.com/path': '/internal/pprof/' }, 'http://10.1.2.3:6060/internal/pprof/heap'],
    ['root path', { 'profefe.com/path': '/' }, 'http://10.1.2.3:6060/heap'],
  ])('%s', (_name, annotations, url) => {
    const heap = targetsOf(run({ annotations: enabled(annotations) })).find((t) => t.type === 'heap');
    expect(heap?.url).toBe(url);
  });

  it('a named container port resolves to its number and names the container', () => {
    const targets = targetsOf(
      run({
        annotations: enabled({ 'profefe.com/port': 'pprof' }),
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'pprof', containerPort: 7070 },
        ],
      }),
    );
    expect(targets[0]?.url).toMatch(/^http:\/\/10\.1\.2\.3:7070\//);
    expect(targets[0]?.labels.container).toBe('app');
  });

  it('the window targets (cpu, allocs, block, mutex) carry the same seconds; the snapshots none', () => {
    const targets = targetsOf(run({ annotations: enabled() }, { cpuSeconds: 7 }));
    expect(targets.map((t) => [t.type, t.url, t.seconds])).toEqual([
      ['cpu', 'http://10.1.2.3:6060/debug/pprof/profile?seconds=7', 7],
      ['heap', 'http://10.1.2.3:6060/debug/pprof/heap', undefined],
      ['allocs', 'http://10.1.2.3:6060/debug/pprof/allocs?seconds=7', 7],
      ['goroutine', 'http://10.1.2.3:6060/debug/pprof/goroutine', undefined],
      ['block', 'http://10.1.2.3:6060/debug/pprof/block?seconds=7', 7],
      ['mutex', 'http://10.1.2.3:6060/debug/pprof/mutex?seconds=7', 7],
      ['threadcreate', 'http://10.1.2.3:6060/debug/pprof/threadcreate', undefined],
    ]);
  });

  it('an annotation label named delta is dropped: the sinks set it', () => {
    const [heap] = targetsOf(run({ annotations: enabled({ 'profefe.com/labels': 'delta=true,team=a' }) }, { profileTypes: ['heap'] }));
    expect(heap?.labels).not.toHaveProperty('delta');
    expect(heap?.labels.team).toBe('a');
  });

  it('IPv6 pod IPs are bracketed', () => {
    expect(targetsOf(run({ annotations: enabled(), ip: 'fd00::12' }))[0]?.url).toMatch(/^http:\/\/\[fd00::12\]:6060\//);
  });

  it('--port and --path overrides win over annotations', () => {
    const heap = targetsOf(run({ annotations: enabled({ 'profefe.com/port': '1' }) }, { portOverride: '9999', pathOverride: '/p' })).find(
      (t) => t.type === 'heap',
    );
    expect(heap?.url).toBe('http://10.1.2.3:9999/p/heap');
  });
});

describe('podTargets: invalid annotations skip the pod and say why', () => {
  it.each([
    ['profefe.com/port', 'abc', 'not a port number'],
    ['profefe.com/port', '0', 'between 1 and 65535'],
    ['profefe.com/port', '70000', 'between 1 and 65535'],
    ['profefe.com/port', '-1', 'not a port number'],
    ['profefe.com/path', 'debug/pprof', 'not an absolute path'],
    ['profefe.com/path', 'http://evil.example/debug/pprof', 'scheme'],
    ['profefe.com/path', '//evil.example/debug/pprof', '"//"'],
    ['profefe.com/path', '/debug//pprof', '"//"'],
    ['profefe.com/path', '/debug/../admin', '".."'],
    ['profefe.com/path', '/debug/pprof?x=1', 'query'],
    ['profefe.com/path', '/debug/pprof#frag', 'fragment'],
    ['profefe.com/path', '/debug/%2e%2e/admin', 'percent'],
    ['profefe.com/path', '@evil.example/x', 'not an absolute path'],
    ['profefe.com/service', '  ', 'empty'],
    ['profefe.com/profile-types', 'cpu,bogus', 'unknown profile type "bogus"'],
    ['profefe.com/labels', 'team', 'is not key=value'],
    ['profefe.com/labels', '1bad=x', 'label name'],
  ])('%s: %j', (annotation, value, reason) => {
    const result = run({ annotations: enabled({ [annotation]: value }) });
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problem.annotation).toBe(annotation);
    expect(result.problem.value).toBe(value);
    expect(result.problem.reason).toContain(reason);
    expect(result.name).toBe('api-7d9f');
    expect(result.namespace).toBe('shop');
  });

  it('every target connects to the pod IP, whatever the annotations say', () => {
    const targets = targetsOf(run({ annotations: enabled({ 'profefe.com/path': '/a/b.c/~d', 'profefe.com/port': '1234' }) }));
    for (const t of targets) expect(new URL(t.url).hostname).toBe('10.1.2.3');
  });
});

describe('podTargets: service and labels', () => {
  it.each([
    ['the service annotation', { annotations: enabled({ 'profefe.com/service': 'checkout' }), owner: { kind: 'StatefulSet', name: 'db' } }, 'checkout'],
    [
      'a Deployment via its ReplicaSet',
      { annotations: enabled(), labels: { 'pod-template-hash': '7d9f8c' }, owner: { kind: 'ReplicaSet', name: 'checkout-7d9f8c' } },
      'checkout',
    ],
    ['a ReplicaSet without a template hash', { annotations: enabled(), owner: { kind: 'ReplicaSet', name: 'legacy-rs' } }, 'legacy-rs'],
    ['a StatefulSet', { annotations: enabled(), owner: { kind: 'StatefulSet', name: 'db' } }, 'db'],
    ['a DaemonSet', { annotations: enabled(), owner: { kind: 'DaemonSet', name: 'agent' } }, 'agent'],
    ['a CronJob via its Job', { annotations: enabled(), owner: { kind: 'Job', name: 'nightly-29012345' } }, 'nightly'],
    ['a plain Job', { annotations: enabled(), owner: { kind: 'Job', name: 'migrate' } }, 'migrate'],
    ['a bare pod', { annotations: enabled() }, 'api-7d9f'],
  ])('service from %s', (_name, input, service) => {
    for (const t of targetsOf(run(input))) expect(t.service).toBe(service);
  });

  it('labels: namespace, pod, node, workload and extra labels that cannot override them', () => {
    const [target] = targetsOf(
      run({
        node: 'node-a',
        labels: { 'pod-template-hash': 'abc12' },
        owner: { kind: 'ReplicaSet', name: 'checkout-abc12' },
        annotations: enabled({ 'profefe.com/labels': 'team=payments, tier=web,pod=spoofed' }),
      }),
    );
    expect(target?.labels).toEqual({
      team: 'payments',
      tier: 'web',
      namespace: 'shop',
      pod: 'api-7d9f',
      node: 'node-a',
      workload_kind: 'Deployment',
      workload: 'checkout',
    });
  });

  it('the profile-types annotation narrows the run types and never widens them', () => {
    const types = targetsOf(run({ annotations: enabled({ 'profefe.com/profile-types': 'heap, cpu,allocs' }) })).map((t) => t.type);
    expect(types).toEqual(['cpu', 'heap', 'allocs']);
    const narrowRun = { profileTypes: ['cpu', 'heap'] as const };
    expect(targetsOf(run({ annotations: enabled({ 'profefe.com/profile-types': 'heap,allocs' }) }, narrowRun)).map((t) => t.type)).toEqual(['heap']);
    const ignored = run({ annotations: enabled({ 'profefe.com/profile-types': 'allocs' }) }, narrowRun);
    expect(ignored.kind).toBe('ignored');
  });

  it('allocs is a default type, fetched over the window', () => {
    expect(DEFAULT_PROFILE_TYPES).toContain('allocs');
    const allocs = targetsOf(run({ annotations: enabled() }, { profileTypes: ['allocs'] }));
    expect(allocs.map((t) => t.url)).toEqual(['http://10.1.2.3:6060/debug/pprof/allocs?seconds=10']);
  });
});

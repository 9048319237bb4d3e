import { describe, expect, it } from 'vitest';
import { coversWindow, labelSelector, pyroscopeLabels, sanitiseLabelName } from '../../src/sink/pyroscope-labels.js';
import { makeTarget } from '../doubles/make-target.js';

describe('pyroscopeLabels', () => {
  it('puts __name__ and service_name first, then namespace, pod, node, container, workload_kind, workload, then the rest sorted', () => {
    const target = {
      ...makeTarget('mutex'),
      labels: { zeta: '1', workload: 'checkout', alpha: '2', pod: 'p', workload_kind: 'Deployment', node: 'n', namespace: 'shop', container: 'app' },
    };
    expect(pyroscopeLabels({ target }).labels.map((l) => l.name)).toEqual([
      '__name__',
      'service_name',
      'namespace',
      'pod',
      'node',
      'container',
      'workload_kind',
      'workload',
      'alpha',
      'zeta',
    ]);
  });

  it('a label from the target cannot replace service_name or __name__', () => {
    const { labels, dropped } = pyroscopeLabels({ target: { ...makeTarget('cpu'), labels: { service_name: 'other', __name__: 'x' } } });
    expect(labels).toEqual([
      { name: '__name__', value: 'process_cpu' },
      { name: 'service_name', value: 'checkout' },
    ]);
    expect(dropped.map((d) => d.name)).toEqual(['__name__', 'service_name']);
  });

  it('sanitises names as Prometheus label names', () => {
    expect(sanitiseLabelName('app.kubernetes.io/name')).toBe('app_kubernetes_io_name');
    expect(sanitiseLabelName('2fa')).toBe('_2fa');
    expect(sanitiseLabelName('équipe')).toBe('_quipe');
    expect(sanitiseLabelName('ok_Name9')).toBe('ok_Name9');
  });

  it('a window: counter types whose profile covers one', () => {
    const window = { kind: 'window', seconds: 30 } as const;
    expect(coversWindow({ target: makeTarget('allocs'), window })).toBe(true);
    expect(coversWindow({ target: makeTarget('mutex'), window: { kind: 'cumulative', reason: 'seconds refused (400)' } })).toBe(false);
    expect(coversWindow({ target: makeTarget('block') })).toBe(false);
    expect(coversWindow({ target: makeTarget('cpu'), window })).toBe(false);
    expect(coversWindow({ target: makeTarget('goroutine'), window })).toBe(false);
  });

  it('prints a selector with quoted values', () => {
    expect(
      labelSelector([
        { name: 'a', value: 'x"y' },
        { name: 'b', value: '' },
      ]),
    ).toBe('{a="x\\"y", b=""}');
  });
});

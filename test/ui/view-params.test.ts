import { describe, expect, it } from 'vitest';
import { absolute, pageUrl, sourceQuery, ViewParamError, viewParams, viewValues } from '../../src/ui/view-params.js';

const NOW = new Date('2026-11-20T12:00:00Z');

describe('view URLs', () => {
  it('a view written into a URL reads back as the same view (labels with , and = escaped)', () => {
    const view = { service: 'check out', type: 'allocs', from: '2h', to: 'now', labels: { pod: 'a,b=c', node: 'n1' }, sample: 'alloc_space' };
    const url = pageUrl('/view', viewValues(view));
    expect(url).toBe('/view?service=check+out&type=allocs&from=2h&to=now&labels=node%3Dn1%2Cpod%3Da%252Cb%253Dc&sample=alloc_space');
    expect(viewParams(new URL(url, 'http://x').searchParams)).toEqual(view);
  });

  it('allocs is queried as other with pprof_type=allocs; relative ranges are read against now, and can be pinned', () => {
    const view = viewParams(new URLSearchParams('service=api&type=allocs&from=90m'));
    expect(sourceQuery(view, NOW)).toEqual({
      service: 'api',
      type: 'other',
      labels: { pprof_type: 'allocs' },
      from: new Date('2026-11-20T10:30:00Z'),
      to: NOW,
    });
    expect(absolute(view, NOW)).toMatchObject({ from: '2026-11-20T10:30:00.000Z', to: '2026-11-20T12:00:00.000Z' });
  });

  it('what cannot be read is a ViewParamError naming the parameter', () => {
    const read = (query: string) => () => sourceQuery(viewParams(new URLSearchParams(query)), NOW);
    expect(read('type=cpu')).toThrow(new ViewParamError('service is required: pick one on the services page'));
    expect(read('service=a&type=trace')).toThrow(/type "trace" is not a pprof profile type/);
    expect(read('service=a&type=cpu&from=yesterday')).toThrow(/^from "yesterday": not a time/);
    expect(read('service=a&type=cpu&from=1h&to=2h')).toThrow(/the range must start before it ends/);
    expect(read('service=a&type=cpu&labels=pod')).toThrow('labels: label "pod" is not key=value; expected key=value,key2=value2');
    expect(read('service=a&type=allocs&labels=pprof_type%3Dheap')).toThrow('labels pprof_type=heap contradicts type allocs, which selects pprof_type=allocs');
  });
});

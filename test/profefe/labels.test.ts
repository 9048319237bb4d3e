import { describe, expect, it } from 'vitest';
import { encodeLabels, labelsToRecord, parseLabels } from '../../src/profefe/labels.js';
import { parseLabelsParam } from '../doubles/test-collector/query.js';

describe('encodeLabels', () => {
  it('sorts by key and joins k=v pairs with commas', () => {
    expect(encodeLabels({ pod: 'web-1', namespace: 'prod' })).toBe('namespace=prod,pod=web-1');
    expect(encodeLabels({})).toBe('');
  });

  it('escapes , = % + and spaces inside keys and values', () => {
    expect(encodeLabels({ 'a,b': 'x=1,y=50%', c: 'one two+three' })).toBe('a%2Cb=x%3D1%2Cy%3D50%25,c=one%20two%2Bthree');
  });

  it('decodes back to the same labels the way the collector decodes them (Go QueryUnescape)', () => {
    const labels = { 'team,x': 'a=b', pct: '100%', plus: 'a+b', space: 'a b', unicode: 'żółw', amp: 'a&b' };
    const decoded = parseLabelsParam(encodeLabels(labels));
    expect('labels' in decoded && labelsToRecord(decoded.labels)).toEqual(labels);
  });

  it('refuses an empty key, which the collector would drop', () => {
    expect(() => encodeLabels({ '': 'v' })).toThrow(/empty key/);
  });
});

describe('parseLabels', () => {
  it('parses flags and annotations, ignoring spaces and empty pairs', () => {
    expect(parseLabels(' team = payments , env=prod,')).toEqual({ labels: { team: 'payments', env: 'prod' } });
    expect(parseLabels('')).toEqual({ labels: {} });
    expect(parseLabels('k=')).toEqual({ labels: { k: '' } });
  });

  it('round-trips encodeLabels, escapes included', () => {
    const labels = { 'a,b': 'x=1,y=50%', c: 'one two+three', __proto__x: 'p' };
    expect(parseLabels(encodeLabels(labels))).toEqual({ labels });
  });

  it('keeps a key named __proto__ as a plain label', () => {
    const parsed = parseLabels('__proto__=x');
    expect('labels' in parsed && Object.keys(parsed.labels)).toEqual(['__proto__']);
  });

  it('names the malformed pair', () => {
    expect(parseLabels('team=a,broken')).toEqual({ error: 'label "broken" is not key=value' });
    expect(parseLabels('=v')).toEqual({ error: 'label "=v" has an empty key' });
    expect(parseLabels('a=1,a=2')).toEqual({ error: 'label "a" is given twice' });
    const bad = parseLabels('ratio=50%');
    expect('error' in bad && bad.error).toMatch(/^label "ratio=50%" has a % that is not an escape: write % as %25/);
  });
});

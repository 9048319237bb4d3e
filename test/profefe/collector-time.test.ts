import { describe, expect, it } from 'vitest';
import { formatCollectorTime, formatCreatedAt, formatFromBound, formatToBound, parseCollectorTime, parseCreatedAt } from '../../src/profefe/collector-time.js';

describe('collector time format', () => {
  it('formats exactly YYYY-MM-DDTHH:MM:SS in UTC, without Z, offset or fraction', () => {
    expect(formatCollectorTime(new Date('2019-05-30T21:10:05.499Z'))).toBe('2019-05-30T21:10:05');
    expect(formatCollectorTime(new Date('2019-05-30T23:10:05+02:00'))).toBe('2019-05-30T21:10:05');
  });

  it('keeps the whole second of `from`', () => {
    expect(formatFromBound(new Date('2019-05-30T21:10:05.999Z'))).toBe('2019-05-30T21:10:05');
  });

  it('sends `to` as the next whole second, so the whole second of `to` is included', () => {
    expect(formatToBound(new Date('2019-05-30T21:10:05.000Z'))).toBe('2019-05-30T21:10:06');
    expect(formatToBound(new Date('2019-05-30T21:10:05.001Z'))).toBe('2019-05-30T21:10:06');
    expect(formatToBound(new Date('2019-12-31T23:59:59.500Z'))).toBe('2020-01-01T00:00:00');
  });

  it('parses the query format as UTC and refuses what the collector refuses', () => {
    expect(parseCollectorTime('2019-05-30T21:10:05')?.toISOString()).toBe('2019-05-30T21:10:05.000Z');
    for (const bad of [
      '2019-05-30T21:10:05Z',
      '2019-05-30T21:10:05+02:00',
      '2019-05-30T21:10:05.5',
      '1559250605',
      '2019-02-30T00:00:00',
      '2019-13-01T00:00:00',
      '2019-05-30 21:10:05',
    ]) {
      expect(parseCollectorTime(bad), bad).toBeUndefined();
    }
  });

  it('reads and writes created_at as RFC 3339 UTC whole seconds', () => {
    expect(parseCreatedAt('2019-05-30T21:10:05Z')?.toISOString()).toBe('2019-05-30T21:10:05.000Z');
    expect(parseCreatedAt('2019-05-30T21:10:05')).toBeUndefined();
    expect(formatCreatedAt(new Date('2019-05-30T21:10:05.750Z'))).toBe('2019-05-30T21:10:05Z');
  });
});

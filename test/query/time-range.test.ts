import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTimeArg, parseTimeRange, TimeArgError } from '../../src/query/time-range.js';
import { goParseRfc3339 } from './go-stdlib.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');

describe('parseTimeArg', () => {
  it('reads durations as that long before now', () => {
    expect(parseTimeArg('90s', NOW).toISOString()).toBe('2026-11-20T11:58:30.000Z');
    expect(parseTimeArg('15m', NOW).toISOString()).toBe('2026-11-20T11:45:00.000Z');
    expect(parseTimeArg('2h', NOW).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseTimeArg('7d', NOW).toISOString()).toBe('2026-11-13T12:00:00.000Z');
    expect(parseTimeArg('1h30m', NOW).toISOString()).toBe('2026-11-20T10:30:00.000Z');
    expect(parseTimeArg('1w', NOW).toISOString()).toBe('2026-11-13T12:00:00.000Z');
    expect(parseTimeArg('1.5h', NOW).toISOString()).toBe('2026-11-20T10:30:00.000Z');
    expect(parseTimeArg('now', NOW).getTime()).toBe(NOW.getTime());
    expect(parseTimeArg(' NOW ', NOW).getTime()).toBe(NOW.getTime());
  });

  it('reads RFC 3339 exactly as Go time.Parse(RFC3339Nano) does', async () => {
    const values = [
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:00:00+02:00',
      '2026-11-20T10:00:00-07:30',
      '2026-11-20T10:00:00.123456789Z',
      '2026-11-20T10:00:00.5+05:45',
      '2024-02-29T23:59:59Z',
      '1999-12-31T23:59:59-00:00',
      '0099-01-01T00:00:00Z',
    ];
    const go = await goParseRfc3339(values);
    expect(go).not.toContain('error');
    expect(values.map((v) => String(parseTimeArg(v, NOW).getTime()))).toEqual(go);
  });

  it('rejects impossible dates that Go rejects too', async () => {
    const values = ['2023-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-31T00:00:00Z', '2026-11-20T25:00:00Z', '2026-11-20T10:60:00Z'];
    expect(await goParseRfc3339(values)).toEqual(values.map(() => 'error'));
    for (const v of values) expect(() => parseTimeArg(v, NOW, '--from')).toThrow(TimeArgError);
  });

  it('reads a date-time without a zone as UTC', () => {
    expect(parseTimeArg('2026-11-20T10:00:00', NOW).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseTimeArg('2026-11-20 10:00', NOW).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseTimeArg('2026-11-20', NOW).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    // The same wall time read by the system's date(1) in UTC.
    const date = execFileSync('date', ['-u', '-d', '2026-11-20 10:00:00', '+%s'], { env: { ...process.env, TZ: 'UTC' } });
    expect(parseTimeArg('2026-11-20T10:00:00', NOW).getTime()).toBe(Number(date.toString().trim()) * 1000);
  });

  it('names the flag and lists the accepted forms', () => {
    for (const bad of ['yesterday', '15', '-5m', '2026/11/20', '', '5mins']) {
      let message = '';
      try {
        parseTimeArg(bad, NOW, '--to');
      } catch (err) {
        expect(err).toBeInstanceOf(TimeArgError);
        expect((err as TimeArgError).flag).toBe('--to');
        message = (err as Error).message;
      }
      expect(message).toMatch(/^--to /);
      expect(message).toContain('90s');
      expect(message).toContain('2026-11-20T10:00:00Z');
      expect(message).toContain('"now"');
    }
  });
});

describe('parseTimeRange', () => {
  it('defaults to the last 24 hours', () => {
    const { from, to } = parseTimeRange({}, NOW);
    expect(from.toISOString()).toBe('2026-11-19T12:00:00.000Z');
    expect(to.getTime()).toBe(NOW.getTime());
  });

  it('takes either bound in any form', () => {
    const { from, to } = parseTimeRange({ from: '2026-11-20T09:00:00Z', to: '1h' }, NOW);
    expect(from.toISOString()).toBe('2026-11-20T09:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-20T11:00:00.000Z');
    expect(parseTimeRange({ from: 'now', to: 'now' }, NOW).from.getTime()).toBe(NOW.getTime());
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => parseTimeRange({ from: '1h', to: '2h' }, NOW)).toThrow(TimeArgError);
    expect(() => parseTimeRange({ from: '1h', to: '2h' }, NOW)).toThrow(/--from .* is after --to/);
    expect(() => parseTimeRange({ from: 'soon' }, NOW)).toThrow(/^--from "soon"/);
  });
});

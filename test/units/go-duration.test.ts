import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseGoDurationNanos } from '../../src/units/go-duration.js';
import { goParseDurations } from '../query/go-stdlib.js';

describe('parseGoDuration equals Go time.ParseDuration', () => {
  const VALUES = [
    '30s',
    '1m',
    '1m30s',
    '1h30m',
    '2h45m',
    '300ms',
    '1.5h',
    '-1.5h',
    '+5s',
    '0',
    '-0',
    '+0',
    '1.5us',
    '1.5µs',
    '1.5μs',
    '10ns',
    '.5s',
    '5.s',
    '0.1ns',
    '1.123456789123s',
    '1h1m1s1ms1us1ns',
    '1.0000000000000000001s',
    '0.00000000000000000000000001h',
    '9223372036854775807ns',
    '9223372036854775808ns',
    '-9223372036854775808ns',
    '2562047h',
    '2562048h',
    '9223372036854775.807ms',
    '100000000000000000000ms',
    '',
    's',
    '1',
    '1x',
    '1h 30m',
    '1.2.3s',
    '1e3s',
    '.s',
    '-',
    '1d',
    '1S',
    '3000000000000000000000h',
    '5m-3s',
  ];

  it('for valid and invalid values alike', async () => {
    const go = await goParseDurations(VALUES);
    const ours = VALUES.map((v) => {
      try {
        return parseGoDurationNanos(v).toString();
      } catch {
        return 'error';
      }
    });
    expect(ours).toEqual(go);
    expect(go.filter((r) => r === 'error').length).toBeGreaterThan(10);
  });

  it('returns milliseconds, keeping fractions', () => {
    expect(parseGoDuration('30s')).toBe(30_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5ms')).toBe(1.5);
    expect(parseGoDuration('250us')).toBe(0.25);
  });

  it('says what is wrong', () => {
    expect(() => parseGoDuration('10')).toThrow(/missing unit/);
    expect(() => parseGoDuration('10d')).toThrow(/unknown unit "d"/);
    expect(() => parseGoDuration('')).toThrow(/not a duration/);
    expect(() => parseGoDuration('3000000000000000000000h')).toThrow(/out of range/);
  });
});

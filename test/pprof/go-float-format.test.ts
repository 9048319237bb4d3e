import { describe, expect, it } from 'vitest';
import { goFixed, goGeneral } from '../../src/pprof/go-float-format.js';
import { percentage, scaledLabel } from '../../src/pprof/measurement.js';
import { goFormatFloats } from '../query/go-stdlib.js';
import { seededRandom } from './synthetic-profile.js';

/** Values where JavaScript and Go disagree or formatting changes shape: ties, carries, tiny, huge. */
const SPECIAL = [
  0, -0, 0.125, 0.375, 1.005, 1.125, 2.675, 9.995, 9.999, 99.95, 99.995, 0.5, 1.5, 2.5, 0.045, 0.0125, 0.00001234, 0.000099999, 0.0001, 0.001, 1e-7, 5e-5,
  123456789.125, 1e21, 1.5e300, 5e-324, -1.125, -0.004, 0.995, 0.9999,
];

function randomValues(seed: number, n: number): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const r = rnd();
    if (r < 0.3) return Math.floor(rnd() * 100000) / 8 / 10 ** Math.floor(rnd() * 4); // many exact ties
    return rnd() * 10 ** (Math.floor(rnd() * 16) - 8);
  });
}

describe("goFixed / goGeneral equal Go's fmt", () => {
  const values = [...SPECIAL, ...randomValues(7, 3000)];

  for (const precision of [0, 1, 2, 3, 6]) {
    it(`%.${precision}f`, async () => {
      expect(values.map((v) => goFixed(v, precision))).toEqual(await goFormatFloats('f', precision, values));
    });
  }

  for (const precision of [1, 2, 3, 5]) {
    it(`%.${precision}g`, async () => {
      expect(values.map((v) => goGeneral(v, precision))).toEqual(await goFormatFloats('g', precision, values));
    });
  }

  it('differs from JavaScript where Go rounds half to even', () => {
    expect(goFixed(0.125, 2)).toBe('0.12');
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(goGeneral(0.125, 2)).toBe('0.12');
  });
});

describe('pprof value labels', () => {
  it('scale bytes by 1024 and time by 1000, and print counts as numbers', () => {
    expect(scaledLabel(1_500_000, 'bytes', 'minimum')).toBe('1.43MB');
    expect(scaledLabel(1152, 'bytes', 'kB')).toBe('1.12kB');
    expect(scaledLabel(10_000_000, 'nanoseconds', 'minimum')).toBe('10ms');
    expect(scaledLabel(1_410_000_000, 'nanoseconds', 's')).toBe('1.41s');
    expect(scaledLabel(7200e9, 'nanoseconds', 'minimum')).toBe('2hrs');
    expect(scaledLabel(42, 'count', 'count')).toBe('42');
    expect(scaledLabel(0, 'bytes', 'MB')).toBe('0');
  });

  it('print percentages with pprof widths', () => {
    expect(percentage(1, 1)).toBe('  100%');
    expect(percentage(1, 3)).toBe('33.33%');
    expect(percentage(1, 800)).toBe(' 0.12%');
    expect(percentage(0, 5)).toBe('    0%');
    expect(percentage(1, 0)).toBe('    0%');
  });
});

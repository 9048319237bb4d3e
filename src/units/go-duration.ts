/** Go's duration syntax (time.ParseDuration), as every duration flag takes it. */

const GO_UNITS_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n; // Go checks against 1<<63 and 1<<63-1 exactly where it does

/**
 * Go's time.ParseDuration, in nanoseconds: `300ms`, `-1.5h`, `2h45m`, `0`. Units ns, us (µs),
 * ms, s, m, h; every number needs a unit. Throws an Error saying what is wrong.
 */
export function parseGoDurationNanos(value: string): bigint {
  let s = value;
  let negative = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new Error('not a duration');
  let total = 0n;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const intDigits = num[1] ?? '';
    const fracDigits = num[2];
    if (intDigits === '' && (fracDigits === undefined || fracDigits === '')) throw new Error('not a duration');
    s = s.slice(num[0].length);
    const unitMatch = /^[^.0-9]+/.exec(s);
    if (!unitMatch) throw new Error('missing unit (use ns, us, ms, s, m or h)');
    const unitName = unitMatch[0];
    const unit = GO_UNITS_NS[unitName];
    if (unit === undefined) throw new Error(`unknown unit ${JSON.stringify(unitName)} (use ns, us, ms, s, m or h)`);
    s = s.slice(unitName.length);
    let v = BigInt(intDigits === '' ? '0' : intDigits);
    if (v > LIMIT / unit) throw new Error('duration out of range');
    v *= unit;
    if (fracDigits !== undefined && fracDigits !== '') {
      // Go keeps fraction digits while they fit, then scales in float64 and truncates.
      let f = 0n;
      let scale = 1;
      for (const digit of fracDigits) {
        if (f > (LIMIT - 1n) / 10n) break;
        const next = f * 10n + BigInt(digit);
        if (next > LIMIT) break;
        f = next;
        scale *= 10;
      }
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw new Error('duration out of range');
    }
    total += v;
    if (total > LIMIT) throw new Error('duration out of range');
  }
  if (!negative && total > LIMIT - 1n) throw new Error('duration out of range');
  return negative ? -total : total;
}

/** Go duration syntax in milliseconds (fractions kept): `30s` -> 30000, `1.5ms` -> 1.5. */
export function parseGoDuration(value: string): number {
  return Number(parseGoDurationNanos(value)) / 1e6;
}

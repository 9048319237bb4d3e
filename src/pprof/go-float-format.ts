/**
 * Go's `%.Nf` and `%.Ng` for float64, digit for digit. pprof prints every number through these,
 * and JavaScript's toFixed/toPrecision differ from Go on exact ties (Go rounds half to even,
 * `(0.125).toFixed(2)` rounds up) and switch to exponent notation at other thresholds. The value
 * is expanded exactly (mantissa × 2^exponent) with BigInt, so rounding is exact.
 */

const view = new DataView(new ArrayBuffer(8));

/** x = mantissa × 2^exponent, for finite x > 0. */
function exactParts(x: number): { mantissa: bigint; exponent: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 }; // subnormal
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** round_half_even(x × 10^digits) for finite x >= 0; digits may be negative. */
function scaledRound(x: number, digits: number): bigint {
  if (x === 0) return 0n;
  const { mantissa, exponent } = exactParts(x);
  let num = mantissa;
  let den = 1n;
  if (digits >= 0) num *= 10n ** BigInt(digits);
  else den *= 10n ** BigInt(-digits);
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  const q = num / den;
  const twiceRest = (num % den) * 2n;
  if (twiceRest > den || (twiceRest === den && q % 2n === 1n)) return q + 1n;
  return q;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** Go's fmt `%.{digits}f`. */
export function goFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = isNegative(x) ? '-' : '';
  const q = scaledRound(Math.abs(x), digits)
    .toString()
    .padStart(digits + 1, '0');
  if (digits === 0) return sign + q;
  return `${sign}${q.slice(0, q.length - digits)}.${q.slice(q.length - digits)}`;
}

/** Go's fmt `%.{precision}g` (shortest digits up to `precision` significant ones, %e for tiny/huge). */
export function goGeneral(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = isNegative(x) ? '-' : '';
  const prec = Math.max(precision, 1);
  const abs = Math.abs(x);
  if (abs === 0) return `${sign}0`;

  // Round to `prec` significant digits; fix the log10 estimate when it is off by one.
  let exp10 = Math.floor(Math.log10(abs));
  let q = scaledRound(abs, prec - 1 - exp10);
  const low = 10n ** BigInt(prec - 1);
  const high = 10n ** BigInt(prec);
  for (let guard = 0; guard < 4 && (q < low || q >= high); guard++) {
    exp10 += q >= high ? 1 : -1;
    q = scaledRound(abs, prec - 1 - exp10);
  }
  if (q >= high) {
    // 9.99 -> 10.0: one more digit than asked for, all but the first are zeros.
    exp10 += 1;
    q /= 10n;
  }
  const digits = q.toString().replace(/0+$/, '');
  const nd = digits.length;
  const dp = exp10 + 1; // position of the decimal point relative to the digits

  // strconv.formatDigits, case 'g' with a fixed precision.
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const shown = Math.min(prec, nd);
    const mantissa = shown > 1 ? `${digits[0]}.${digits.slice(1, shown)}` : digits[0]!;
    const expSign = exp < 0 ? '-' : '+';
    return `${sign}${mantissa}e${expSign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fracDigits = Math.max((prec > dp ? nd : prec) - dp, 0);
  let out = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  if (fracDigits > 0) {
    out += '.';
    for (let i = 0; i < fracDigits; i++) {
      const at = dp + i;
      out += at >= 0 && at < nd ? digits[at] : '0';
    }
  }
  return sign + out;
}

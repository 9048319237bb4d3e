/**
 * Parsers for the time and size values users type on the command line: `--from/--to`
 * (a duration ago, `now`, RFC 3339, or a UTC date-time), Go durations (`--cpu-duration 30s`,
 * `--timeout 10s`) and byte sizes (`--max-profile-size 64MiB`).
 */

/** A `--from`/`--to` value that cannot be read, or a range that ends before it starts. */
export class TimeArgError extends Error {
  override readonly name = 'TimeArgError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

const TIME_FORMS =
  'a duration ago (90s, 15m, 2h, 7d, 1h30m), "now", an RFC 3339 time (2026-11-20T10:00:00Z, 2026-11-20T12:00:00+02:00) ' +
  'or a date-time read as UTC (2026-11-20T10:00:00, 2026-11-20 10:00, 2026-11-20)';

const AGO_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Reads a `--from`/`--to` value relative to `now`: `15m` means 15 minutes before `now`.
 * Throws TimeArgError naming `flag` and listing the accepted forms.
 */
export function parseTimeArg(value: string, now: Date, flag = '--from'): Date {
  const text = value.trim();
  const fail = (why: string): never => {
    throw new TimeArgError(flag, `${flag} ${JSON.stringify(value)}: ${why}; use ${TIME_FORMS}`);
  };
  if (text === '') return fail('empty value');
  if (text.toLowerCase() === 'now') return new Date(now.getTime());

  if (/^[0-9.]+[a-z]/i.test(text) && !/^\d{4}-/.test(text)) {
    const ago = parseAgo(text);
    if (ago === undefined) return fail('not a duration');
    return new Date(now.getTime() - ago);
  }

  const m = DATE_TIME.exec(text);
  if (!m) return fail('not a time');
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac = '', z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (month < 1 || month > 12) return fail(`month ${mo} is out of range`);
  if (day < 1 || day > daysInMonth(year, month)) return fail(`day ${d} is out of range for ${y}-${mo}`);
  if (hour > 23 || minute > 59 || second > 59) return fail(`time ${hh}:${mi}:${ss} is out of range`);
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (z === undefined && sign !== undefined) {
    if (Number(oh) > 23 || Number(om) > 59) return fail(`offset ${sign}${oh}:${om} is out of range`);
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0-99 as typed
  date.setUTCHours(hour, minute, second, ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** `1h30m`, `90s`, `7d`, `1.5h`: units ms, s, m, h, d, w; returns milliseconds. */
function parseAgo(text: string): number | undefined {
  const part = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let at = 0;
  for (let m = part.exec(text); m !== null; m = part.exec(text)) {
    total += Number(m[1]) * AGO_UNITS_MS[m[2]!]!;
    at = part.lastIndex;
  }
  if (at !== text.length || at === 0) return undefined;
  return total;
}

export interface TimeRangeInput {
  from?: string;
  to?: string;
}

/** `--from` (default 24h ago) and `--to` (default now); `from` must not be after `to`. */
export function parseTimeRange(input: TimeRangeInput, now: Date): { from: Date; to: Date } {
  const from = parseTimeArg(input.from ?? '24h', now, '--from');
  const to = parseTimeArg(input.to ?? 'now', now, '--to');
  if (from.getTime() > to.getTime()) {
    throw new TimeArgError(
      '--from',
      `--from ${from.toISOString()} is after --to ${to.toISOString()}: the range must start before it ends (e.g. --from 2h --to 1h)`,
    );
  }
  return { from, to };
}

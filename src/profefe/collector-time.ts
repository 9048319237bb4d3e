/**
 * The profefe collector's time formats (docs/profefe-api.md):
 * - query parameters `from`, `to`, `created_at`: exactly `YYYY-MM-DDTHH:MM:SS`, read as UTC (no `Z`,
 *   no offset, no fractional seconds; anything else is a 400 `time in unsupported format`);
 * - `created_at` in replies: RFC 3339 UTC with whole seconds, e.g. `2019-05-30T21:10:05Z`.
 */

const QUERY_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const CREATED_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;

/** `2019-05-30T21:10:05` for the whole second that contains `date` (fractions are dropped). */
export function formatCollectorTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatCollectorTime: invalid Date');
  return date.toISOString().slice(0, 19);
}

/**
 * The `from` bound of a query: the start of the second that contains `date`, so profiles created
 * within that second are included.
 */
export function formatFromBound(date: Date): string {
  return formatCollectorTime(date);
}

/**
 * The `to` bound of a query. The collector compares at nanosecond precision, so `to=21:10:05`
 * excludes a profile created at 21:10:05.499 (which it lists as `created_at: 21:10:05Z`). The bound
 * sent is therefore the next whole second: every profile created within the second of `date` is
 * included, including one whose listed `created_at` was passed back as `to`.
 */
export function formatToBound(date: Date): string {
  const wholeSecond = Math.floor(date.getTime() / 1000) * 1000;
  return formatCollectorTime(new Date(wholeSecond + 1000));
}

/** Parses `YYYY-MM-DDTHH:MM:SS` as UTC; `undefined` for anything else (the collector's 400). */
export function parseCollectorTime(text: string): Date | undefined {
  const m = QUERY_TIME.exec(text);
  return m ? dateFromParts(m) : undefined;
}

/** Parses a reply's `created_at` (RFC 3339 UTC, e.g. `2019-05-30T21:10:05Z`). */
export function parseCreatedAt(text: string): Date | undefined {
  const m = CREATED_AT.exec(text);
  return m ? dateFromParts(m) : undefined;
}

/** RFC 3339 UTC with whole seconds, as the collector writes `created_at`. */
export function formatCreatedAt(date: Date): string {
  return `${formatCollectorTime(date)}Z`;
}

function dateFromParts(m: RegExpExecArray): Date | undefined {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Date.UTC rolls 2019-02-30 over to March: reject days that do not exist.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
  // Years 0-99 are mapped to 1900-1999 by Date.UTC.
  if (date.getUTCFullYear() !== year) date.setUTCFullYear(year);
  return date;
}

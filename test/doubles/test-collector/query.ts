/**
 * Query parameter parsing as the profefe collector does it (Go): times in exactly
 * `YYYY-MM-DDTHH:MM:SS` (UTC), labels as `k=v,k2=v2` with each key and value passed through
 * `url.QueryUnescape` (`+` is a space, a bad `%` escape is an error), empty keys dropped.
 * Written independently of src/profefe so the double does not share the client's bugs.
 */

export const COLLECTOR_TYPES = ['cpu', 'heap', 'block', 'mutex', 'goroutine', 'threadcreate', 'other', 'trace'] as const;
export type StoredType = (typeof COLLECTOR_TYPES)[number];

export function isCollectorType(value: string | null): value is StoredType {
  return value !== null && (COLLECTOR_TYPES as readonly string[]).includes(value);
}

export interface Label {
  key: string;
  value: string;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Nanoseconds since the epoch, or undefined for anything the collector answers 400 to. */
export function parseQueryTime(text: string): bigint | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  // Go's zero time (0001-01-01T00:00:00) is refused like a malformed one.
  if (y === 1 && mo === 1 && d === 1 && h === 0 && mi === 0 && s === 0) return undefined;
  return BigInt(date.getTime()) * 1_000_000n;
}

/** RFC 3339 UTC with whole seconds, as Go formats `created_at`. */
export function formatCreatedAt(nanos: bigint): string {
  const seconds = nanos >= 0n ? nanos / 1_000_000_000n : (nanos - 999_999_999n) / 1_000_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Go's `url.QueryUnescape`. */
export function queryUnescape(text: string): { value: string } | { error: string } {
  const bytes: number[] = [];
  const input = Buffer.from(text, 'utf8');
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as number;
    if (c === 0x25 /* % */) {
      const hex = input.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        return { error: `invalid URL escape ${JSON.stringify(input.subarray(i, i + 3).toString('utf8'))}` };
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b /* + */) {
      bytes.push(0x20);
    } else {
      bytes.push(c);
    }
  }
  return { value: Buffer.from(bytes).toString('utf8') };
}

/** profefe's `Labels.FromString`: sorted by key, empty keys skipped. */
export function parseLabelsParam(text: string): { labels: Label[] } | { error: string } {
  const labels: Label[] = [];
  let rest = text;
  while (rest !== '') {
    const [chunk, after] = split2(rest, ',');
    rest = after;
    const [rawKey, rawValue] = split2(chunk, '=');
    const key = queryUnescape(rawKey.trim());
    if ('error' in key) return key;
    if (key.value === '') continue;
    const value = queryUnescape(rawValue.trim());
    if ('error' in value) return value;
    labels.push({ key: key.value, value: value.value });
  }
  labels.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { labels };
}

/** Every label of `wanted` is carried by `labels` (profefe's `Labels.Include`). */
export function includesLabels(labels: readonly Label[], wanted: readonly Label[]): boolean {
  const have = new Map(labels.map((l) => [l.key, l.value]));
  return wanted.every((w) => have.get(w.key) === w.value);
}

function split2(text: string, ch: string): [string, string] {
  const i = text.indexOf(ch);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

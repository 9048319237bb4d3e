/**
 * Labels in the `k=v,k2=v2` form the profefe collector takes in its `labels` parameter, and users
 * write in flags and annotations. The collector splits on `,` then on the first `=`, and
 * URL-unescapes each key and value (Go `url.QueryUnescape`, where `+` is a space), so `,` `=` `%`
 * (and `+`) inside a key or value must be percent-escaped.
 */

/** A label as the collector returns it. */
export interface LabelPair {
  key: string;
  value: string;
}

/**
 * `{b: '1', a: 'x,y'}` -> `a=x%2Cy,b=1`: sorted by key, each key and value escaped with
 * encodeURIComponent (which covers `, = % +` and spaces). An empty key cannot be stored (the
 * collector drops it), so it is refused.
 */
export function encodeLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort(compareStrings);
  return keys
    .map((key) => {
      if (key === '') throw new RangeError('a label with an empty key cannot be sent to profefe');
      return `${encodeURIComponent(key)}=${encodeURIComponent(labels[key] ?? '')}`;
    })
    .join(',');
}

export type ParsedLabels = { labels: Record<string, string> } | { error: string };

/**
 * Parses `k=v,k2=v2` (from a flag, an annotation or a collector query). Whitespace around pairs is
 * ignored, empty pairs are skipped, the value may be empty, and `%XX` escapes are decoded so a `,`
 * or `=` can be written `%2C` / `%3D` (a literal `%` is `%25`). Returns the first problem as text
 * that names the offending pair.
 */
export function parseLabels(text: string): ParsedLabels {
  const labels = new Map<string, string>();
  for (const rawPair of text.split(',')) {
    const pair = rawPair.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) return { error: `label "${pair}" is not key=value` };
    const key = decode(pair.slice(0, eq).trim());
    const value = decode(pair.slice(eq + 1).trim());
    if (key === undefined || value === undefined) {
      return { error: `label "${pair}" has a % that is not an escape: write % as %25, , as %2C and = as %3D` };
    }
    if (key === '') return { error: `label "${pair}" has an empty key` };
    if (labels.has(key)) return { error: `label "${key}" is given twice` };
    labels.set(key, value);
  }
  // fromEntries defines own properties, so even a key named `__proto__` stays a plain label.
  return { labels: Object.fromEntries(labels) };
}

/** Label pairs (as the collector lists them) as a plain object. */
export function labelsToRecord(pairs: readonly LabelPair[]): Record<string, string> {
  return Object.fromEntries(pairs.map(({ key, value }) => [key, value]));
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Byte-wise order, as Go's `sort` orders label keys (not locale order). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

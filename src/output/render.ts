/**
 * `-o table|wide|json|yaml` for lists, as kubectl offers them. Tables show the given columns
 * (wide adds the wide ones); json and yaml print every item in full, with object keys sorted so
 * scripts see the same order on every run.
 */
import { stringify } from 'yaml';
import { formatTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

export interface Column<T> {
  /** Header as written; printed upper-case. */
  readonly header: string;
  readonly value: (item: T) => string;
}

export interface RenderOptions<T> {
  readonly output: OutputFormat;
  readonly columns: readonly Column<T>[];
  /** Added after `columns` with `-o wide`. */
  readonly wideColumns?: readonly Column<T>[];
  /** What json/yaml print for an item; default: the item itself. */
  readonly toData?: (item: T) => unknown;
}

/**
 * Renders items. Table and wide output of an empty list is '' (kubectl prints nothing on stdout
 * and "No resources found" on stderr: that message is the caller's). json is an array, yaml a
 * sequence (`[]` when empty); both end with a newline.
 */
export function renderList<T>(items: readonly T[], options: RenderOptions<T>): string {
  switch (options.output) {
    case 'json':
    case 'yaml': {
      const data = items.map((item) => sortKeys(toPlain(options.toData ? options.toData(item) : item)));
      if (options.output === 'json') return `${JSON.stringify(data, null, 2)}\n`;
      return stringify(data);
    }
    case 'table':
    case 'wide': {
      if (items.length === 0) return '';
      const columns = options.output === 'wide' ? [...options.columns, ...(options.wideColumns ?? [])] : options.columns;
      return formatTable(
        columns.map((c) => c.header),
        items.map((item) => columns.map((c) => c.value(item))),
      );
    }
    default: {
      const unknown: never = options.output;
      throw new Error(`unknown output format ${String(unknown)}: use one of ${OUTPUT_FORMATS.join(', ')}`);
    }
  }
}

/** JSON values only: Dates become RFC 3339 strings, undefined members disappear, bigints become numbers. */
function toPlain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

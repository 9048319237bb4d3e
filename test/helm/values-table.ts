/**
 * The chart README's values table, made from the `# --` comments of values.yaml the way
 * helm-docs makes it: a key whose comment block has a line starting with `-- ` is documented
 * by that line and the comment lines after it; its default is its value in values.yaml.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';

export interface ValueRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function describe(comment: string | null | undefined): string | undefined {
  if (comment == null) return undefined;
  const lines = comment.split('\n').map((line) => line.replace(/^ /, ''));
  const start = lines.findLastIndex((line) => line.startsWith('-- '));
  if (start === -1) return undefined;
  return lines
    .slice(start)
    .map((line, i) => (i === 0 ? line.slice(3) : line).trim())
    .filter((line) => line !== '')
    .join(' ');
}

function typeOf(node: unknown): string {
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'list';
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
    if (value === null) return 'null';
    return 'string';
  }
  return 'string';
}

export interface ValuesDoc {
  readonly rows: ValueRow[];
  /** Leaf keys (scalars, lists, empty maps) with no description on themselves or an ancestor. */
  readonly undocumented: string[];
}

export function documentValues(valuesYaml: string): ValuesDoc {
  const doc = parseDocument(valuesYaml);
  const rows: ValueRow[] = [];
  const undocumented: string[] = [];

  function walk(map: YAMLMap, prefix: string, ancestorDocumented: boolean): void {
    map.items.forEach((pair, i) => {
      if (!isScalar(pair.key)) throw new Error(`values.yaml: non-scalar key under ${prefix || 'the top'}`);
      const key = prefix === '' ? String(pair.key.value) : `${prefix}.${String(pair.key.value)}`;
      // The yaml library hangs the comment above a map's first key on the map itself.
      const comment = pair.key.commentBefore ?? (i === 0 ? map.commentBefore : undefined);
      const description = describe(comment);
      const value = pair.value as Node | null;
      if (description !== undefined) {
        rows.push({ key, type: typeOf(value), default: JSON.stringify(value === null ? null : (value.toJSON() as unknown)), description });
      }
      if (isMap(value) && value.items.length > 0) {
        walk(value, key, ancestorDocumented || description !== undefined);
      } else if (description === undefined && !ancestorDocumented) {
        undocumented.push(key);
      }
    });
  }

  if (!isMap(doc.contents)) throw new Error('values.yaml: not a map');
  walk(doc.contents, '', false);
  return { rows, undocumented };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown table of documented values. */
export function valuesTable(valuesYaml: string): string {
  const lines = ['| Key | Type | Default | Description |', '|-----|------|---------|-------------|'];
  for (const row of documentValues(valuesYaml).rows) {
    lines.push(`| ${cell(row.key)} | ${row.type} | \`${cell(row.default)}\` | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

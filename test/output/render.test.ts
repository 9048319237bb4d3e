import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isOutputFormat, renderList, type Column } from '../../src/output/render.js';
import { formatTable } from '../../src/output/table.js';

interface Item {
  id: string;
  service: string;
  type: string;
  labels: Record<string, string>;
  createdAt: Date;
}

const ITEMS: Item[] = [
  { id: 'dc150ar8di19klb9s89g', service: 'web', type: 'cpu', labels: { pod: 'web-1', namespace: 'default' }, createdAt: new Date('2026-11-20T10:00:00Z') },
  {
    id: 'dc150ar8di19klb9s8a0',
    type: 'heap',
    service: 'api',
    labels: { namespace: 'prod', container: 'app', pod: 'api-0' },
    createdAt: new Date('2026-11-20T11:30:05Z'),
  },
];
const COLUMNS: Column<Item>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'type', value: (i) => i.type },
  { header: 'service', value: (i) => i.service },
];
const WIDE: Column<Item>[] = [
  {
    header: 'labels',
    value: (i) =>
      Object.entries(i.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
  },
];

describe('renderList', () => {
  it('table: the columns, as formatTable prints them', () => {
    const text = renderList(ITEMS, { output: 'table', columns: COLUMNS, wideColumns: WIDE });
    expect(text).toBe(
      formatTable(
        ['id', 'type', 'service'],
        ITEMS.map((i) => [i.id, i.type, i.service]),
      ),
    );
    expect(text).not.toContain('LABELS');
  });

  it('wide: the wide columns after the others', () => {
    const text = renderList(ITEMS, { output: 'wide', columns: COLUMNS, wideColumns: WIDE });
    expect(text.split('\n')[0]).toMatch(/^ID +TYPE +SERVICE +LABELS$/);
    expect(text).toContain('pod=web-1,namespace=default');
  });

  it('table and wide of an empty list print nothing (the caller says "No resources found")', () => {
    expect(renderList([], { output: 'table', columns: COLUMNS })).toBe('');
    expect(renderList([], { output: 'wide', columns: COLUMNS })).toBe('');
  });

  it('json: every field, keys sorted at every level, dates as RFC 3339', () => {
    const text = renderList(ITEMS, { output: 'json', columns: COLUMNS });
    const data = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(data).toHaveLength(2);
    expect(Object.keys(data[1]!)).toEqual(['createdAt', 'id', 'labels', 'service', 'type']);
    expect(Object.keys(data[1]!.labels as object)).toEqual(['container', 'namespace', 'pod']);
    expect(data[0]!.createdAt).toBe('2026-11-20T10:00:00.000Z');
    expect(text.endsWith('}\n]\n')).toBe(true);
    // Stable: the same items built with keys in another order print the same bytes.
    const shuffled = ITEMS.map((i) => ({ labels: { ...i.labels }, type: i.type, createdAt: i.createdAt, service: i.service, id: i.id }));
    expect(renderList(shuffled, { output: 'json', columns: [] })).toBe(text);
  });

  it('yaml: the same data as json, keys sorted', () => {
    const yamlText = renderList(ITEMS, { output: 'yaml', columns: COLUMNS });
    expect(parse(yamlText)).toEqual(JSON.parse(renderList(ITEMS, { output: 'json', columns: COLUMNS })));
    expect(yamlText.indexOf('createdAt')).toBeLessThan(yamlText.indexOf('id:'));
    expect(renderList([], { output: 'yaml', columns: COLUMNS })).toBe('[]\n');
    expect(renderList([], { output: 'json', columns: COLUMNS })).toBe('[]\n');
  });

  it('toData chooses what json and yaml print', () => {
    const text = renderList(ITEMS, { output: 'json', columns: COLUMNS, toData: (i) => ({ id: i.id, n: 1n }) });
    expect(JSON.parse(text)).toEqual([
      { id: ITEMS[0]!.id, n: 1 },
      { id: ITEMS[1]!.id, n: 1 },
    ]);
  });

  it('knows its formats', () => {
    expect(['table', 'wide', 'json', 'yaml'].every(isOutputFormat)).toBe(true);
    expect(isOutputFormat('xml')).toBe(false);
    expect(() => renderList(ITEMS, { output: 'xml' as never, columns: COLUMNS })).toThrow(/unknown output format xml/);
  });
});

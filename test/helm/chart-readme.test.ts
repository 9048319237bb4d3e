import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README, readmeWithTable } from './generated.js';
import { CHART_DIR } from './render-chart.js';
import { documentValues } from './values-table.js';

const valuesYaml = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');

describe('chart README and values.yaml comments', () => {
  it('documents every value with a # -- comment (on itself or an enclosing key)', () => {
    const { rows, undocumented } = documentValues(valuesYaml);
    expect(undocumented).toEqual([]);
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) expect(row.description.length, row.key).toBeGreaterThan(5);
  });

  it('has the values table made from values.yaml (regenerate: npx tsx test/helm/write-generated.ts)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(readmeWithTable(readme));
    expect(readme).toContain('| scrape.concurrency | int | `32` | Profile downloads and uploads in flight (`--concurrency`). |');
  });

  it('reads a # -- comment and its continuation lines, and finds undocumented keys', () => {
    const doc = documentValues(['# -- First line', '# and more.', 'a: 1', 'b:', '  # -- Inner', '  c: [x]', '  d: {}', 'e: true', ''].join('\n'));
    expect(doc.rows).toEqual([
      { key: 'a', type: 'int', default: '1', description: 'First line and more.' },
      { key: 'b.c', type: 'list', default: '["x"]', description: 'Inner' },
    ]);
    expect(doc.undocumented).toEqual(['b.d', 'e']);
  });
});

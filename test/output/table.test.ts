import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/output/table.js';
import { seededRandom } from '../pprof/synthetic-profile.js';
import { goTabwriter } from '../query/go-stdlib.js';

/** kubectl's table: its cells through Go's text/tabwriter (minwidth 6, padding 3), lines right-trimmed. */
async function kubectlTable(headers: string[], rows: string[][]): Promise<string> {
  const text = [headers.map((h) => h.toUpperCase()), ...rows].map((cells) => `${cells.join('\t')}\n`).join('');
  const out = await goTabwriter(text);
  return out
    .split('\n')
    .map((line) => line.replace(/ +$/, ''))
    .join('\n');
}

describe('formatTable prints like kubectl (Go text/tabwriter, minwidth 6, padding 3)', () => {
  it('upper-cases headers, pads columns by 3, leaves the last column unpadded', async () => {
    const headers = ['name', 'namespace', 'age'];
    const rows = [
      ['web-7d9f', 'default', '5m'],
      ['api-server-long-name', 'kube-system', '12d'],
    ];
    const text = formatTable(headers, rows);
    expect(text).toBe(await kubectlTable(headers, rows));
    expect(text.split('\n')[0]).toBe('NAME                   NAMESPACE     AGE');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps narrow columns at least 6 wide, and counts characters, not bytes', async () => {
    const headers = ['id', 'ok', 'note'];
    const rows = [
      ['1', 'y', 'short'],
      ['22', 'n', 'naïve café ☕'],
      ['日本', '', ''],
    ];
    expect(formatTable(headers, rows)).toBe(await kubectlTable(headers, rows));
    expect(formatTable(headers, rows).split('\n')[1]).toBe('1     y     short');
  });

  it('handles empty cells, empty last columns and rows shorter than the header', async () => {
    const headers = ['a', 'b', 'c', 'd'];
    const rows = [['x', '', 'zzzzzzzzz', ''], ['only'], ['p', 'q'], ['', '', '', 'last']];
    expect(formatTable(headers, rows)).toBe(await kubectlTable(headers, rows));
  });

  it.each([1, 2, 3, 4, 5])('matches on random tables (seed %i)', async (seed) => {
    const rnd = seededRandom(seed);
    const word = (): string => 'abcdefghijklmnopqrstuvwxyz-0123456789'.slice(0, Math.floor(rnd() * 30));
    const columns = 1 + Math.floor(rnd() * 7);
    const headers = Array.from({ length: columns }, () => word() || 'h');
    const rows = Array.from({ length: Math.floor(rnd() * 20) }, () => Array.from({ length: rnd() < 0.15 ? Math.floor(rnd() * columns) + 1 : columns }, word));
    expect(formatTable(headers, rows)).toBe(await kubectlTable(headers, rows));
  });

  it('replaces tabs and newlines inside cells so they cannot break the columns', () => {
    expect(formatTable(['k'], [['a\tb\nc']])).toBe('K\na b c\n');
  });
});

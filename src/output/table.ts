/**
 * Tables as kubectl prints them: upper-case headers, no borders, left-aligned columns.
 * kubectl writes each row as tab-separated cells into Go's text/tabwriter with minwidth 6,
 * padding 3 and pad character ' ' (k8s.io/cli-runtime printers.GetNewTabWriter), so a column is
 * as wide as its widest cell plus 3, and never narrower than 6; the last column is not padded.
 * This is that algorithm, with trailing spaces trimmed from every line.
 */

const MIN_WIDTH = 6;
const PADDING = 3;

/** Go's tabwriter counts runes (UTF-8 code points). */
function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Aligns lines of tab-separated cells like text/tabwriter (flags 0): a cell followed by a tab is
 * part of a column; the text after a line's last tab is not aligned. Columns are computed per
 * block of consecutive lines that have that column, as tabwriter does.
 */
export function alignTabbed(lines: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let text = '';
      cells.forEach((cell, j) => {
        text += cell;
        if (j < widths.length && j < cells.length - 1) text += ' '.repeat(Math.max(widths[j]! - runeCount(cell), 0));
      });
      out.push(text);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      // A block of lines that all have a cell in this column begins at i.
      writeLines(start, i);
      start = i;
      let width = MIN_WIDTH;
      for (; i < line1; i++) {
        const cells = lines[i]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, runeCount(cells[column]!) + PADDING);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      i--; // the loop's i++ must look at line i again
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out;
}

/**
 * `formatTable(['name', 'age'], [['web-1', '5m']])` ->
 * "NAME    AGE\nweb-1   5m\n". Cells must not contain tabs or newlines (they are replaced by spaces).
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (cell: string): string => cell.replace(/[\t\r\n]+/g, ' ');
  const lines = [headers.map((h) => clean(h).toUpperCase()), ...rows.map((row) => row.map(clean))];
  return alignTabbed(lines)
    .map((line) => line.replace(/ +$/, ''))
    .join('\n')
    .concat(lines.length > 0 ? '\n' : '');
}

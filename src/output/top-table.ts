/**
 * Renders a TopReport the way `go tool pprof -top` prints it: the header lines, then
 * `      flat  flat%   sum%        cum   cum%` and one line per function.
 */
import type { TopReport } from '../pprof/top.js';

export interface FormatTopOptions {
  /** Print pprof's profile lines (File, Type, Time, Duration) above the report lines. Default true. */
  profileLabels?: boolean;
}

export function formatTop(report: TopReport, options: FormatTopOptions = {}): string {
  const lines: string[] = [];
  if (options.profileLabels !== false) lines.push(...report.profileLabels);
  lines.push(...report.reportLabels);
  lines.push(`${'flat'.padStart(10)} ${'flat'.padStart(5)}% ${'sum'.padStart(5)}% ${'cum'.padStart(10)} ${'cum'.padStart(5)}%`);
  for (const row of report.rows) {
    const inline = row.inline !== '' ? ` (${row.inline})` : '';
    lines.push(`${row.flatText.padStart(10)} ${row.flatPercent} ${row.sumPercent} ${row.cumText.padStart(10)} ${row.cumPercent}  ${row.name}${inline}`);
  }
  return lines.join('\n') + '\n';
}

/** Values and times as the pages print them: sample values in pprof's units, times in UTC. */
import { percentage, scale, scaledLabel } from '../pprof/measurement.js';

/** `2026-12-04 20:31:05Z` */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A value in `unit` printed as pprof prints it in `outputUnit` (`1.20s`, `512kB`). */
export function formatValue(value: number, unit: string, outputUnit: string): string {
  return scaledLabel(value, unit, outputUnit);
}

/** One unit for a whole column, the one `largest` reads best in (`s`, `MB`); counts stay as they are. */
export function tableUnit(largest: number, unit: string): string {
  const [, best] = scale(Math.abs(largest), unit, 'auto');
  return best === '' ? 'minimum' : best;
}

/** A signed change: `+1.20s`, `-512kB`, `0`. */
export function formatChange(value: number, unit: string, outputUnit: string): string {
  if (value === 0) return '0';
  const text = scaledLabel(Math.abs(value), unit, outputUnit);
  return `${value > 0 ? '+' : '-'}${text}`;
}

export function formatPercent(value: number, total: number): string {
  return percentage(value, total).trim();
}

/** A change as a share of the base: `+21.28%`, `-94.33%`. */
export function formatPercentChange(value: number, total: number): string {
  const text = formatPercent(value, total);
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

/** `1 profile`, `3 profiles` */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Runs the real `go tool pprof -top` (goToolPprof in test/doubles/go-tools.ts) and parses what it
 * prints, so tests compare our numbers with pprof's on every run instead of with numbers copied from it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { goToolPprof } from '../doubles/go-tools.js';

export interface PprofTopRow {
  flat: string;
  flatPercent: string;
  sumPercent: string;
  cum: string;
  cumPercent: string;
  name: string;
  inline: '' | 'inline' | 'partial-inline';
}

export interface PprofTop {
  /** Everything pprof printed on stdout. */
  stdout: string;
  /** Lines above the column header: File/Type/Time/Duration, then Showing/Dropped lines. */
  header: string[];
  rows: PprofTopRow[];
}

const COLUMN_HEADER = '      flat  flat%   sum%        cum   cum%';
const ROW = /^ *(\S+) +(\S+%) +(\S+%) +(\S+) +(\S+%)  (.*?)(?: \((inline|partial-inline)\))?$/;

/** `go tool pprof -top [args] file` (run with TZ=UTC: pprof prints the profile time in local time), parsed. */
export async function goPprofTop(file: string, args: readonly string[] = []): Promise<PprofTop> {
  return parsePprofTop(await goToolPprof(['-top', ...args, file]));
}

export function parsePprofTop(stdout: string): PprofTop {
  const lines = stdout.replace(/\n$/, '').split('\n');
  const headerEnd = lines.indexOf(COLUMN_HEADER);
  if (headerEnd < 0) throw new Error(`no column header in pprof output:\n${stdout}`);
  const rows = lines.slice(headerEnd + 1).map((line) => {
    const m = ROW.exec(line);
    if (!m) throw new Error(`unparsable pprof row: ${JSON.stringify(line)}`);
    return {
      flat: m[1]!,
      flatPercent: m[2]!,
      sumPercent: m[3]!,
      cum: m[4]!,
      cumPercent: m[5]!,
      name: m[6]!,
      inline: (m[7] ?? '') as PprofTopRow['inline'],
    };
  });
  return { stdout, header: lines.slice(0, headerEnd), rows };
}

/** Writes bytes to a temporary file for pprof and removes it afterwards. */
export async function withTempFile<T>(bytes: Uint8Array, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'kprofefe-pprof-'));
  try {
    const file = join(dir, 'profile.pb.gz');
    writeFileSync(file, bytes);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FACTORS: Record<string, number> = {
  B: 1,
  kB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  PB: 2 ** 50,
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  hrs: 3600e9,
};

/**
 * A value pprof printed (`1.23MB`, `10ms`, `42`) in the sample's base unit (bytes, nanoseconds,
 * count), with the half-unit of the last printed digit it may be off by.
 */
export function parsePprofValue(text: string): { value: number; tolerance: number } {
  const m = /^(-?[0-9.]+)([a-zA-Z]*)$/.exec(text);
  if (!m) throw new Error(`not a pprof value: ${text}`);
  // A unit pprof does not scale (count, or a custom one like "widget") is printed as is.
  const factor = FACTORS[m[2]!] ?? 1;
  const decimals = m[1]!.includes('.') ? m[1]!.split('.')[1]!.length : 0;
  return { value: Number(m[1]) * factor, tolerance: 0.5 * 10 ** -Math.max(decimals, 0) * factor * (decimals === 0 && factor !== 1 ? 0.01 : 1) + 1e-6 };
}

/** Asserts that `value` (in the sample's base unit) is what pprof printed as `text`, within its rounding. */
export function expectPrintedAs(value: number, text: string): void {
  const printed = parsePprofValue(text);
  expect(Math.abs(value - printed.value)).toBeLessThanOrEqual(printed.tolerance);
}

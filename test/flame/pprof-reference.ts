/**
 * What `go tool pprof` says about a profile, in the shape a flame graph is checked against: every
 * function's cum value (-top -cum, no node dropped, values in the base unit so nothing is rounded)
 * and every sample's stack with its value (-traces), parsed from what pprof prints.
 */
import { goToolPprof } from '../doubles/go-tools.js';
import { goPprofTop, parsePprofValue } from '../pprof/go-pprof.js';

/** The unit flag that makes pprof print exact integers in the sample's own unit. */
export function exactUnit(sampleUnit: string): string[] {
  if (sampleUnit === 'nanoseconds') return ['-unit=ns'];
  if (sampleUnit === 'bytes') return ['-unit=B'];
  return [];
}

export interface PprofCum {
  /** pprof's total (a diff: the base's), from "… of X total". */
  readonly total: number;
  /** "Showing nodes accounting for X": with -focus, the samples that pass through a matching function. */
  readonly accountedFor: number;
  readonly cum: ReadonlyMap<string, number>;
  /** cum% as pprof prints it, e.g. `95.74%`. */
  readonly cumPercent: ReadonlyMap<string, string>;
}

/** `go tool pprof -top -cum -nodefraction=0 [args] file`: every function's cum. */
export async function pprofCum(file: string, args: readonly string[]): Promise<PprofCum> {
  const top = await goPprofTop(file, ['-cum', '-nodefraction=0', '-edgefraction=0', ...args]);
  const cum = new Map<string, number>();
  const cumPercent = new Map<string, string>();
  for (const row of top.rows) {
    cum.set(row.name, exact(row.cum));
    cumPercent.set(row.name, row.cumPercent.trim());
  }
  const showing = top.header.find((line) => line.startsWith('Showing nodes accounting for'));
  const m = /accounting for (\S+), .* of (\S+) total$/.exec(showing ?? '');
  if (m === null) throw new Error(`no total in pprof's header:\n${top.header.join('\n')}`);
  return { total: exact(m[2]!), accountedFor: exact(m[1]!), cum, cumPercent };
}

export interface PprofTrace {
  readonly value: number;
  /** Function names, caller-most first (as a flame graph stacks them). */
  readonly stack: readonly string[];
}

const SEPARATOR = /^-+\+-+$/;
const VALUE_LINE = /^ *(-?[0-9.]+[a-zA-Z]*) {3}(.*)$/;
const FRAME_LINE = /^ {13}(\S.*)$/;

/** `go tool pprof -traces [args] file`: every sample's stack and value. */
export async function pprofTraces(file: string, args: readonly string[]): Promise<PprofTrace[]> {
  const out = await goToolPprof(['-traces', ...args, file]);
  const traces: PprofTrace[] = [];
  let current: { value: number; frames: string[] } | undefined;
  const flush = (): void => {
    if (current !== undefined) traces.push({ value: current.value, stack: current.frames.reverse() });
    current = undefined;
  };
  for (const line of out.split('\n')) {
    if (SEPARATOR.test(line)) {
      flush();
      continue;
    }
    const frame = FRAME_LINE.exec(line);
    if (current !== undefined && frame !== null) {
      current.frames.push(functionName(frame[1]!));
      continue;
    }
    const value = VALUE_LINE.exec(line);
    if (value !== null && current === undefined) current = { value: exact(value[1]!), frames: [functionName(value[2]!)] };
  }
  flush();
  return traces;
}

/** A name as -top and -traces print it, without the (inline) marks. */
function functionName(text: string): string {
  return text.replace(/ \((inline|partial-inline)\)$/, '');
}

/** A value pprof printed in the base unit: an exact integer (or a count). */
function exact(text: string): number {
  const { value } = parsePprofValue(text);
  if (!Number.isInteger(value)) throw new Error(`pprof printed ${text}, not an exact value: give the unit flag`);
  return value;
}

/**
 * pprof's unit scaling and value labels, ported from google/pprof internal/measurement (the
 * version vendored in Go 1.19): bytes scale by 1024 (B, kB, MB, GB, TB, PB), time by 1000
 * (ns, us, ms, s, then hrs), and other units (count) print as plain numbers.
 */
import { goFixed, goGeneral } from './go-float-format.js';

interface Unit {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly factor: number;
}
interface UnitType {
  readonly units: readonly Unit[];
  readonly defaultUnit: Unit;
}

const B: Unit = { name: 'B', aliases: ['b', 'byte'], factor: 1 };
const UNIT_TYPES: readonly UnitType[] = [
  {
    units: [
      B,
      { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
      { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
      { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
      { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
      { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
    ],
    defaultUnit: B,
  },
  {
    units: [
      { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
      { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
      { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
      { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
      { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
    ],
    defaultUnit: { name: 's', aliases: [], factor: 1e9 },
  },
  {
    units: [
      { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
      { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
      { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
      { name: 'GCU', aliases: ['gcu'], factor: 1 },
      { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
      { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
      { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
      { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
      { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
    ],
    defaultUnit: { name: 'GCU', aliases: [], factor: 1 },
  },
];

/** Lower-cases and drops one trailing "s" when longer than 2 bytes (so "bytes" -> "byte"). */
function sniffUnit(type: UnitType, unit: string): Unit | undefined {
  let u = unit.toLowerCase();
  if (Buffer.byteLength(u) > 2 && u.endsWith('s')) u = u.slice(0, -1);
  return type.units.find((candidate) => candidate.aliases.includes(u));
}

function autoScale(type: UnitType, value: number): [number, string] | undefined {
  let factor = 0;
  let name = '';
  for (const u of type.units) {
    if (u.factor >= factor && value / u.factor >= 1.0) {
      factor = u.factor;
      name = u.name;
    }
  }
  return factor === 0 ? undefined : [value / factor, name];
}

function convertUnit(type: UnitType, value: number, fromUnit: string, toUnit: string): [number, string] | undefined {
  const from = sniffUnit(type, fromUnit);
  if (from === undefined) return undefined;
  const v = value * from.factor;
  if (toUnit === 'minimum' || toUnit === 'auto') {
    return autoScale(type, v) ?? [v / type.defaultUnit.factor, type.defaultUnit.name];
  }
  const to = sniffUnit(type, toUnit) ?? type.defaultUnit;
  return [v / to.factor, to.name];
}

/**
 * Converts `value` from `fromUnit` to `toUnit` ("minimum"/"auto" pick the largest unit the value
 * is at least 1 of). Returns the scaled value and the unit to print ('' for counts).
 */
export function scale(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scale(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const type of UNIT_TYPES) {
    const converted = convertUnit(type, value, fromUnit, toUnit);
    if (converted !== undefined) return converted;
  }
  switch (toUnit) {
    case 'count':
    case 'sample':
    case 'unit':
    case 'minimum':
    case 'auto':
      return [value, ''];
    default:
      return [value, toUnit];
  }
}

/** A value as pprof prints it: `1.23MB`, `10ms`, `0`, `42`. */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scale(value, fromUnit, toUnit);
  let text = goFixed(v, 2);
  if (text.endsWith('.00')) text = text.slice(0, -3);
  if (text === '0' || text === '-0') return '0';
  return text + u;
}

/** A value auto-scaled to its best unit, e.g. durations: `3.13s`. */
export function label(value: number, unit: string): string {
  return scaledLabel(value, unit, 'auto');
}

/** pprof's percentage column: `94.33%`, `  100%`, ` 0.71%` (width 5 before the %). */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1.0) return `${goFixed(ratio, 2).padStart(5)}%`;
  return `${goGeneral(ratio, 2).padStart(5)}%`;
}

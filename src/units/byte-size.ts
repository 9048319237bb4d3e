/** Byte sizes: parsed from flags (`64MiB`) and written for people (`3.6 MiB`). */

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
};

/**
 * A byte size: plain bytes (`1048576`, `512B`), binary units (`64Ki`, `64KiB`, `64MiB`, `1GiB`:
 * powers of 1024) or decimal ones (`64K`, `64KB`, `64MB`, `1GB`: powers of 1000), any case.
 * Fractions are accepted when they make whole bytes (`1.5KiB`). Throws an Error saying what is wrong.
 */
export function parseByteSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) throw new Error('not a size');
  const unitName = m[2]!.toLowerCase();
  const factor = SIZE_UNITS[unitName];
  if (factor === undefined) {
    throw new Error(`unknown unit ${JSON.stringify(m[2])} (use B, KiB, MiB, GiB, TiB, or KB, MB, GB, TB)`);
  }
  const bytes = Number(m[1]) * factor;
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(Number.isInteger(bytes) ? 'size out of range' : 'not a whole number of bytes');
  }
  return bytes;
}

/** `64 MiB`, `3.6 MiB`, `12.5 KiB`, `300 bytes`: one decimal at most, none when exact. */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024 * 1024, 'GiB'],
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

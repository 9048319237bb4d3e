import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatBytes, parseByteSize } from '../../src/units/byte-size.js';

describe('parseByteSize equals numfmt (GNU coreutils)', () => {
  const CASES: ReadonlyArray<[ours: string, numfmtArgs: string[]]> = [
    ['64MiB', ['--from=iec-i', '64Mi']],
    ['64Mi', ['--from=iec-i', '64Mi']],
    ['1.5KiB', ['--from=iec-i', '1.5Ki']],
    ['2GiB', ['--from=iec-i', '2Gi']],
    ['1TiB', ['--from=iec-i', '1Ti']],
    ['64MB', ['--from=si', '64M']],
    ['64M', ['--from=si', '64M']],
    ['10KB', ['--from=si', '10K']],
    ['3GB', ['--from=si', '3G']],
    ['1048576', ['--from=none', '1048576']],
    ['0', ['--from=none', '0']],
  ];

  it.each(CASES)('%s', (ours, args) => {
    const expected = Number(execFileSync('numfmt', args).toString().trim());
    expect(parseByteSize(ours)).toBe(expected);
  });

  it('accepts plain bytes with B, any case and a space', () => {
    expect(parseByteSize('512B')).toBe(512);
    expect(parseByteSize('64mib')).toBe(64 * 1024 * 1024);
    expect(parseByteSize('64 MiB')).toBe(64 * 1024 * 1024);
  });

  it('says what is wrong', () => {
    expect(() => parseByteSize('64XB')).toThrow(/unknown unit "XB"/);
    expect(() => parseByteSize('lots')).toThrow(/not a size/);
    expect(() => parseByteSize('-1MiB')).toThrow(/not a size/);
    expect(() => parseByteSize('1.3B')).toThrow(/whole number of bytes/);
    expect(() => parseByteSize('')).toThrow(/not a size/);
  });
});

describe('formatBytes', () => {
  it('writes exact sizes without decimals and others with one', () => {
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
    expect(formatBytes(3_800_000)).toBe('3.6 MiB');
    expect(formatBytes(12_800)).toBe('12.5 KiB');
    expect(formatBytes(300)).toBe('300 bytes');
  });
});

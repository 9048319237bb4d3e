import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { PprofWireError, ProfileWireScanner, profileConsistencyError, type ProfileWireSummary } from '../../src/pprof/pprof-wire.js';
import { fixture, PPROF_FIXTURES } from '../doubles/fixtures.js';

// A minimal protobuf encoder, to write exactly the bytes a case needs.
function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, value: number | bigint): number[] => [...tag(field, 0), ...varint(value)];
const len = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, text: string): number[] => len(field, [...Buffer.from(text)]);
const packed = (field: number, values: number[]): number[] =>
  len(
    field,
    values.flatMap((v) => varint(v)),
  );

/** A small valid profile: one sample type (samples/count), `samples` samples of one value each. */
function profileBytes(opts: { samples?: number; extra?: number[]; strings?: string[] } = {}): number[] {
  const strings = opts.strings ?? ['', 'samples', 'count', 'main'];
  return [
    ...len(1, [...int(1, 1), ...int(2, 2)]),
    ...Array.from({ length: opts.samples ?? 2 }, (_, i) => len(2, [...packed(1, [1]), ...packed(2, [i + 5])])).flat(),
    ...len(4, [...int(1, 1), ...len(4, [...int(1, 1), ...int(2, 42)])]),
    ...len(5, [...int(1, 1), ...int(2, 3)]),
    ...strings.flatMap((s) => str(6, s)),
    ...int(9, 1_700_000_000_000_000_000n),
    ...(opts.extra ?? []),
  ];
}

function scan(bytes: Uint8Array | number[], chunkSize = Infinity): ProfileWireSummary {
  const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const scanner = new ProfileWireScanner();
  const step = Math.min(chunkSize, Math.max(1, data.length));
  for (let at = 0; at < data.length; at += step) scanner.push(data.subarray(at, at + step));
  return scanner.end();
}

function scanError(bytes: number[]): PprofWireError {
  try {
    scan(bytes);
  } catch (err) {
    if (err instanceof PprofWireError) return err;
    throw err;
  }
  throw new Error('the scan passed');
}

describe('ProfileWireScanner on the real Go profiles', () => {
  it.each(PPROF_FIXTURES)('%s: counts agree with pprof-format and the profile is consistent', (name) => {
    const raw = gunzipSync(fixture(name));
    const decoded = Profile.decode(raw);
    const summary = scan(raw);
    expect(summary.bytes).toBe(raw.length);
    expect(summary.samples).toBe(decoded.sample.length);
    expect(summary.sampleTypes).toBe(decoded.sampleType.length);
    expect(summary.strings).toBe(decoded.stringTable.strings.length);
    expect(summary.samples).toBeGreaterThan(0);
    expect(summary.sampleValues).toEqual({ min: decoded.sampleType.length, max: decoded.sampleType.length });
    expect(profileConsistencyError(summary)).toBeUndefined();
  });

  it('gives the same answer however the bytes are split into chunks', () => {
    const raw = gunzipSync(fixture('cpu-large'));
    const whole = scan(raw);
    for (const size of [1, 2, 3, 7, 10, 64, 1000, 16384]) expect(scan(raw, size)).toEqual(whole);
    const large = gunzipSync(fixture('heap-large'));
    expect(scan(large, 997)).toEqual(scan(large, 65536));
  });

  it('splits of a hand-written profile at every position agree', () => {
    const bytes = Uint8Array.from(profileBytes({ samples: 3, extra: packed(13, [1, 2, 300]) }));
    const whole = scan(bytes);
    expect(whole.samples).toBe(3);
    for (let cut = 1; cut < bytes.length; cut++) {
      const scanner = new ProfileWireScanner();
      scanner.push(bytes.subarray(0, cut));
      scanner.push(bytes.subarray(cut));
      expect(scanner.end()).toEqual(whole);
    }
  });
});

describe('ProfileWireScanner rejects what the Go decoder rejects', () => {
  it.each([
    ['an unknown wire type', [...profileBytes(), ...tag(20, 6)], /unknown wire type 6/],
    ['a group (wire type 3)', [...tag(15, 3)], /unknown wire type 3/],
    ['field number 0', [0x00], /field number 0/],
    ['a scalar sent length-delimited', [...profileBytes(), ...len(9, [1])], /type mismatch: Profile.time_nanos/],
    ['a message sent as a varint', [...int(2, 5)], /type mismatch: Profile.sample/],
    ['a known field as fixed64', [...tag(12, 1), 0, 0, 0, 0, 0, 0, 0, 0], /type mismatch: Profile.period/],
    ['a varint longer than 10 bytes', [...tag(12, 0), ...Array(10).fill(0xff), 0x01], /longer than 10 bytes/],
    ['a nested length past its message', [...len(2, [...tag(2, 2), 5, 1])], /too much data: Profile.sample > Sample.value declares 5 bytes/],
    ['a varint cut by its message end', [...len(2, [...tag(4, 0), 0x80])], /ends inside a varint/],
    ['a packed run cut inside a varint', [...len(2, [...tag(2, 2), 1, 0x80])], /ends inside a varint/],
    ['a fixed32 past its message', [...len(2, [...tag(9, 5), 0, 0])], /not enough data for a fixed32/],
    ["string_table[0] that is not ''", [...str(6, 'x'), ...profileBytes()], /string_table\[0\] must be ''/],
    ['two time_nanos (concatenated profiles)', [...profileBytes(), ...profileBytes()], /concatenated profiles/],
  ])('%s', (_name, bytes, message) => {
    expect(scanError(bytes).message).toMatch(message);
  });

  it.each([
    ['inside a length-delimited field', profileBytes().slice(0, 5), /truncated protobuf: the data ends inside Profile.sample_type/],
    ['inside a varint', [...tag(9, 0), 0x80], /truncated protobuf/],
    ['after a tag', [...profileBytes(), ...tag(12, 0)], /truncated protobuf/],
    ['inside a string', [...profileBytes(), ...tag(6, 2), 10, 65], /9 more bytes were expected/],
  ])('reports data that ends %s', (_name, bytes, message) => {
    expect(scanError(bytes).message).toMatch(message);
  });

  it('skips unknown fields of every valid wire type, as Go does', () => {
    const unknown = [...int(40, 7), ...tag(41, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...str(42, 'x'), ...tag(43, 5), 1, 2, 3, 4];
    const summary = scan([...profileBytes(), ...unknown, ...len(2, [...packed(2, [9]), ...unknown])]);
    expect(summary.samples).toBe(3);
    expect(profileConsistencyError(summary)).toBeUndefined();
  });

  it('accepts unpacked repeated values and counts them', () => {
    const summary = scan([...profileBytes({ samples: 0 }), ...len(2, [...int(1, 1), ...int(2, 3)])]);
    expect(summary.sampleValues).toEqual({ min: 1, max: 1 });
    expect(profileConsistencyError(summary)).toBeUndefined();
  });
});

describe('profileConsistencyError', () => {
  it('flags a sample whose value count differs from the sample types', () => {
    const summary = scan([...profileBytes(), ...len(2, [...packed(2, [1, 2])])]);
    expect(profileConsistencyError(summary)).toBe('sample 2 has 2 values for 1 sample type');
  });

  it('names the first sample whose value count is wrong', () => {
    // Samples 0 and 1 are right (one value), 2 has three, 3 has two.
    const later = [...profileBytes(), ...len(2, [...packed(2, [1, 2, 3])]), ...len(2, [...packed(2, [1, 2])])];
    expect(profileConsistencyError(scan(later))).toBe('sample 2 has 3 values for 1 sample type');
    const first = [
      ...len(1, [...int(1, 1), ...int(2, 2)]),
      ...len(2, [...packed(2, [1, 2])]),
      ...len(2, [...packed(2, [1])]),
      ...['', 'samples', 'count'].flatMap((t) => str(6, t)),
    ];
    expect(profileConsistencyError(scan(first))).toBe('sample 0 has 2 values for 1 sample type');
  });

  it('flags a string index outside the table', () => {
    const summary = scan(profileBytes({ extra: int(14, 4) }));
    expect(profileConsistencyError(summary)).toMatch(/string index 4 is outside the string_table \(4 entries\)/);
    expect(profileConsistencyError(scan(profileBytes({ extra: int(7, -1) })))).toMatch(/string index/);
  });

  it('flags a profile without a string table, and samples without sample types', () => {
    expect(profileConsistencyError(scan(len(2, [...packed(2, [1])])))).toBe('the profile has no string_table');
    expect(profileConsistencyError(scan([...str(6, ''), ...len(2, [...packed(2, [1])])]))).toBe('missing sample type information');
  });
});

describe('ProfileWireScanner top-level mode (nested: false), used for large bodies', () => {
  function scanTop(bytes: Uint8Array | number[]): ProfileWireSummary {
    const scanner = new ProfileWireScanner({ nested: false });
    scanner.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
    return scanner.end();
  }

  it.each(PPROF_FIXTURES)('%s: finds the same samples, sample types and strings as the full scan', (name) => {
    const raw = gunzipSync(fixture(name));
    const full = scan(raw);
    const top = scanTop(raw);
    expect(top.nestedChecked).toBe(false);
    expect(full.nestedChecked).toBe(true);
    expect({ samples: top.samples, sampleTypes: top.sampleTypes, strings: top.strings, bytes: top.bytes }).toEqual({
      samples: full.samples,
      sampleTypes: full.sampleTypes,
      strings: full.strings,
      bytes: full.bytes,
    });
    expect(profileConsistencyError(top)).toBeUndefined();
  });

  it('still rejects top-level damage: a truncated message, a wrong wire type, a bad string_table[0]', () => {
    const good = profileBytes();
    expect(() => scanTop(good.slice(0, good.length - 3))).toThrow(PprofWireError);
    expect(() => scanTop([...good, ...int(2, 7)])).toThrow(/type mismatch: Profile.sample/);
    expect(() => scanTop(profileBytes({ strings: ['x', 'samples', 'count', 'main'] }))).toThrow("string_table[0] must be ''");
  });

  it('does not read inside nested messages: a sample with the wrong number of values passes the top-level check', () => {
    // The documented trade-off: only the full scan (small bodies) sees inside samples.
    const bad = [...profileBytes(), ...len(2, [...packed(1, [1]), ...packed(2, [1, 2])])];
    expect(profileConsistencyError(scan(bad))).toMatch(/sample 2 has 2 values for 1 sample type/);
    expect(profileConsistencyError(scanTop(bad))).toBeUndefined();
  });
});

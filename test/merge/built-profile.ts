/**
 * Builds small pprof profiles (pprof-format's encoder, gzipped) with what the Go fixtures do
 * not have: string and numeric sample labels, negative and huge values, a main binary loaded at
 * another address, header fields (comments, period, time, duration). `go tool pprof` reads them.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';

export interface BuiltLabel {
  readonly key: string;
  readonly str?: string;
  readonly num?: number | bigint;
  readonly unit?: string;
}

export interface BuiltSample {
  /** Function names, leaf first. */
  readonly stack: readonly string[];
  readonly values: readonly (number | bigint)[];
  readonly labels?: readonly BuiltLabel[];
}

export interface BuiltProfileSpec {
  readonly sampleTypes: readonly (readonly [type: string, unit: string])[];
  readonly samples: readonly BuiltSample[];
  readonly periodType?: readonly [string, string];
  readonly period?: number;
  readonly timeNanos?: bigint;
  readonly durationNanos?: number;
  readonly comments?: readonly string[];
  readonly defaultSampleType?: string;
  /** Where the main binary is loaded (default 0x400000); function i's code is at start + 0x1000 + 16 i. */
  readonly mappingStart?: number;
}

export function builtProfile(spec: BuiltProfileSpec): Buffer {
  const strings = new StringTable();
  const s = (value: string): number => strings.dedup(value);
  const start = spec.mappingStart ?? 0x400000;
  const names = [...new Set(spec.samples.flatMap((sample) => sample.stack))];
  const mapping = new Mapping({ id: 1, memoryStart: start, memoryLimit: start + 0x100000, filename: s('/app/built'), hasFunctions: true });
  const functions = names.map((name, i) => new PprofFunction({ id: i + 1, name: s(name), systemName: s(name), filename: s('main.go') }));
  const locations = names.map(
    (_, i) => new Location({ id: i + 1, mappingId: 1, address: start + 0x1000 + 16 * i, line: [new Line({ functionId: i + 1, line: 10 + i })] }),
  );
  const samples = spec.samples.map(
    (sample) =>
      new Sample({
        locationId: sample.stack.map((name) => names.indexOf(name) + 1),
        value: [...sample.values],
        label: (sample.labels ?? []).map(
          (l) => new Label({ key: s(l.key), str: l.str === undefined ? 0 : s(l.str), num: l.num ?? 0, numUnit: l.unit === undefined ? 0 : s(l.unit) }),
        ),
      }),
  );
  const periodType = spec.periodType ?? spec.sampleTypes[0]!;
  const profile = new Profile({
    sampleType: spec.sampleTypes.map(([type, unit]) => new ValueType({ type: s(type), unit: s(unit) })),
    sample: samples,
    mapping: [mapping],
    location: locations,
    function: functions,
    stringTable: strings,
    periodType: new ValueType({ type: s(periodType[0]), unit: s(periodType[1]) }),
    period: spec.period ?? 1,
    timeNanos: spec.timeNanos ?? 1_795_315_008_956_231_696n,
    durationNanos: spec.durationNanos ?? 0,
    comment: (spec.comments ?? []).map(s),
    defaultSampleType: spec.defaultSampleType === undefined ? 0 : s(spec.defaultSampleType),
  });
  return gzipSync(profile.encode());
}

/**
 * Builds pprof profiles from a short description, to reach cases the Go fixtures do not have:
 * recursion, inlined and partially inlined calls, frames without names, negative values, ties,
 * exact rounding ties. The bytes are real pprof (pprof-format encoder), read by `go tool pprof`.
 */
import { Profile, StringTable } from 'pprof-format';

/** A location: its lines innermost first (several = inlined calls). `null`: a location without lines. */
export type SyntheticLocation = readonly string[] | null;

export interface SyntheticSample {
  /** Locations, leaf first (as in pprof). */
  readonly stack: readonly SyntheticLocation[];
  readonly values: readonly number[];
  /** Mapping file for every location of this sample (default: the profile's). */
  readonly mapping?: string;
}

export interface SyntheticProfileSpec {
  readonly sampleTypes: readonly (readonly [type: string, unit: string])[];
  readonly samples: readonly SyntheticSample[];
  readonly defaultSampleType?: string;
  readonly periodType?: readonly [string, string];
  readonly period?: number;
  /** Main binary; '' for none. */
  readonly mappingFile?: string;
  readonly timeNanos?: bigint;
  readonly durationNanos?: number;
  readonly comments?: readonly string[];
}

export function syntheticProfile(spec: SyntheticProfileSpec): Profile {
  const strings = new StringTable();
  const mappings = new IdTable<{ id: number; filename: number; memoryStart: number; memoryLimit: number; hasFunctions: boolean }>();
  const mappingFor = (file: string): number =>
    mappings.idFor(file, (id) => ({ id, filename: strings.dedup(file), memoryStart: id * 0x100000, memoryLimit: id * 0x100000 + 0xfffff, hasFunctions: true }));
  mappingFor(spec.mappingFile ?? '/app/synthetic');

  const functions = new IdTable<{ id: number; name: number; systemName: number; filename: number; startLine: number }>();
  const functionFor = (name: string): number =>
    functions.idFor(name, (id) => ({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup('main.go'), startLine: 0 }));

  const locations = new IdTable<{ id: number; mappingId: number; address: number; line: { functionId: number; line: number }[] }>();
  const locationFor = (loc: SyntheticLocation, mapping: string): number =>
    locations.idFor(`${mapping}|${loc === null ? '<no lines>' : loc.join('\u0000')}`, (id) => ({
      id,
      mappingId: mapping === '' ? 0 : mappingFor(mapping),
      address: 0x1000 + id * 16,
      line: (loc ?? []).map((name, i) => ({ functionId: functionFor(name), line: 10 + i })),
    }));

  const samples = spec.samples.map((s) => ({
    locationId: s.stack.map((loc) => locationFor(loc, s.mapping ?? spec.mappingFile ?? '/app/synthetic')),
    value: [...s.values],
  }));
  const sampleType = spec.sampleTypes.map(([type, unit]) => ({ type: strings.dedup(type), unit: strings.dedup(unit) }));
  const periodType = spec.periodType ? { type: strings.dedup(spec.periodType[0]), unit: strings.dedup(spec.periodType[1]) } : undefined;

  return new Profile({
    sampleType,
    sample: samples,
    mapping: mappings.entries,
    location: locations.entries,
    function: functions.entries,
    stringTable: strings,
    timeNanos: spec.timeNanos ?? 1_795_315_008_956_231_696n,
    durationNanos: spec.durationNanos ?? 0,
    ...(periodType ? { periodType } : {}),
    period: spec.period ?? 1,
    comment: (spec.comments ?? []).map((c) => strings.dedup(c)),
    defaultSampleType: spec.defaultSampleType ? strings.dedup(spec.defaultSampleType) : 0,
  });
}

/** Entries with ids 1, 2, … in the order their keys are first seen (pprof's mapping/function/location tables). */
class IdTable<T> {
  readonly entries: T[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of `key`; the first time, `make(id)` is added as a new entry. */
  idFor(key: string, make: (id: number) => T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.entries.length + 1;
      this.ids.set(key, id);
      this.entries.push(make(id));
    }
    return id;
  }
}

/** A deterministic pseudo-random generator (mulberry32), so random profiles repeat per seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random profile: `functions` function names (some without a name), stacks up to `depth` deep
 * with recursion and inlined frames, values spread over several orders of magnitude.
 */
export function randomProfile(seed: number, options: { samples: number; functions: number; depth: number }): Profile {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const names = Array.from({ length: options.functions }, (_, i) => (i % 23 === 7 ? '' : `pkg${i % 5}.F${i}`));
  const libs = ['/usr/lib/libc.so.6', '/app/synthetic', ''];
  const samples: SyntheticSample[] = [];
  for (let s = 0; s < options.samples; s++) {
    const depth = 1 + Math.floor(rnd() * options.depth);
    const stack: SyntheticLocation[] = [];
    for (let d = 0; d < depth; d++) {
      const r = rnd();
      if (r < 0.03) stack.push(null);
      else if (r < 0.2)
        stack.push([pick(names), pick(names)]); // an inlined call
      else stack.push([pick(names)]);
    }
    const magnitude = 10 ** Math.floor(rnd() * 7);
    const a = Math.floor(rnd() * 9 * magnitude) + 1;
    samples.push({ stack, values: [Math.floor(rnd() * 50), a], ...(rnd() < 0.1 ? { mapping: pick(libs) } : {}) });
  }
  return syntheticProfile({
    sampleTypes: [
      ['samples', 'count'],
      ['space', 'bytes'],
    ],
    samples,
  });
}

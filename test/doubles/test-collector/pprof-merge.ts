import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { isGzip } from './pprof-check.js';

/**
 * google/pprof `profile.Merge`, as the collector uses it for `id1+id2` and the merge endpoint:
 * the profiles must have the same period type and sample types; functions, locations and mappings
 * are de-duplicated and re-numbered, strings re-indexed into one table, samples with the same
 * stack and labels added together (all-zero samples dropped). The header takes the earliest
 * time, the summed duration and the largest period.
 */

export class IncompatibleProfilesError extends Error {
  override readonly name = 'IncompatibleProfilesError';
}

export function decodeStored(bytes: Buffer): Profile {
  return Profile.decode(isGzip(bytes) ? gunzipSync(bytes) : bytes);
}

/** Merged and gzipped, as the collector serves it. */
export function mergeToGzip(sources: readonly Profile[]): Buffer {
  return gzipSync(mergeProfiles(sources).encode());
}

type Numeric = number | bigint;

export function mergeProfiles(sources: readonly Profile[]): Profile {
  const first = sources[0];
  if (first === undefined) throw new RangeError('no profiles to merge');
  for (const other of sources.slice(1)) checkCompatible(first, other);

  const out = new Profile({ stringTable: new StringTable() });
  const str = (src: Profile, index: Numeric): number => out.stringTable.dedup(src.stringTable.strings[Number(index)] ?? '');
  const valueType = (src: Profile, vt: ValueType): ValueType => new ValueType({ type: str(src, vt.type), unit: str(src, vt.unit) });

  out.sampleType = first.sampleType.map((vt) => valueType(first, vt));
  if (first.periodType) out.periodType = valueType(first, first.periodType);
  out.dropFrames = str(first, first.dropFrames);
  out.keepFrames = str(first, first.keepFrames);
  let timeNanos = 0n;
  let durationNanos = 0n;
  let period = 0n;
  let defaultSampleType = '';
  let docUrl = '';
  const comments = new Set<string>();
  for (const src of sources) {
    const t = BigInt(src.timeNanos);
    if (timeNanos === 0n || (t !== 0n && t < timeNanos)) timeNanos = t;
    durationNanos += BigInt(src.durationNanos);
    if (BigInt(src.period) > period) period = BigInt(src.period);
    for (const c of src.comment) comments.add(src.stringTable.strings[Number(c)] ?? '');
    defaultSampleType ||= src.stringTable.strings[Number(src.defaultSampleType)] ?? '';
    docUrl ||= src.stringTable.strings[Number(src.docUrl)] ?? '';
  }
  out.timeNanos = timeNanos;
  out.durationNanos = durationNanos;
  out.period = period;
  out.comment = [...comments].map((c) => out.stringTable.dedup(c));
  out.defaultSampleType = defaultSampleType ? out.stringTable.dedup(defaultSampleType) : 0;
  out.docUrl = docUrl ? out.stringTable.dedup(docUrl) : 0;

  const mappingIds = new Map<string, number>();
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  const samples = new Map<string, Sample>();

  for (const src of sources) {
    const s = (i: Numeric): number => str(src, i);
    const mappingOf = new Map<string, number>();
    for (const m of src.mapping) {
      const fields = [
        m.memoryStart,
        m.memoryLimit,
        m.fileOffset,
        s(m.filename),
        s(m.buildId),
        m.hasFunctions,
        m.hasFilenames,
        m.hasLineNumbers,
        m.hasInlineFrames,
      ];
      const key = fields.join('|');
      let id = mappingIds.get(key);
      if (id === undefined) {
        id = out.mapping.length + 1;
        mappingIds.set(key, id);
        out.mapping.push(new Mapping({ ...m, id, filename: s(m.filename), buildId: s(m.buildId) }));
      }
      mappingOf.set(String(m.id), id);
    }
    const functionOf = new Map<string, number>();
    for (const f of src.function) {
      const name = s(f.name);
      const systemName = s(f.systemName);
      const filename = s(f.filename);
      const key = `${name}|${systemName}|${filename}|${f.startLine}`;
      let id = functionIds.get(key);
      if (id === undefined) {
        id = out.function.length + 1;
        functionIds.set(key, id);
        out.function.push(new PprofFunction({ id, name, systemName, filename, startLine: f.startLine }));
      }
      functionOf.set(String(f.id), id);
    }
    const locationOf = new Map<string, number>();
    for (const loc of src.location) {
      const mappingId = mappingOf.get(String(loc.mappingId)) ?? 0;
      const lines = loc.line.map((l) => new Line({ functionId: functionOf.get(String(l.functionId)) ?? 0, line: l.line, column: l.column }));
      const key = `${mappingId}|${loc.address}|${loc.isFolded}|${lines.map((l) => `${l.functionId}:${l.line}:${l.column}`).join(';')}`;
      let id = locationIds.get(key);
      if (id === undefined) {
        id = out.location.length + 1;
        locationIds.set(key, id);
        out.location.push(new Location({ id, mappingId, address: loc.address, line: lines, isFolded: loc.isFolded }));
      }
      locationOf.set(String(loc.id), id);
    }
    for (const sample of src.sample) {
      if (sample.value.every((v) => v === 0 || v === 0n)) continue;
      const locationId = sample.locationId.map((id) => locationOf.get(String(id)) ?? 0);
      const label = sample.label.map((l) => new Label({ key: s(l.key), str: s(l.str), num: l.num, numUnit: s(l.numUnit) }));
      const labelKey = label
        .map((l) => `${l.key}=${l.str}/${l.num}/${l.numUnit}`)
        .sort()
        .join(',');
      const key = `${locationId.join(',')}#${labelKey}`;
      const existing = samples.get(key);
      if (existing) {
        existing.value = existing.value.map((v, i) => add(v, sample.value[i] ?? 0));
      } else {
        const merged = new Sample({ locationId, value: [...sample.value], label });
        samples.set(key, merged);
        out.sample.push(merged);
      }
    }
  }
  return out;
}

function checkCompatible(a: Profile, b: Profile): void {
  const name = (p: Profile, vt: ValueType | undefined): string =>
    vt ? `${p.stringTable.strings[Number(vt.type)] ?? ''}/${p.stringTable.strings[Number(vt.unit)] ?? ''}` : '';
  if (name(a, a.periodType) !== name(b, b.periodType)) {
    throw new IncompatibleProfilesError(`incompatible period types ${name(a, a.periodType)} and ${name(b, b.periodType)}`);
  }
  const typesA = a.sampleType.map((vt) => name(a, vt)).join(' ');
  const typesB = b.sampleType.map((vt) => name(b, vt)).join(' ');
  if (typesA !== typesB) throw new IncompatibleProfilesError(`incompatible sample types [${typesA}] and [${typesB}]`);
}

function add(a: Numeric, b: Numeric): Numeric {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}

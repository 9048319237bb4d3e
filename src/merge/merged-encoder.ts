/**
 * The merge's state written straight to protobuf bytes (google/pprof proto/profile.proto), in
 * the field order Go writes: no Profile object per sample on the way. Holds what
 * merged-profile.ts builds; output-plan.ts decides what is written and the ids.
 */
import { OutputStrings, planOutput, type MergeState, type OutputPlan } from './output-plan.js';
import { ProtoWriter } from './proto-writer.js';

export function encodeMerged(state: MergeState): Uint8Array {
  const { header } = state;
  const plan = planOutput(state);
  const strings = new OutputStrings(state.tables);
  // Header strings first: the string table is written before the header fields that use it.
  const sampleTypes = header.sampleTypes.map((vt) => [strings.text(vt.type), strings.text(vt.unit)] as const);
  const periodType = [strings.text(header.periodType.type), strings.text(header.periodType.unit)] as const;
  const dropFrames = strings.text(header.dropFrames);
  const keepFrames = strings.text(header.keepFrames);
  const comments = header.comments.map((c) => strings.text(c));
  const defaultSampleType = strings.text(header.defaultSampleType);
  const docUrl = strings.text(header.docUrl);

  const w = new ProtoWriter();
  for (const [type, unit] of sampleTypes) writeValueType(w, 1, type, unit);
  writeSamples(w, state, plan, strings);
  writeTables(w, plan, strings);
  for (const s of strings.list) w.string(6, s);
  w.uint(7, dropFrames);
  w.uint(8, keepFrames);
  w.int64(9, header.timeNanos);
  w.int64(10, header.durationNanos);
  writeValueType(w, 11, periodType[0], periodType[1]);
  w.int64(12, header.period);
  w.packedUints(13, comments);
  w.uint(14, defaultSampleType);
  w.uint(15, docUrl);
  return w.finish();
}

function writeValueType(w: ProtoWriter, field: number, type: number, unit: number): void {
  w.message(field, () => {
    w.uint(1, type);
    w.uint(2, unit);
  });
}

function writeSamples(w: ProtoWriter, state: MergeState, plan: OutputPlan, strings: OutputStrings): void {
  const { samples, labelSets } = state;
  let locationIds = new Array<number>(64);
  const values = new Array<number | bigint>(samples.valueCount);
  for (const i of plan.samples) {
    const key = samples.key(i);
    locationIds.length = key.length - 1;
    for (let j = 1; j < key.length; j++) locationIds[j - 1] = plan.locationId[key[j]!]!;
    for (let v = 0; v < values.length; v++) values[v] = samples.value(i, v);
    const labels = labelSets.sets[key[0]!]!;
    w.message(2, () => {
      w.packedUints(1, locationIds);
      w.packedInt64s(2, values);
      for (const l of labels) {
        w.message(3, () => {
          w.uint(1, strings.of(l.key));
          w.uint(2, strings.of(l.str));
          w.int64(3, l.num);
          w.uint(4, strings.of(l.unit));
        });
      }
    });
    if (locationIds.length > 1024) locationIds = new Array<number>(64);
  }
}

function writeTables(w: ProtoWriter, plan: OutputPlan, strings: OutputStrings): void {
  plan.mappings.forEach((m, i) => {
    w.message(3, () => {
      w.uint(1, i + 1);
      w.uint(2, m.start);
      w.uint(3, m.limit);
      w.uint(4, m.offset);
      w.uint(5, strings.of(m.filename));
      w.uint(6, strings.of(m.buildId));
      w.bool(7, m.hasFunctions);
      w.bool(8, m.hasFilenames);
      w.bool(9, m.hasLineNumbers);
      w.bool(10, m.hasInlineFrames);
    });
  });
  plan.locations.forEach((loc, i) => {
    w.message(4, () => {
      w.uint(1, i + 1);
      w.uint(2, plan.mappingId[loc.mappingId]!);
      w.uint(3, loc.address);
      for (let j = 0; j < loc.lines.length; j += 3) {
        w.message(4, () => {
          w.uint(1, plan.functionId[loc.lines[j]!]!);
          w.int64(2, loc.lines[j + 1]!);
          w.int64(3, loc.lines[j + 2]!);
        });
      }
      w.bool(5, loc.isFolded);
    });
  });
  plan.functions.forEach((f, i) => {
    w.message(5, () => {
      w.uint(1, i + 1);
      w.uint(2, strings.of(f.name));
      w.uint(3, strings.of(f.systemName));
      w.uint(4, strings.of(f.filename));
      w.int64(5, f.startLine);
    });
  });
}

/**
 * The merge's state as a pprof-format Profile (for callers that read the result in-process, as
 * `top` does); merged-encoder.ts writes the same profile straight to bytes. What is written and
 * in which order is output-plan.ts's.
 */
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { numeric } from './numeric.js';
import { OutputStrings, planOutput, type MergeState } from './output-plan.js';

export function buildMergedProfile(state: MergeState): Profile {
  const { header, samples } = state;
  const plan = planOutput(state);
  const strings = new OutputStrings(state.tables);
  const text = (value: string): number => strings.text(value);
  const out = new Profile();

  out.sampleType = header.sampleTypes.map((vt) => new ValueType({ type: text(vt.type), unit: text(vt.unit) }));
  for (const i of plan.samples) {
    const key = samples.key(i);
    const locationId = Array.from(key.subarray(1), (id) => plan.locationId[id]!);
    const value = Array.from({ length: samples.valueCount }, (_, v) => samples.value(i, v));
    const label = state.labelSets.sets[key[0]!]!.map(
      (l) => new Label({ key: strings.of(l.key), str: strings.of(l.str), num: l.num, numUnit: strings.of(l.unit) }),
    );
    out.sample.push(new Sample({ locationId, value, label }));
  }
  out.mapping = plan.mappings.map(
    (m, i) =>
      new Mapping({
        id: i + 1,
        memoryStart: numeric(m.start),
        memoryLimit: numeric(m.limit),
        fileOffset: numeric(m.offset),
        filename: strings.of(m.filename),
        buildId: strings.of(m.buildId),
        hasFunctions: m.hasFunctions,
        hasFilenames: m.hasFilenames,
        hasLineNumbers: m.hasLineNumbers,
        hasInlineFrames: m.hasInlineFrames,
      }),
  );
  out.location = plan.locations.map((loc, i) => {
    const line: Line[] = [];
    for (let j = 0; j < loc.lines.length; j += 3) {
      line.push(new Line({ functionId: plan.functionId[loc.lines[j]!]!, line: loc.lines[j + 1]!, column: loc.lines[j + 2]! }));
    }
    return new Location({ id: i + 1, mappingId: plan.mappingId[loc.mappingId]!, address: numeric(loc.address), line, isFolded: loc.isFolded });
  });
  out.function = plan.functions.map(
    (f, i) =>
      new PprofFunction({
        id: i + 1,
        name: strings.of(f.name),
        systemName: strings.of(f.systemName),
        filename: strings.of(f.filename),
        startLine: f.startLine,
      }),
  );
  out.dropFrames = text(header.dropFrames);
  out.keepFrames = text(header.keepFrames);
  out.timeNanos = numeric(header.timeNanos);
  out.durationNanos = numeric(header.durationNanos);
  out.periodType = new ValueType({ type: text(header.periodType.type), unit: text(header.periodType.unit) });
  out.period = numeric(header.period);
  out.comment = header.comments.map(text);
  out.defaultSampleType = text(header.defaultSampleType);
  out.docUrl = text(header.docUrl);
  out.stringTable = new StringTable();
  for (const s of strings.list.slice(1)) out.stringTable.dedup(s);
  return out;
}

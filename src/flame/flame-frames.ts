/**
 * The frames of a profile's locations as a flame graph names them: one per line (inlined calls
 * are frames of their own), each named as `go tool pprof` names functions (function-graph.ts's
 * frameName), names interned so a tree can key its children by a number.
 */
import { MergedStrings, type MergedTables } from '../merge/merged-tables.js';
import { frameName, mappingFile } from '../pprof/function-graph.js';

/** Distinct frame names, interned as the merge interns strings (id 0 is '', which no frame is named). */
export class FrameNames extends MergedStrings {}

/** Merged location id l's frames, innermost first, are names[start[l] .. start[l + 1]) (name ids). */
export interface LocationFrames {
  readonly start: Int32Array;
  readonly names: Int32Array;
}

export function locationFrames(tables: MergedTables, names: FrameNames): LocationFrames {
  const { locations, mappings, functions } = tables;
  const text = tables.strings.list;
  const objfiles = mappings.map((m) => mappingFile(text[m.filename] ?? '', text[m.buildId] ?? ''));
  let frames = 0;
  for (const loc of locations) frames += Math.max(1, loc.lines.length / 3);
  const start = new Int32Array(locations.length + 2);
  const out = new Int32Array(frames);
  let at = 0;
  locations.forEach((loc, i) => {
    start[i + 1] = at;
    const objfile = loc.mappingId === 0 ? '' : (objfiles[loc.mappingId - 1] ?? '');
    if (loc.lines.length === 0) out[at++] = names.id(frameName('', objfile));
    for (let j = 0; j < loc.lines.length; j += 3) {
      const fnId = loc.lines[j]!;
      const fn = fnId === 0 ? '' : (text[functions[fnId - 1]!.name] ?? '');
      out[at++] = names.id(frameName(fn, objfile));
    }
  });
  start[locations.length + 1] = at;
  return { start, names: out };
}

/**
 * What the merged profile holds when it is written out, shared by the Profile builder
 * (merged-profile.ts) and the encoder (merged-encoder.ts). Samples whose values summed to zero
 * are left out and what only they used goes with them, as Go's Merge does when it merges its
 * result again; ids are renumbered in the order the remaining samples reach things (mapping 1,
 * the main binary, stays first), which leaves them unchanged when nothing was left out. Strings
 * are numbered in the order they are first written.
 */
import type { MergedHeader } from './merged-header.js';
import type { MergedLabelSets } from './merged-label-sets.js';
import type { MergedFunction, MergedLocation, MergedMapping, MergedTables } from './merged-tables.js';
import type { SampleTable } from './sample-table.js';

export interface MergeState {
  readonly header: MergedHeader;
  readonly tables: MergedTables;
  readonly labelSets: MergedLabelSets;
  readonly samples: SampleTable;
}

export interface OutputPlan {
  /** Indices (in the SampleTable) of the samples written, in order. */
  readonly samples: readonly number[];
  /** New id of merged location id i is locationId[i]; the entries in new id order. */
  readonly locationId: Int32Array;
  readonly locations: readonly MergedLocation[];
  readonly mappingId: Int32Array;
  readonly mappings: readonly MergedMapping[];
  readonly functionId: Int32Array;
  readonly functions: readonly MergedFunction[];
}

export function planOutput(state: MergeState): OutputPlan {
  const { tables, samples } = state;
  const plan = {
    samples: [] as number[],
    locationId: new Int32Array(tables.locations.length + 1),
    locations: [] as MergedLocation[],
    mappingId: new Int32Array(tables.mappings.length + 1),
    mappings: [] as MergedMapping[],
    functionId: new Int32Array(tables.functions.length + 1),
    functions: [] as MergedFunction[],
  };
  const useMapping = (id: number): void => {
    if (plan.mappingId[id] !== 0) return;
    plan.mappings.push(tables.mappings[id - 1]!);
    plan.mappingId[id] = plan.mappings.length;
  };
  const useLocation = (id: number): void => {
    if (plan.locationId[id] !== 0) return;
    const loc = tables.locations[id - 1]!;
    if (loc.mappingId !== 0) useMapping(loc.mappingId);
    for (let i = 0; i < loc.lines.length; i += 3) {
      const fnId = loc.lines[i]!;
      if (fnId !== 0 && plan.functionId[fnId] === 0) {
        plan.functions.push(tables.functions[fnId - 1]!);
        plan.functionId[fnId] = plan.functions.length;
      }
    }
    plan.locations.push(loc);
    plan.locationId[id] = plan.locations.length;
  };
  if (tables.mappings.length > 0) useMapping(1);
  for (let i = 0; i < samples.count; i++) {
    if (samples.isZero(i)) continue;
    plan.samples.push(i);
    const key = samples.key(i);
    for (let j = 1; j < key.length; j++) useLocation(key[j]!);
  }
  return plan;
}

/** The output string table: merged string id → output index, given out in the order strings are first used. */
export class OutputStrings {
  readonly list: string[] = [''];
  private readonly index: Int32Array;
  private readonly byText = new Map<string, number>([['', 0]]);

  constructor(private readonly tables: MergedTables) {
    this.index = new Int32Array(tables.strings.list.length).fill(-1);
    this.index[0] = 0;
  }

  /** The output index of merged string `id`. */
  of(id: number): number {
    let index = this.index[id]!;
    if (index < 0) {
      index = this.text(this.tables.strings.list[id]!);
      this.index[id] = index;
    }
    return index;
  }

  /** The output index of a string of the header. */
  text(value: string): number {
    let index = this.byText.get(value);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(value);
      this.byText.set(value, index);
    }
    return index;
  }
}

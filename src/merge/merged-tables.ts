/**
 * The merged profile's strings, mappings, functions and locations, each kept once by the key
 * github.com/google/pprof/profile (merge.go) gives it:
 *   mapping   size rounded up to 4 KiB, file offset, build id (or, without one, the file name)
 *   function  start line, name, system name, file name
 *   location  address relative to its mapping's start, mapping, lines (function and line;
 *             the column too, as newer pprof does), folded or not
 * Ids are 1, 2, … in the order things are first merged, as in Go.
 */
import type { SourceMapping } from './source-tables.js';

/** A mapping of the merged profile: the same fields as a source's, its string ids (filename, buildId) the merged table's. */
export type MergedMapping = SourceMapping;

export interface MergedFunction {
  readonly id: number;
  readonly name: number;
  readonly systemName: number;
  readonly filename: number;
  readonly startLine: number;
}

export interface MergedLocation {
  readonly id: number;
  /** 0: no mapping. */
  readonly mappingId: number;
  readonly address: bigint;
  /** Flattened, innermost first: merged function id (0: none), line, column. */
  readonly lines: readonly number[];
  readonly isFolded: boolean;
}

const MAPPING_SIZE_ROUNDING = 0x1000n;

/** Every distinct string once; id 0 is ''. */
export class MergedStrings {
  readonly list: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

export class MergedTables {
  readonly strings = new MergedStrings();
  readonly mappings: MergedMapping[] = [];
  readonly functions: MergedFunction[] = [];
  readonly locations: MergedLocation[] = [];
  private readonly mappingByKey = new Map<string, MergedMapping>();
  private readonly functionByKey = new Map<string, MergedFunction>();
  private readonly locationByKey = new Map<string, MergedLocation>();

  /** The merged mapping with this one's key, or undefined. */
  findMapping(mapping: Omit<MergedMapping, 'id'>): MergedMapping | undefined {
    return this.mappingByKey.get(this.mappingKey(mapping));
  }

  /** Adds a mapping no merged one has the key of (findMapping returned undefined). */
  addMapping(mapping: Omit<MergedMapping, 'id'>): MergedMapping {
    const merged = { id: this.mappings.length + 1, ...mapping };
    this.mappings.push(merged);
    this.mappingByKey.set(this.mappingKey(mapping), merged);
    return merged;
  }

  /** The merged function equal to this one, added if new. */
  function(fn: Omit<MergedFunction, 'id'>): MergedFunction {
    const key = `${fn.startLine}|${fn.name}|${fn.systemName}|${fn.filename}`;
    let merged = this.functionByKey.get(key);
    if (merged === undefined) {
      merged = { id: this.functions.length + 1, ...fn };
      this.functions.push(merged);
      this.functionByKey.set(key, merged);
    }
    return merged;
  }

  /**
   * The merged location equal to this one, added if new. `relativeAddress` is the address minus
   * its mapping's start (the address itself without a mapping): what Go compares, so that the
   * same code loaded at another address is the same location.
   */
  location(location: Omit<MergedLocation, 'id'>, relativeAddress: bigint): MergedLocation {
    const key = `${relativeAddress}|${location.mappingId}|${location.isFolded ? 1 : 0}|${location.lines.join(',')}`;
    let merged = this.locationByKey.get(key);
    if (merged === undefined) {
      merged = { id: this.locations.length + 1, ...location };
      this.locations.push(merged);
      this.locationByKey.set(key, merged);
    }
    return merged;
  }

  private mappingKey(m: Omit<MergedMapping, 'id'>): string {
    const size = BigInt.asUintN(64, m.limit - m.start + MAPPING_SIZE_ROUNDING - 1n);
    const rounded = size - (size % MAPPING_SIZE_ROUNDING);
    // Go keys on the build id, else the file name (either may be the key of the other).
    const buildIdOrFile = m.buildId !== 0 ? m.buildId : m.filename;
    return `${rounded}|${m.offset}|${buildIdOrFile}`;
  }
}

/**
 * What one profile's strings, mappings, functions and locations became in the merged profile:
 * Go's per-profile memo tables (locationsByID, functionsByID, mappingsByID in merge.go). Each
 * entry is merged the first time a sample reaches it, so what no sample uses is left out, and
 * ids follow the order samples reach things, as in Go.
 */
import type { MergedMapping, MergedTables } from './merged-tables.js';
import type { SourceProfile } from './source-profile.js';

interface MappedMapping {
  readonly mapping: MergedMapping;
  /** Merged mapping start minus this profile's: added to this profile's addresses. */
  readonly shift: bigint;
}

export class ProfileRemap {
  /** 1 + merged string id, 0 until merged. */
  private readonly strings: Int32Array;
  private readonly mappings: Array<MappedMapping | undefined>;
  /** Merged id, 0 until merged. */
  private readonly functions: Int32Array;
  private readonly locations: Int32Array;

  constructor(
    private readonly tables: MergedTables,
    private readonly source: SourceProfile,
  ) {
    this.strings = new Int32Array(source.strings.count);
    this.mappings = new Array<MappedMapping | undefined>(source.mappings.length);
    this.functions = new Int32Array(source.functions.length);
    this.locations = new Int32Array(source.locations.length);
  }

  /** The merged id of this profile's string `index`. */
  string(index: number): number {
    const known = this.strings[index]!;
    if (known !== 0) return known - 1;
    const id = this.tables.strings.id(this.source.strings.get(index));
    this.strings[index] = id + 1;
    return id;
  }

  /** The merged location id of this profile's location at `index` (Go's mapLocation). */
  location(index: number): number {
    const known = this.locations[index]!;
    if (known !== 0) return known;
    const src = this.source.locations[index]!;
    let mappingId = 0;
    let address = src.address;
    let relativeAddress = src.address;
    if (src.mappingId !== 0) {
      const mappingIndex = this.source.mappingIndex.get(src.mappingId)!;
      const mapped = this.mapping(mappingIndex);
      mappingId = mapped.mapping.id;
      address = BigInt.asUintN(64, src.address + mapped.shift);
      relativeAddress = BigInt.asUintN(64, src.address - this.source.mappings[mappingIndex]!.start);
    }
    const lines = src.lines.slice();
    for (let i = 0; i < lines.length; i += 3) {
      const fnId = lines[i]!;
      lines[i] = fnId === 0 ? 0 : this.function(this.source.functionIndex.get(fnId)!);
    }
    const merged = this.tables.location({ mappingId, address, lines, isFolded: src.isFolded }, relativeAddress);
    this.locations[index] = merged.id;
    return merged.id;
  }

  /** This profile's mapping at `index` in the merged profile (Go's mapMapping). */
  mapping(index: number): MappedMapping {
    const known = this.mappings[index];
    if (known !== undefined) return known;
    const src = this.source.mappings[index]!;
    const fields = {
      start: src.start,
      limit: src.limit,
      offset: src.offset,
      filename: this.string(src.filename),
      buildId: this.string(src.buildId),
      hasFunctions: src.hasFunctions,
      hasFilenames: src.hasFilenames,
      hasLineNumbers: src.hasLineNumbers,
      hasInlineFrames: src.hasInlineFrames,
    };
    const existing = this.tables.findMapping(fields);
    const mapped =
      existing === undefined
        ? { mapping: this.tables.addMapping(fields), shift: 0n }
        : { mapping: existing, shift: BigInt.asIntN(64, existing.start) - BigInt.asIntN(64, src.start) };
    this.mappings[index] = mapped;
    return mapped;
  }

  private function(index: number): number {
    const known = this.functions[index]!;
    if (known !== 0) return known;
    const src = this.source.functions[index]!;
    const merged = this.tables.function({
      name: this.string(src.name),
      systemName: this.string(src.systemName),
      filename: this.string(src.filename),
      startLine: src.startLine,
    });
    this.functions[index] = merged.id;
    return merged.id;
  }
}

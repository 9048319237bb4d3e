/**
 * A streaming merge of pprof profiles, with the result `go tool pprof -proto a b c` gives
 * (github.com/google/pprof/profile Merge): profiles are added one at a time and folded into
 * samples keyed by (labels, stack); mappings, functions and locations are kept once by content;
 * values of samples with the same key are summed. Each profile's decoded form is dropped once it
 * is folded in, so memory follows the number of distinct stacks, not the number of profiles.
 *
 *   const merger = new ProfileMerger();
 *   for (const { id, bytes } of profiles) merger.add(bytes, id);   // gzipped or raw
 *   const gz = merger.encodeGzipped();                             // or merger.result(): Profile
 *
 * add() refuses, leaving the merge as it was: bytes that are not a pprof profile
 * (ProfileDecodeError, naming the profile, with valid-profile.ts's reasons) and a profile whose
 * sample types or period type differ from the first one's (IncompatibleProfilesError, naming
 * both). What differs from Go: units are not converted (Go's pprof scales, say, kilobytes to
 * bytes before merging; such profiles are refused here), and line columns are kept apart (as
 * newer pprof does; Go 1.19's drops them).
 */
import type { Profile } from 'pprof-format';
import { gzipSync } from 'node:zlib';
import { checkProfileSync, InvalidProfileError } from '../pprof/valid-profile.js';
import { inflateProfileSync } from './inflate-profile.js';
import { namedDecodeError } from './merge-errors.js';
import { MergedHeader } from './merged-header.js';
import { MergedLabelSets } from './merged-label-sets.js';
import { encodeMerged } from './merged-encoder.js';
import { buildMergedProfile } from './merged-profile.js';
import { MergedTables } from './merged-tables.js';
import { ProfileRemap } from './profile-remap.js';
import { SampleTable } from './sample-table.js';
import { readSourceProfile, SampleBuffers, type SourceProfile } from './source-profile.js';
import type { MergeState } from './output-plan.js';

export { IncompatibleProfilesError, ProfileDecodeError } from './merge-errors.js';

export interface MergeStats {
  /** Profiles folded in. */
  readonly profiles: number;
  /** Distinct (labels, stack) samples so far. */
  readonly samples: number;
  readonly locations: number;
  readonly functions: number;
  readonly mappings: number;
}

export interface AddOptions {
  /** The bytes already inflated (inflateProfile, off the main thread); saves add() inflating them. */
  readonly inflated?: Uint8Array | undefined;
}

export class ProfileMerger {
  private readonly header = new MergedHeader();
  private readonly tables = new MergedTables();
  private readonly labelSets = new MergedLabelSets(this.tables.strings);
  private samples: SampleTable | undefined;
  private profiles = 0;
  private readonly buffers = new SampleBuffers();

  /**
   * Decodes a profile (gzipped or raw) and folds it in. `name` names it in errors (a file, a
   * profile id). Throws ProfileDecodeError or IncompatibleProfilesError; the merge is then
   * unchanged and can go on.
   */
  add(bytes: Uint8Array, name: string, options: AddOptions = {}): void {
    const source = readProfile(bytes, name, this.buffers, options.inflated);
    this.header.check(source, name);
    this.header.fold(source, name);
    this.samples ??= new SampleTable(source.header.sampleTypes.length);
    const remap = new ProfileRemap(this.tables, source);
    // Go maps the main binary (the first mapping) first, so that it stays mapping 1.
    if (this.tables.mappings.length === 0 && source.mappings.length > 0) remap.mapping(0);
    foldSamples(source, remap, this.labelSets, this.samples);
    this.profiles += 1;
  }

  get stats(): MergeStats {
    return {
      profiles: this.profiles,
      samples: this.samples?.count ?? 0,
      locations: this.tables.locations.length,
      functions: this.tables.functions.length,
      mappings: this.tables.mappings.length,
    };
  }

  /** The merged profile. Throws RangeError before the first profile is added. */
  result(): Profile {
    return buildMergedProfile(this.state());
  }

  /** The merged profile as protobuf bytes, not gzipped. Throws RangeError before the first profile is added. */
  encode(): Uint8Array {
    return encodeMerged(this.state());
  }

  /** The merged profile, encoded and gzipped as Go writes profiles: what `go tool pprof` opens. */
  encodeGzipped(): Buffer {
    return gzipSync(this.encode());
  }

  /**
   * The merged tables and samples as they are, for a reader in this process (the flame graph)
   * that needs neither bytes nor a Profile. Throws RangeError before the first profile is added.
   */
  state(): MergeState {
    if (this.samples === undefined) throw new RangeError('no profiles to merge');
    return { header: this.header, tables: this.tables, labelSets: this.labelSets, samples: this.samples };
  }
}

/**
 * Inflates and checks the bytes (valid-profile.ts's rules) and decodes them for merging; errors
 * name the profile. Bytes refused once inflated are checked again as they came, for the message
 * valid-profile.ts gives for them (which says, for one, whether the text it found was gzipped).
 */
function readProfile(bytes: Uint8Array, name: string, buffers: SampleBuffers, inflated: Uint8Array | undefined): SourceProfile {
  const subject = { kind: 'named', name } as const;
  try {
    const raw = inflated ?? inflateProfileSync(bytes);
    let protobuf: Uint8Array;
    try {
      protobuf = checkProfileSync(raw ?? bytes, { subject, allowNoSamples: true }).protobuf;
    } catch (err) {
      if (raw === undefined || !(err instanceof InvalidProfileError)) throw err;
      protobuf = checkProfileSync(bytes, { subject, allowNoSamples: true }).protobuf;
    }
    return readSourceProfile(protobuf, buffers);
  } catch (err) {
    throw namedDecodeError(name, err);
  }
}

/** Go's mapSample for every sample of `source`: the key is the label set id, then the merged location ids. */
function foldSamples(source: SourceProfile, remap: ProfileRemap, labelSets: MergedLabelSets, table: SampleTable): void {
  const { count, stackStart, stacks, values, bigValues, labelSet, labelSets: rawSets } = source.samples;
  const valueCount = table.valueCount;
  const mergedSet = new Int32Array(rawSets.length + 1).fill(-1);
  mergedSet[0] = 0;
  let key = new Int32Array(256);
  for (let i = 0; i < count; i++) {
    const from = stackStart[i]!;
    const to = stackStart[i + 1]!;
    if (to - from + 1 > key.length) key = new Int32Array(2 * (to - from + 1));
    const set = labelSet[i]!;
    if (mergedSet[set] === -1) mergedSet[set] = labelSets.idFor(rawSets[set - 1]!, remap);
    key[0] = mergedSet[set]!;
    for (let j = from; j < to; j++) key[j - from + 1] = remap.location(stacks[j]!);
    const index = table.find(key, to - from + 1);
    for (let v = 0; v < valueCount; v++) {
      const at = i * valueCount + v;
      const value = values[at]!;
      table.add(index, v, Number.isNaN(value) ? bigValues.get(at)! : value);
    }
  }
}

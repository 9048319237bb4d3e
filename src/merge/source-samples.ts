/**
 * The samples of one profile being merged, read from the wire into a few typed arrays instead of
 * an object per sample: each sample's stack as indices into the profile's location list, its
 * values, and its labels as one id per distinct set. Samples whose values are all zero are left
 * out, as Go's profile.Merge leaves them out. Every sample is checked (location references, one
 * value per sample type, label string indices) before anything is merged, so a malformed
 * profile is refused whole.
 */
import { sampleValuesMismatch } from '../pprof/pprof-wire.js';
import { type RawLabel, SourceLabelSets } from './source-label-sets.js';
import { WIRE_BYTES, WIRE_VARINT, type WireReader } from './wire-reader.js';

export type { RawLabel } from './source-label-sets.js';

export interface SourceSamples {
  /** Samples kept (all-zero ones are left out). */
  readonly count: number;
  /** Sample i's locations, leaf first, are stacks[stackStart[i] .. stackStart[i + 1]). */
  readonly stackStart: Int32Array;
  readonly stacks: Int32Array;
  /** count × value count; NaN where the value is not a safe integer and is in bigValues instead. */
  readonly values: Float64Array;
  readonly bigValues: ReadonlyMap<number, bigint>;
  /** Per sample: 0 without labels, else 1 + its index in labelSets. */
  readonly labelSet: Int32Array;
  readonly labelSets: readonly (readonly RawLabel[])[];
}

export interface SampleContext {
  readonly valueCount: number;
  readonly stringCount: number;
  /** The index of the location with this id, or -1. */
  locationIndex(id: number): number;
  /** The same for ids up to its length (Go numbers locations 1..n); may be empty. */
  readonly denseLocationIndex: Int32Array;
  /** A problem with what the samples refer to. */
  fail(message: string): never;
}

/**
 * The arrays samples are read into, kept from one profile to the next (a merge reads many
 * profiles of about the same size): they grow to the largest profile and stay.
 */
export class SampleBuffers {
  stackStart = new Int32Array(1024);
  stacks = new Int32Array(16 * 1024);
  values = new Float64Array(0);
  labelSet = new Int32Array(1024);
}

export class SampleStager {
  private count = 0;
  private stackStart: Int32Array;
  private stacks: Int32Array;
  private stackUsed = 0;
  private values: Float64Array;
  private readonly bigValues = new Map<number, bigint>();
  private labelSet: Int32Array;
  private readonly labels = new SourceLabelSets();
  /** Samples read so far, zero ones included: how messages number samples. */
  private seen = 0;

  constructor(
    private readonly context: SampleContext,
    private readonly buffers: SampleBuffers,
  ) {
    this.stackStart = buffers.stackStart;
    this.stacks = buffers.stacks;
    this.labelSet = buffers.labelSet;
    if (buffers.values.length < 1024 * context.valueCount) buffers.values = new Float64Array(1024 * context.valueCount);
    this.values = buffers.values;
  }

  /** Reads the Sample message of `length` bytes at the reader's position. */
  read(reader: WireReader, length: number): void {
    const outerEnd = reader.end;
    const end = reader.pos + length;
    reader.end = end;
    const sampleNumber = this.seen++;
    this.reserve();
    const stackMark = this.stackUsed;
    this.labels.clear();
    let valueCount = 0;
    while (reader.pos < end) {
      const tag = reader.uint();
      switch (tag) {
        case (1 << 3) | WIRE_BYTES:
          this.readPackedLocations(reader, reader.length(), sampleNumber);
          break;
        case (1 << 3) | WIRE_VARINT:
          this.pushLocation(reader.uint(), sampleNumber);
          break;
        case (2 << 3) | WIRE_BYTES:
          valueCount = this.readPackedValues(reader, reader.length(), valueCount);
          break;
        case (2 << 3) | WIRE_VARINT:
          this.pushValue(reader.int64(), valueCount++);
          break;
        case (3 << 3) | WIRE_BYTES:
          this.readLabel(reader, reader.length(), sampleNumber);
          break;
        default:
          if (tag >>> 3 <= 3) reader.fail(`Sample field ${tag >>> 3} has wire type ${tag & 7}`);
          reader.skip(tag & 7);
      }
    }
    reader.end = outerEnd;
    if (valueCount !== this.context.valueCount) this.context.fail(sampleValuesMismatch(sampleNumber, valueCount, this.context.valueCount));
    if (this.isZero()) {
      this.stackUsed = stackMark;
      return;
    }
    this.labelSet[this.count] = this.labels.size === 0 ? 0 : this.labels.id();
    this.count += 1;
    this.stackStart[this.count] = this.stackUsed;
  }

  finish(): SourceSamples {
    Object.assign(this.buffers, { stackStart: this.stackStart, stacks: this.stacks, values: this.values, labelSet: this.labelSet });
    return {
      count: this.count,
      stackStart: this.stackStart,
      stacks: this.stacks,
      values: this.values,
      bigValues: this.bigValues,
      labelSet: this.labelSet,
      labelSets: this.labels.sets,
    };
  }

  /**
   * A packed run of location ids, the bulk of a profile: ids of one or two bytes (up to 16383)
   * are read here, longer ones by the reader.
   */
  private readPackedLocations(reader: WireReader, length: number, sampleNumber: number): void {
    const bytes = reader.bytes;
    const end = reader.end;
    const stop = reader.pos + length;
    if (this.stackUsed + length > this.stacks.length) this.stacks = grow(this.stacks, Math.ceil(1.5 * (this.stackUsed + length)));
    const stacks = this.stacks;
    const dense = this.context.denseLocationIndex;
    let used = this.stackUsed;
    let pos = reader.pos;
    while (pos < stop) {
      const b = bytes[pos]!;
      let id: number;
      if (b < 0x80) {
        id = b;
        pos += 1;
      } else if (pos + 1 < stop && bytes[pos + 1]! < 0x80) {
        id = (b & 0x7f) | (bytes[pos + 1]! << 7);
        pos += 2;
      } else {
        reader.pos = pos;
        reader.end = stop;
        id = reader.uint();
        reader.end = end;
        pos = reader.pos;
      }
      const index = id < dense.length ? dense[id]! : this.context.locationIndex(id);
      if (index < 0) this.context.fail(`sample ${sampleNumber} refers to missing location ${id}`);
      stacks[used++] = index;
    }
    reader.pos = pos;
    this.stackUsed = used;
  }

  /** A packed run of values; returns the number of values of the sample so far. */
  private readPackedValues(reader: WireReader, length: number, valueCount: number): number {
    const end = reader.end;
    const stop = reader.pos + length;
    reader.end = stop;
    let count = valueCount;
    while (reader.pos < stop) this.pushValue(reader.int64(), count++);
    reader.end = end;
    return count;
  }

  private pushLocation(id: number, sampleNumber: number): void {
    const index = this.context.locationIndex(id);
    if (index < 0) this.context.fail(`sample ${sampleNumber} refers to missing location ${id}`);
    if (this.stackUsed === this.stacks.length) this.stacks = grow(this.stacks, Math.ceil(this.stacks.length * 1.5));
    this.stacks[this.stackUsed++] = index;
  }

  private pushValue(value: number | bigint, position: number): void {
    if (position >= this.context.valueCount) return; // counted, then refused by read()
    const at = this.count * this.context.valueCount + position;
    if (typeof value === 'number') {
      this.values[at] = value;
    } else {
      this.values[at] = Number.NaN;
      this.bigValues.set(at, value);
    }
  }

  private isZero(): boolean {
    const from = this.count * this.context.valueCount;
    for (let i = 0; i < this.context.valueCount; i++) {
      if (this.values[from + i] !== 0) return false;
    }
    return true;
  }

  private readLabel(reader: WireReader, length: number, sampleNumber: number): void {
    const outerEnd = reader.end;
    reader.end = reader.pos + length;
    let key = 0;
    let str = 0;
    let num: number | bigint = 0;
    let unit = 0;
    while (!reader.done) {
      const tag = reader.uint();
      const field = tag >>> 3;
      if (field < 1 || field > 4) {
        reader.skip(tag & 7);
        continue;
      }
      reader.expectWireType(tag, WIRE_VARINT, `Label field ${field}`);
      if (field === 1) key = reader.uint();
      else if (field === 2) str = reader.uint();
      else if (field === 3) num = reader.int64();
      else unit = reader.uint();
    }
    reader.end = outerEnd;
    // Go reads num_unit only for a numeric label (no str), so only then must it be in the table.
    const numeric = str === 0 && (num !== 0 || unit !== 0);
    const strings = this.context.stringCount;
    if (key >= strings || str >= strings || (numeric && unit >= strings)) {
      this.context.fail(`a label of sample ${sampleNumber} refers to a string outside the string_table (${strings} entries)`);
    }
    this.labels.push(key, str, num, unit);
  }

  /** Room for one more sample. */
  private reserve(): void {
    if (this.count + 2 > this.stackStart.length) {
      this.stackStart = grow(this.stackStart, this.stackStart.length * 2);
      this.labelSet = grow(this.labelSet, this.labelSet.length * 2);
    }
    const valuesNeeded = (this.count + 1) * this.context.valueCount;
    if (valuesNeeded > this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
  }
}

function grow(array: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

/**
 * A streaming check of the protobuf wire format of a pprof `Profile` (google/pprof
 * proto/profile.proto): the implementation of the rules in valid-profile.ts, which is what
 * callers use. It is fed the (inflated) bytes chunk by chunk and keeps only a few
 * counters, so a large profile is never held in memory while it is checked.
 *
 * It applies the rules of the Go decoder that `go tool pprof` and the profefe collector use
 * (github.com/google/pprof/profile, proto.go and encode.go): wire types 0, 1, 2 and 5 only; each
 * known field with the wire type its decoder expects (scalars as varints, repeated scalars as
 * varints or packed); every length inside its enclosing message; `string_table[0] == ""`; every
 * string index inside the string table; every sample with one value per sample type; a single
 * non-zero `time_nanos` (two mean concatenated profiles). Unknown fields are skipped, as in Go.
 *
 * With `nested: false` it checks the top level only: every top-level field, its wire type and
 * length, the sample and sample-type counts and `string_table[0]`; nested messages (samples,
 * locations, functions, ...) are counted and skipped without reading their contents. That is
 * about twenty times cheaper, for large profiles where the full walk costs tens of milliseconds
 * of main-thread time each.
 */

/** The wire format is broken. `offset` is the position in the (inflated) protobuf bytes. */
export class PprofWireError extends Error {
  override readonly name = 'PprofWireError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** What the scan found: counts of top-level fields, and the facts the final checks need. */
export interface ProfileWireSummary {
  /** Protobuf bytes scanned (after inflating). */
  readonly bytes: number;
  readonly sampleTypes: number;
  readonly samples: number;
  /** Entries in `string_table`. */
  readonly strings: number;
  /** The largest string index any field refers to, or -1 when none is set. */
  readonly maxStringIndex: number;
  /** The fewest and most values a sample carries (both 0 when there are no samples). */
  readonly sampleValues: { readonly min: number; readonly max: number };
  /** Values of sample 0 (0 when there are no samples). */
  readonly firstSampleValues: number;
  /** The first sample whose value count differs from sample 0's, if any: names the sample a mismatch is reported for. */
  readonly firstDifferentSample: { readonly index: number; readonly values: number } | undefined;
  /** Whether nested messages were checked (`nested: true`); if not, sampleValues and nested string indices were not read. */
  readonly nestedChecked: boolean;
}

// Field kinds.
const SCALAR = 0; // varint only (int64, uint64, bool)
const REPEATED_SCALAR = 1; // varint, or packed (length-delimited run of varints)
const BYTES = 2; // string
const MESSAGE = 3;

// What a field adds to the summary.
const NONE = 0;
const STRING_INDEX = 1;
const SAMPLE_VALUE = 2;
const TIME_NANOS = 3;
const STRING_ENTRY = 4;
const SAMPLE_TYPE = 5;
const SAMPLE = 6;

interface FieldSpec {
  readonly name: string;
  readonly kind: number;
  readonly role: number;
  readonly schema?: MessageSchema;
}
interface MessageSchema {
  readonly name: string;
  readonly fields: ReadonlyArray<FieldSpec | undefined>;
}

function schema(name: string, list: Array<[number, string, number, number?, MessageSchema?]>): MessageSchema {
  const fields: Array<FieldSpec | undefined> = [];
  for (const [no, field, kind, role = NONE, nested] of list) {
    fields[no] = { name: `${name}.${field}`, kind, role, ...(nested ? { schema: nested } : {}) };
  }
  return { name, fields };
}

const VALUE_TYPE = schema('ValueType', [
  [1, 'type', SCALAR, STRING_INDEX],
  [2, 'unit', SCALAR, STRING_INDEX],
]);
const LABEL = schema('Label', [
  [1, 'key', SCALAR, STRING_INDEX],
  [2, 'str', SCALAR, STRING_INDEX],
  [3, 'num', SCALAR],
  // Go resolves num_unit only when str is unset, so it is not checked against the table here.
  [4, 'num_unit', SCALAR],
]);
const SAMPLE_MSG = schema('Sample', [
  [1, 'location_id', REPEATED_SCALAR],
  [2, 'value', REPEATED_SCALAR, SAMPLE_VALUE],
  [3, 'label', MESSAGE, NONE, LABEL],
]);
const MAPPING = schema('Mapping', [
  [1, 'id', SCALAR],
  [2, 'memory_start', SCALAR],
  [3, 'memory_limit', SCALAR],
  [4, 'file_offset', SCALAR],
  [5, 'filename', SCALAR, STRING_INDEX],
  [6, 'build_id', SCALAR, STRING_INDEX],
  [7, 'has_functions', SCALAR],
  [8, 'has_filenames', SCALAR],
  [9, 'has_line_numbers', SCALAR],
  [10, 'has_inline_frames', SCALAR],
]);
const LINE = schema('Line', [
  [1, 'function_id', SCALAR],
  [2, 'line', SCALAR],
]);
const LOCATION = schema('Location', [
  [1, 'id', SCALAR],
  [2, 'mapping_id', SCALAR],
  [3, 'address', SCALAR],
  [4, 'line', MESSAGE, NONE, LINE],
  [5, 'is_folded', SCALAR],
]);
const FUNCTION = schema('Function', [
  [1, 'id', SCALAR],
  [2, 'name', SCALAR, STRING_INDEX],
  [3, 'system_name', SCALAR, STRING_INDEX],
  [4, 'filename', SCALAR, STRING_INDEX],
  [5, 'start_line', SCALAR],
]);
const PROFILE = schema('Profile', [
  [1, 'sample_type', MESSAGE, SAMPLE_TYPE, VALUE_TYPE],
  [2, 'sample', MESSAGE, SAMPLE, SAMPLE_MSG],
  [3, 'mapping', MESSAGE, NONE, MAPPING],
  [4, 'location', MESSAGE, NONE, LOCATION],
  [5, 'function', MESSAGE, NONE, FUNCTION],
  [6, 'string_table', BYTES, STRING_ENTRY],
  [7, 'drop_frames', SCALAR, STRING_INDEX],
  [8, 'keep_frames', SCALAR, STRING_INDEX],
  [9, 'time_nanos', SCALAR, TIME_NANOS],
  [10, 'duration_nanos', SCALAR],
  [11, 'period_type', MESSAGE, NONE, VALUE_TYPE],
  [12, 'period', SCALAR],
  [13, 'comment', REPEATED_SCALAR, STRING_INDEX],
  [14, 'default_sample_type', SCALAR, STRING_INDEX],
]);

// Scanner modes.
const TAG = 0; // reading a field's tag varint
const VALUE = 1; // reading a varint field's value
const LENGTH = 2; // reading a length-delimited field's length varint
const PACKED = 3; // reading the varints of a packed repeated field
const SKIP = 4; // skipping the bytes of a string, an unknown field or a fixed32/fixed64

/** One open message. Frames are reused (a profile opens hundreds of thousands of messages). */
interface Frame {
  schema: MessageSchema;
  /** Absolute offset where the message ends (Infinity for the top-level Profile). */
  end: number;
  field: FieldSpec | undefined;
  /** Values seen so far (Sample messages only). */
  values: number;
}

/**
 * Feed `push()` with consecutive chunks, then call `end()`. Both throw PprofWireError at the
 * first inconsistency; after an error the scanner must not be used again.
 */
export class ProfileWireScanner {
  private readonly nested: boolean;
  private pos = 0;
  /** frames[0 .. depth-1] are the open messages, frames[0] the Profile; the rest are spares. */
  private readonly frames: Frame[] = [{ schema: PROFILE, end: Infinity, field: undefined, values: 0 }];
  private depth = 1;
  private top: Frame = this.frames[0]!;
  private mode = TAG;
  private varint = 0;
  private multiplier = 1;
  private varintBytes = 0;
  private spec: FieldSpec | undefined;
  private fieldNumber = 0;
  private packedEnd = 0;
  private skip = 0;

  private sampleTypes = 0;
  private samples = 0;
  private strings = 0;
  private maxStringIndex = -1;
  private minValues = Infinity;
  private maxValues = 0;
  private firstValues = 0;
  private firstDifferent: { index: number; values: number } | undefined;
  private timeNanos = 0;

  constructor(options: { nested?: boolean } = {}) {
    this.nested = options.nested ?? true;
  }

  /** Scans the next chunk of protobuf bytes. */
  push(chunk: Uint8Array): void {
    // The hot loop works on locals and stores them back before every handler call.
    const n = chunk.length;
    let i = 0;
    let pos = this.pos;
    let varint = this.varint;
    let multiplier = this.multiplier;
    let varintBytes = this.varintBytes;
    while (i < n) {
      if (this.mode === SKIP) {
        const k = Math.min(this.skip, n - i);
        i += k;
        pos += k;
        this.skip -= k;
        if (this.skip === 0) {
          this.pos = pos;
          this.fieldDone();
        }
        continue;
      }
      if (this.mode === PACKED && varintBytes === 0 && this.spec!.role !== STRING_INDEX) {
        // Fast path for runs of location ids and sample values: count whole varints only.
        const stop = Math.min(n, i + (this.packedEnd - pos));
        const start = i;
        let count = 0;
        let run = 0; // continuation bytes of the varint being read
        while (i < stop) {
          if (chunk[i++]! & 0x80) {
            run += 1;
            if (run === 10) {
              this.pos = pos + (i - start);
              this.fail('bad varint: longer than 10 bytes');
            }
          } else {
            run = 0;
            count += 1;
          }
        }
        pos += i - start;
        if (this.spec!.role === SAMPLE_VALUE) this.top.values += count;
        if (run > 0) {
          // The last varint goes on in the next chunk; its value is not needed, only its length.
          if (pos >= this.packedEnd) {
            this.pos = pos;
            this.fail(`bad varint: ${this.fieldName()} ends inside a varint`);
          }
          varintBytes = run;
          multiplier = 128 ** run;
        } else if (pos === this.packedEnd) {
          this.pos = pos;
          this.fieldDone();
        }
        continue;
      }
      const b = chunk[i++]!;
      pos += 1;
      varint += (b & 0x7f) * multiplier;
      multiplier *= 128;
      varintBytes += 1;
      if (b & 0x80) {
        if (varintBytes === 10 || pos >= (this.mode === PACKED ? this.packedEnd : this.top.end)) {
          this.pos = pos;
          this.fail(varintBytes === 10 ? 'bad varint: longer than 10 bytes' : `bad varint: ${this.fieldName()} ends inside a varint`);
        }
        continue;
      }
      const value = varint;
      varint = 0;
      multiplier = 1;
      varintBytes = 0;
      this.pos = pos;
      switch (this.mode) {
        case TAG:
          this.onTag(value);
          break;
        case VALUE:
          this.onValue(value);
          this.fieldDone();
          break;
        case LENGTH:
          this.onLength(value);
          break;
        default: // PACKED
          this.onValue(value);
          if (pos === this.packedEnd) this.fieldDone();
      }
    }
    this.pos = pos;
    this.varint = varint;
    this.multiplier = multiplier;
    this.varintBytes = varintBytes;
  }

  /** Checks the data ended at a field boundary and returns what was found. */
  end(): ProfileWireSummary {
    if (this.mode !== TAG || this.depth > 1) {
      const missing = this.mode === SKIP ? `, ${this.skip} more bytes were expected` : '';
      this.fail(`truncated protobuf: the data ends inside ${this.fieldName()}${missing}`);
    }
    return {
      bytes: this.pos,
      sampleTypes: this.sampleTypes,
      samples: this.samples,
      strings: this.strings,
      maxStringIndex: this.maxStringIndex,
      sampleValues: { min: this.samples === 0 ? 0 : this.minValues, max: this.maxValues },
      firstSampleValues: this.firstValues,
      firstDifferentSample: this.firstDifferent,
      nestedChecked: this.nested,
    };
  }

  private onTag(tag: number): void {
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) this.fail('field number 0 is not allowed');
    const spec = field < this.top.schema.fields.length ? this.top.schema.fields[field] : undefined;
    this.spec = spec;
    this.fieldNumber = field;
    switch (wire) {
      case 0:
        if (spec && spec.kind !== SCALAR && spec.kind !== REPEATED_SCALAR) this.mismatch(wire);
        this.mode = VALUE;
        return;
      case 2:
        if (spec && spec.kind === SCALAR) this.mismatch(wire);
        this.mode = LENGTH;
        return;
      case 1:
      case 5: {
        if (spec) this.mismatch(wire);
        const size = wire === 1 ? 8 : 4;
        if (this.pos + size > this.top.end) this.fail(`not enough data for a fixed${size * 8} in ${this.fieldName()}`);
        this.mode = SKIP;
        this.skip = size;
        return;
      }
      default:
        this.fail(`unknown wire type ${wire} (field ${field} of ${this.top.schema.name})`);
    }
  }

  private onLength(length: number): void {
    if (this.pos + length > this.top.end) {
      this.fail(`too much data: ${this.fieldName()} declares ${length} bytes, more than its enclosing message holds`);
    }
    const spec = this.spec;
    if (spec?.kind === MESSAGE) {
      if (spec.role === SAMPLE_TYPE) this.sampleTypes += 1;
      else if (spec.role === SAMPLE) this.samples += 1;
      if (!this.nested) {
        this.skipBytes(length);
        return;
      }
      let frame = this.frames[this.depth];
      if (frame === undefined) {
        frame = { schema: spec.schema!, end: this.pos + length, field: spec, values: 0 };
        this.frames.push(frame);
      } else {
        frame.schema = spec.schema!;
        frame.end = this.pos + length;
        frame.field = spec;
        frame.values = 0;
      }
      this.depth += 1;
      this.top = frame;
      this.fieldDone();
      return;
    }
    if (spec?.kind === REPEATED_SCALAR && length > 0) {
      this.mode = PACKED;
      this.packedEnd = this.pos + length;
      return;
    }
    if (spec?.role === STRING_ENTRY) {
      if (this.strings === 0 && length !== 0) this.fail("string_table[0] must be ''");
      this.strings += 1;
    }
    this.skipBytes(length);
  }

  private skipBytes(length: number): void {
    if (length === 0) {
      this.fieldDone();
      return;
    }
    this.mode = SKIP;
    this.skip = length;
  }

  private onValue(value: number): void {
    const role = this.spec?.role ?? NONE;
    if (role === STRING_INDEX) {
      if (value > this.maxStringIndex) this.maxStringIndex = value;
    } else if (role === SAMPLE_VALUE) {
      this.top.values += 1;
    } else if (role === TIME_NANOS) {
      if (this.timeNanos !== 0) this.fail('concatenated profiles detected (time_nanos set twice)');
      this.timeNanos = value;
    }
  }

  /** Back to reading tags; closes every message that ends here. */
  private fieldDone(): void {
    this.mode = TAG;
    this.spec = undefined;
    while (this.depth > 1 && this.pos === this.top.end) {
      const done = this.top;
      if (done.field?.role === SAMPLE) {
        if (done.values < this.minValues) this.minValues = done.values;
        if (done.values > this.maxValues) this.maxValues = done.values;
        // Samples do not nest: the one closing is the last one opened.
        if (this.samples === 1) this.firstValues = done.values;
        else if (this.firstDifferent === undefined && done.values !== this.firstValues) {
          this.firstDifferent = { index: this.samples - 1, values: done.values };
        }
      }
      this.depth -= 1;
      this.top = this.frames[this.depth - 1]!;
    }
  }

  private fieldName(): string {
    const path = this.frames.slice(1, this.depth).map((f) => f.field!.name);
    const current = this.spec?.name ?? (this.mode === TAG ? undefined : `field ${this.fieldNumber} of ${this.top.schema.name}`);
    if (current) path.push(current);
    return path.length === 0 ? 'Profile' : path.join(' > ');
  }

  private mismatch(wire: number): never {
    this.fail(`type mismatch: ${this.spec!.name} (field ${this.fieldNumber}) has wire type ${wire}`);
  }

  private fail(message: string): never {
    throw new PprofWireError(message, this.pos);
  }
}

/**
 * The checks `go tool pprof` makes once the whole profile is decoded (postDecode, CheckValid),
 * as far as the summary allows. Returns the reason the profile is malformed, or undefined.
 */
export function profileConsistencyError(summary: ProfileWireSummary): string | undefined {
  if (summary.strings === 0) return 'the profile has no string_table';
  if (summary.maxStringIndex >= summary.strings) {
    return `string index ${summary.maxStringIndex} is outside the string_table (${summary.strings} entries)`;
  }
  if (summary.sampleTypes === 0 && summary.samples > 0) return 'missing sample type information';
  if (summary.samples > 0 && summary.nestedChecked) {
    const { min, max } = summary.sampleValues;
    if (min !== summary.sampleTypes || max !== summary.sampleTypes) {
      // Every sample before the first different one has sample 0's count: one of the two is the first odd sample.
      const odd =
        summary.firstSampleValues !== summary.sampleTypes || summary.firstDifferentSample === undefined
          ? { index: 0, values: summary.firstSampleValues }
          : summary.firstDifferentSample;
      return sampleValuesMismatch(odd.index, odd.values, summary.sampleTypes);
    }
  }
  return undefined;
}

/** Go's "mismatch: sample has N values vs. M types", naming the sample. */
export function sampleValuesMismatch(index: number, values: number, sampleTypes: number): string {
  return `sample ${index} has ${values} value${values === 1 ? '' : 's'} for ${sampleTypes} sample type${sampleTypes === 1 ? '' : 's'}`;
}

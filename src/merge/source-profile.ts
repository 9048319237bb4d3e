/**
 * One profile being merged, read from its (inflated) protobuf bytes by the merge's own decoder:
 * the header, mappings, functions and locations as small objects, the string table in place,
 * the samples in typed arrays (source-samples.ts). Two passes over the top-level fields: the
 * first reads everything but the samples (Go writes the string table and the locations after
 * them), the second the samples. Everything is checked before it is returned (references,
 * string indices, ids), so the merge never folds half a profile. Throws SourceProfileError.
 */
import { type SampleBuffers, SampleStager, type SourceSamples } from './source-samples.js';
import { SourceStrings } from './source-strings.js';
import {
  readFunction,
  readLocation,
  readMapping,
  readValueType,
  type SourceFunction,
  type SourceLocation,
  type SourceMapping,
  type SourceValueType,
} from './source-tables.js';
import { WIRE_BYTES, WIRE_VARINT, WireFormatError, WireReader } from './wire-reader.js';

export { SampleBuffers, type RawLabel } from './source-samples.js';
export type { SourceFunction, SourceLocation, SourceMapping, SourceValueType } from './source-tables.js';

/** The profile's bytes do not hold a pprof profile the merge can read; the message says why. */
export class SourceProfileError extends Error {
  override readonly name = 'SourceProfileError';
}

export interface SourceHeader {
  readonly sampleTypes: readonly SourceValueType[];
  readonly periodType: SourceValueType | undefined;
  readonly period: bigint;
  readonly timeNanos: bigint;
  readonly durationNanos: bigint;
  readonly comments: readonly number[];
  readonly dropFrames: number;
  readonly keepFrames: number;
  readonly defaultSampleType: number;
  readonly docUrl: number;
}

export interface SourceProfile {
  readonly strings: SourceStrings;
  readonly header: SourceHeader;
  /** In the order the profile lists them: the first is the main binary. */
  readonly mappings: readonly SourceMapping[];
  readonly functions: readonly SourceFunction[];
  readonly locations: readonly SourceLocation[];
  readonly mappingIndex: ReadonlyMap<number, number>;
  readonly functionIndex: ReadonlyMap<number, number>;
  readonly samples: SourceSamples;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

interface Tables {
  header: Writable<SourceHeader> & { sampleTypes: SourceValueType[]; comments: number[] };
  mappings: SourceMapping[];
  functions: SourceFunction[];
  locations: SourceLocation[];
}

/** `buffers` are reused for the samples: the result is valid until the next call with the same buffers. */
export function readSourceProfile(protobuf: Uint8Array, buffers: SampleBuffers): SourceProfile {
  const strings = new SourceStrings(protobuf);
  const tables = readTables(protobuf, strings);
  const mappingIndex = indexById(tables.mappings, 'mapping');
  const functionIndex = indexById(tables.functions, 'function');
  const locationIds = locationIndexer(tables.locations);
  checkReferences(tables, strings, mappingIndex, functionIndex);
  const samples = readSamples(protobuf, buffers, {
    valueCount: tables.header.sampleTypes.length,
    stringCount: strings.count,
    ...locationIds,
    fail: (message) => {
      throw new SourceProfileError(message);
    },
  });
  return {
    strings,
    header: tables.header,
    mappings: tables.mappings,
    functions: tables.functions,
    locations: tables.locations,
    mappingIndex,
    functionIndex,
    samples,
  };
}

/** Pass 1: every top-level field but the samples. */
function readTables(protobuf: Uint8Array, strings: SourceStrings): Tables {
  const reader = new WireReader(protobuf);
  const tables: Tables = {
    header: {
      sampleTypes: [],
      periodType: undefined,
      period: 0n,
      timeNanos: 0n,
      durationNanos: 0n,
      comments: [],
      dropFrames: 0,
      keepFrames: 0,
      defaultSampleType: 0,
      docUrl: 0,
    },
    mappings: [],
    functions: [],
    locations: [],
  };
  const header = tables.header;
  wrapWireErrors(() => {
    while (!reader.done) {
      const tag = reader.uint();
      const field = tag >>> 3;
      switch (field) {
        case 1:
          header.sampleTypes.push(readValueType(reader, messageLength(reader, tag, 'Profile.sample_type')));
          break;
        case 2:
          reader.skip(messageTag(reader, tag, 'Profile.sample'));
          break;
        case 3:
          tables.mappings.push(readMapping(reader, messageLength(reader, tag, 'Profile.mapping')));
          break;
        case 4:
          tables.locations.push(readLocation(reader, messageLength(reader, tag, 'Profile.location')));
          break;
        case 5:
          tables.functions.push(readFunction(reader, messageLength(reader, tag, 'Profile.function')));
          break;
        case 6: {
          const length = messageLength(reader, tag, 'Profile.string_table');
          strings.push(reader.pos, reader.pos + length);
          reader.pos += length;
          break;
        }
        case 11:
          header.periodType = readValueType(reader, messageLength(reader, tag, 'Profile.period_type'));
          break;
        case 13:
          readComments(reader, tag, header.comments);
          break;
        default:
          if (field >= 7 && field <= 15) readHeaderScalar(reader, tag, tables.header);
          else reader.skip(tag & 7);
      }
    }
  });
  return tables;
}

function readHeaderScalar(reader: WireReader, tag: number, header: Tables['header']): void {
  const field = tag >>> 3;
  reader.expectWireType(tag, WIRE_VARINT, `Profile field ${field}`);
  if (field === 7) header.dropFrames = reader.uint();
  else if (field === 8) header.keepFrames = reader.uint();
  else if (field === 9) header.timeNanos = reader.int64Big();
  else if (field === 10) header.durationNanos = reader.int64Big();
  else if (field === 12) header.period = reader.int64Big();
  else if (field === 14) header.defaultSampleType = reader.uint();
  else if (field === 15) header.docUrl = reader.uint();
  else reader.skip(WIRE_VARINT);
}

function readComments(reader: WireReader, tag: number, comments: number[]): void {
  if ((tag & 7) === WIRE_VARINT) {
    comments.push(reader.uint());
    return;
  }
  reader.expectWireType(tag, WIRE_BYTES, 'Profile.comment');
  const length = reader.length();
  const stop = reader.pos + length;
  while (reader.pos < stop) comments.push(reader.uint());
  if (reader.pos !== stop) reader.fail('Profile.comment ends inside a varint');
}

/** Pass 2: the samples. */
function readSamples(protobuf: Uint8Array, buffers: SampleBuffers, context: ConstructorParameters<typeof SampleStager>[0]): SourceSamples {
  const stager = new SampleStager(context, buffers);
  const reader = new WireReader(protobuf);
  wrapWireErrors(() => {
    while (!reader.done) {
      const tag = reader.uint();
      if (tag === ((2 << 3) | WIRE_BYTES)) stager.read(reader, reader.length());
      else reader.skip(tag & 7);
    }
  });
  return stager.finish();
}

function messageLength(reader: WireReader, tag: number, field: string): number {
  reader.expectWireType(tag, WIRE_BYTES, field);
  return reader.length();
}

function messageTag(reader: WireReader, tag: number, field: string): number {
  reader.expectWireType(tag, WIRE_BYTES, field);
  return tag & 7;
}

function wrapWireErrors(read: () => void): void {
  try {
    read();
  } catch (err) {
    if (err instanceof WireFormatError) throw new SourceProfileError(err.message, { cause: err });
    throw err;
  }
}

function indexById(entries: readonly { readonly id: number }[], what: string): Map<number, number> {
  const index = new Map<number, number>();
  entries.forEach((entry, i) => {
    if (entry.id === 0) throw new SourceProfileError(`a ${what} has id 0`);
    if (index.has(entry.id)) throw new SourceProfileError(`two ${what}s have id ${entry.id}`);
    index.set(entry.id, i);
  });
  return index;
}

/** id → index of the location: a map, and an array of the ids up to 4 × the count (Go numbers them 1..n). */
function locationIndexer(locations: readonly SourceLocation[]): { locationIndex: (id: number) => number; denseLocationIndex: Int32Array } {
  const byId = indexById(locations, 'location');
  const dense = new Int32Array(4 * locations.length + 1024).fill(-1);
  for (const [id, index] of byId) if (id < dense.length) dense[id] = index;
  return { locationIndex: (id) => byId.get(id) ?? -1, denseLocationIndex: dense };
}

function checkReferences(tables: Tables, strings: SourceStrings, mappingIndex: Map<number, number>, functionIndex: Map<number, number>): void {
  const stringCount = strings.count;
  const checkString = (index: number, what: string): void => {
    if (index >= stringCount) throw new SourceProfileError(`${what} refers to string ${index}, outside the string_table (${stringCount} entries)`);
  };
  if (stringCount === 0) throw new SourceProfileError('the profile has no string_table');
  if (!strings.isEmpty(0)) throw new SourceProfileError("string_table[0] must be ''");
  const h = tables.header;
  for (const vt of [...h.sampleTypes, ...(h.periodType ? [h.periodType] : [])]) {
    checkString(vt.type, 'a sample or period type');
    checkString(vt.unit, 'a sample or period type');
  }
  for (const index of [h.dropFrames, h.keepFrames, h.defaultSampleType, h.docUrl, ...h.comments]) checkString(index, 'the profile header');
  for (const m of tables.mappings) {
    checkString(m.filename, `mapping ${m.id}`);
    checkString(m.buildId, `mapping ${m.id}`);
  }
  for (const f of tables.functions) {
    checkString(f.name, `function ${f.id}`);
    checkString(f.systemName, `function ${f.id}`);
    checkString(f.filename, `function ${f.id}`);
  }
  for (const loc of tables.locations) {
    if (loc.mappingId !== 0 && !mappingIndex.has(loc.mappingId)) throw new SourceProfileError(`location ${loc.id} refers to missing mapping ${loc.mappingId}`);
    for (let i = 0; i < loc.lines.length; i += 3) {
      const fnId = loc.lines[i]!;
      if (fnId !== 0 && !functionIndex.has(fnId)) throw new SourceProfileError(`location ${loc.id} refers to missing function ${fnId}`);
    }
  }
}

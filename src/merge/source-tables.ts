/**
 * The small messages of one profile being merged (google/pprof proto/profile.proto): ValueType,
 * Mapping, Function, Location with its Lines, read from the wire with the field numbers and
 * wire types Go's decoder expects. Unknown fields are skipped, as Go does. String fields hold
 * indices into the profile's own string_table; references hold the profile's own ids.
 */
import { WIRE_BYTES, WIRE_VARINT, type WireReader } from './wire-reader.js';

export interface SourceValueType {
  readonly type: number;
  readonly unit: number;
}

export interface SourceMapping {
  readonly id: number;
  readonly start: bigint;
  readonly limit: bigint;
  readonly offset: bigint;
  readonly filename: number;
  readonly buildId: number;
  readonly hasFunctions: boolean;
  readonly hasFilenames: boolean;
  readonly hasLineNumbers: boolean;
  readonly hasInlineFrames: boolean;
}

export interface SourceFunction {
  readonly id: number;
  readonly name: number;
  readonly systemName: number;
  readonly filename: number;
  readonly startLine: number;
}

export interface SourceLocation {
  readonly id: number;
  readonly mappingId: number;
  readonly address: bigint;
  /** Lines, innermost first, flattened: function id (0: none), line, column. */
  readonly lines: number[];
  readonly isFolded: boolean;
}

/** Reads the message of `length` bytes at the reader's position with `readField` for each field. */
function readMessage(reader: WireReader, length: number, readField: (tag: number) => boolean): void {
  const outerEnd = reader.end;
  reader.end = reader.pos + length;
  while (!reader.done) {
    const tag = reader.uint();
    if (!readField(tag)) reader.skip(tag & 7);
  }
  reader.end = outerEnd;
}

/** A varint field (wire type 0), as Go's decodeInt64/decodeUint64/decodeBool read it. */
function varintField(reader: WireReader, tag: number, name: string): void {
  reader.expectWireType(tag, WIRE_VARINT, name);
}

export function readValueType(reader: WireReader, length: number): SourceValueType {
  let type = 0;
  let unit = 0;
  readMessage(reader, length, (tag) => {
    switch (tag >>> 3) {
      case 1:
        varintField(reader, tag, 'ValueType.type');
        type = reader.uint();
        return true;
      case 2:
        varintField(reader, tag, 'ValueType.unit');
        unit = reader.uint();
        return true;
      default:
        return false;
    }
  });
  return { type, unit };
}

export function readMapping(reader: WireReader, length: number): SourceMapping {
  let id = 0;
  let start = 0n;
  let limit = 0n;
  let offset = 0n;
  let filename = 0;
  let buildId = 0;
  const flags = [false, false, false, false];
  readMessage(reader, length, (tag) => {
    const field = tag >>> 3;
    if (field < 1 || field > 10) return false;
    varintField(reader, tag, `Mapping field ${field}`);
    if (field === 1) id = reader.uint();
    else if (field === 2) start = reader.uint64();
    else if (field === 3) limit = reader.uint64();
    else if (field === 4) offset = reader.uint64();
    else if (field === 5) filename = reader.uint();
    else if (field === 6) buildId = reader.uint();
    else flags[field - 7] = reader.uint64() !== 0n;
    return true;
  });
  const [hasFunctions = false, hasFilenames = false, hasLineNumbers = false, hasInlineFrames = false] = flags;
  return { id, start, limit, offset, filename, buildId, hasFunctions, hasFilenames, hasLineNumbers, hasInlineFrames };
}

export function readFunction(reader: WireReader, length: number): SourceFunction {
  let id = 0;
  let name = 0;
  let systemName = 0;
  let filename = 0;
  let startLine = 0;
  readMessage(reader, length, (tag) => {
    const field = tag >>> 3;
    if (field < 1 || field > 5) return false;
    varintField(reader, tag, `Function field ${field}`);
    if (field === 1) id = reader.uint();
    else if (field === 2) name = reader.uint();
    else if (field === 3) systemName = reader.uint();
    else if (field === 4) filename = reader.uint();
    else startLine = Number(reader.int64());
    return true;
  });
  return { id, name, systemName, filename, startLine };
}

export function readLocation(reader: WireReader, length: number): SourceLocation {
  let id = 0;
  let mappingId = 0;
  let address = 0n;
  let isFolded = false;
  const lines: number[] = [];
  readMessage(reader, length, (tag) => {
    const field = tag >>> 3;
    if (field === 4) {
      reader.expectWireType(tag, WIRE_BYTES, 'Location.line');
      readLine(reader, reader.length(), lines);
      return true;
    }
    if (field < 1 || field > 5) return false;
    varintField(reader, tag, `Location field ${field}`);
    if (field === 1) id = reader.uint();
    else if (field === 2) mappingId = reader.uint();
    else if (field === 3) address = reader.uint64();
    else isFolded = reader.uint64() !== 0n;
    return true;
  });
  return { id, mappingId, address, lines, isFolded };
}

function readLine(reader: WireReader, length: number, lines: number[]): void {
  let functionId = 0;
  let line = 0;
  let column = 0;
  readMessage(reader, length, (tag) => {
    const field = tag >>> 3;
    if (field < 1 || field > 3) return false;
    varintField(reader, tag, `Line field ${field}`);
    if (field === 1) functionId = reader.uint();
    else if (field === 2) line = Number(reader.int64());
    else column = Number(reader.int64());
    return true;
  });
  lines.push(functionId, line, column);
}

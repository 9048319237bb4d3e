/**
 * Reads protobuf wire data in place, for the merge's own decoder (source-profile.ts): varints,
 * lengths, tags and skipping, each checked against the end of the enclosing message. Nothing is
 * copied; every problem is a WireFormatError with the offset it was found at.
 */

/** The bytes are not well-formed protobuf, or hold a value the merge cannot represent. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** A cursor over `bytes[pos, end)`. `end` is the end of the message being read. */
export class WireReader {
  pos: number;
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint that must fit a JavaScript number exactly (ids, indices, lengths, line numbers). */
  uint(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos >= this.end) this.fail('the data ends inside a varint');
    let b = bytes[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    let multiplier = 128;
    // Up to 7 bytes (49 bits) add exactly; anything longer goes through BigInt.
    for (let i = 1; i < 7; i++) {
      if (pos >= this.end) this.fail('the data ends inside a varint');
      b = bytes[pos++]!;
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      multiplier *= 128;
    }
    const big = this.uint64();
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`value ${big} is larger than this merge supports for an id, index or length`);
    return Number(big);
  }

  /** An unsigned 64-bit varint, exactly (addresses, mapping bounds). Reads from the varint's start. */
  uint64(): bigint {
    return BigInt.asUintN(64, this.varint64(this.pos));
  }

  /**
   * A signed 64-bit varint (int64 as Go encodes it: negatives in ten bytes): a number when it is
   * a safe integer, else a bigint.
   */
  int64(): number | bigint {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) this.fail('the data ends inside a varint');
      const b = bytes[pos++]!;
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      multiplier *= 128;
    }
    const big = BigInt.asIntN(64, this.varint64(start));
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** A signed 64-bit varint as a bigint (times, durations, periods). */
  int64Big(): bigint {
    const value = this.int64();
    return typeof value === 'bigint' ? value : BigInt(value);
  }

  /** A length prefix; the bytes it announces must lie inside the current message. */
  length(): number {
    const length = this.uint();
    if (this.pos + length > this.end) this.fail(`a field declares ${length} bytes, more than its enclosing message holds`);
    return length;
  }

  /** Skips the value of a field with this wire type (unknown fields, as Go's decoder does). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64(this.pos);
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_BYTES:
        this.advance(this.length());
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        this.fail(`unknown wire type ${wireType}`);
    }
  }

  /** A field's wire type must be the one its decoder expects. */
  expectWireType(tag: number, wireType: number, field: string): void {
    if ((tag & 7) !== wireType) this.fail(`${field} has wire type ${tag & 7}`);
  }

  fail(message: string): never {
    throw new WireFormatError(message, this.pos);
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) this.fail(`not enough data for ${count} bytes`);
    this.pos += count;
  }

  /** The varint starting at `start`, exactly; leaves pos after it. */
  private varint64(start: number): bigint {
    const bytes = this.bytes;
    let pos = start;
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= this.end) {
        this.pos = pos;
        this.fail('the data ends inside a varint');
      }
      const b = bytes[pos++]!;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    this.pos = pos;
    this.fail('bad varint: longer than 10 bytes');
  }
}

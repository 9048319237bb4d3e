/**
 * Writes protobuf wire data into one growing buffer: varints, int64s (negatives in ten bytes, as
 * Go writes them), strings, packed repeated fields and nested messages, whose length prefix is
 * filled in once the message is written. Zero scalars are left out, as proto3 and Go do.
 */
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

export class ProtoWriter {
  private bytes = new Uint8Array(256 * 1024);
  private pos = 0;

  /** The bytes written so far (a view of the buffer). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  /** A varint field; left out when 0. `value` must be a non-negative safe integer or a bigint. */
  uint(field: number, value: number | bigint): void {
    if (value === 0 || value === 0n) return;
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  /** An int64 field (two's complement for negatives); left out when 0. */
  int64(field: number, value: number | bigint): void {
    if (value === 0 || value === 0n) return;
    this.tag(field, WIRE_VARINT);
    this.signed(value);
  }

  bool(field: number, value: boolean): void {
    if (value) this.uint(field, 1);
  }

  /** A string field, written even when empty (the string table's first entry is ''). */
  string(field: number, value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.tag(field, WIRE_BYTES);
    this.varint(length);
    this.ensure(length);
    if (length > 0) Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).write(value, this.pos, length, 'utf8');
    this.pos += length;
  }

  /** A packed repeated uint64 field of non-negative safe integers; left out when empty. */
  packedUints(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    this.message(field, () => {
      for (let i = 0; i < values.length; i++) this.varint(values[i]!);
    });
  }

  /** A packed repeated int64 field; left out when empty. */
  packedInt64s(field: number, values: ArrayLike<number | bigint>): void {
    if (values.length === 0) return;
    this.message(field, () => {
      for (let i = 0; i < values.length; i++) this.signed(values[i]!);
    });
  }

  /** A nested message (or any length-delimited field) written by `write`. */
  message(field: number, write: () => void): void {
    this.tag(field, WIRE_BYTES);
    this.ensure(1);
    const lengthAt = this.pos;
    this.pos += 1; // room for a one-byte length, the usual case
    write();
    const length = this.pos - lengthAt - 1;
    if (length < 0x80) {
      this.bytes[lengthAt] = length;
      return;
    }
    const prefix = varintSize(length);
    this.ensure(prefix);
    this.bytes.copyWithin(lengthAt + prefix, lengthAt + 1, this.pos);
    this.pos = lengthAt;
    this.writeVarint(length);
    this.pos += length;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private signed(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0) this.varint(value);
    else this.varint(BigInt.asUintN(64, BigInt(value)));
  }

  private varint(value: number | bigint): void {
    this.ensure(10);
    this.writeVarint(value);
  }

  /** Writes at pos without growing the buffer: the caller made room. */
  private writeVarint(value: number | bigint): void {
    const bytes = this.bytes;
    let pos = this.pos;
    if (typeof value === 'bigint') {
      let v = value;
      while (v >= 0x80n) {
        bytes[pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      bytes[pos++] = Number(v);
    } else if (value < 0x80000000) {
      let v = value;
      while (v >= 0x80) {
        bytes[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      bytes[pos++] = v;
    } else {
      let v = value;
      while (v >= 0x80) {
        bytes[pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      bytes[pos++] = v;
    }
    this.pos = pos;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + extra));
    bigger.set(this.bytes.subarray(0, this.pos));
    this.bytes = bigger;
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size += 1;
  return size;
}

/**
 * The string_table of one profile being merged, read in place: entries are decoded (UTF-8) the
 * first time they are asked for, so a large table costs only its offsets until it is used.
 */
export class SourceStrings {
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private decoded: Array<string | undefined> = [];
  private size = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get count(): number {
    return this.size;
  }

  /** Records the next entry: bytes[start, end). */
  push(start: number, end: number): void {
    if (this.size === this.starts.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.starts[this.size] = start;
    this.ends[this.size] = end;
    this.size += 1;
  }

  /** Entry `index`, which the caller has checked is inside the table. */
  get(index: number): string {
    let value = this.decoded[index];
    if (value === undefined) {
      const bytes = this.bytes;
      value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', this.starts[index], this.ends[index]);
      this.decoded[index] = value;
    }
    return value;
  }

  /** Whether entry `index` is empty, without decoding it. */
  isEmpty(index: number): boolean {
    return this.starts[index] === this.ends[index];
  }
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

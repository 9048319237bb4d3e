/**
 * The merged samples: one per distinct key (a label set id, then the merged location ids), with
 * the values of every sample with that key summed. Keys live in one Int32Array and are found
 * through an open-addressing hash table, so memory follows the number of distinct keys and no
 * object is made per sample. Values are summed as doubles while they are safe integers and as
 * 64-bit integers (wrapping like Go's int64) past that.
 */
export class SampleTable {
  /** Distinct samples so far; indices 0 .. count-1, in the order they were first added. */
  count = 0;
  private keys = new Int32Array(64 * 1024);
  private keysUsed = 0;
  /** Sample i's key is keys[keyStart[i] .. keyStart[i + 1]). */
  private keyStart = new Int32Array(4 * 1024 + 1);
  private hashes = new Int32Array(4 * 1024);
  /** 1 + sample index, 0 for an empty slot; the length is a power of two, at most half full. */
  private slots = new Int32Array(8 * 1024);
  private values: Float64Array;
  /** Values that are not safe integers, by position in `values` (which holds NaN there). */
  private readonly exact = new Map<number, bigint>();

  constructor(readonly valueCount: number) {
    this.values = new Float64Array(4 * 1024 * valueCount);
  }

  /** The index of the sample with key[0 .. length), added with zero values if new. */
  find(key: Int32Array, length: number): number {
    const hash = hashInts(key, length);
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
      const index = entry - 1;
      if (this.hashes[index] === hash && this.keyEquals(index, key, length)) return index;
      slot = (slot + 1) & mask;
    }
    const index = this.append(key, length, hash);
    slots[slot] = index + 1;
    if (this.count * 2 > slots.length) this.rehash(slots.length * 2);
    return index;
  }

  /** Adds `value` to value `position` of sample `index`. */
  add(index: number, position: number, value: number | bigint): void {
    const at = index * this.valueCount + position;
    if (typeof value === 'number') {
      const sum = this.values[at]! + value;
      // NaN (an exact value already) fails both comparisons too.
      if (sum <= Number.MAX_SAFE_INTEGER && sum >= -Number.MAX_SAFE_INTEGER) {
        this.values[at] = sum;
        return;
      }
    }
    const current = this.exact.get(at) ?? BigInt(this.values[at]!);
    const sum = BigInt.asIntN(64, current + BigInt(value));
    if (sum <= BigInt(Number.MAX_SAFE_INTEGER) && sum >= BigInt(-Number.MAX_SAFE_INTEGER)) {
      this.values[at] = Number(sum);
      this.exact.delete(at);
    } else {
      this.values[at] = Number.NaN;
      this.exact.set(at, sum);
    }
  }

  value(index: number, position: number): number | bigint {
    const at = index * this.valueCount + position;
    const value = this.values[at]!;
    return Number.isNaN(value) ? this.exact.get(at)! : value;
  }

  /** Whether every value of sample `index` sums to zero (Go drops such samples from the result). */
  isZero(index: number): boolean {
    const from = index * this.valueCount;
    for (let i = 0; i < this.valueCount; i++) if (this.values[from + i] !== 0) return false;
    return true;
  }

  /** Sample `index`'s key: its label set id, then its location ids. A view: do not keep it across find(). */
  key(index: number): Int32Array {
    return this.keys.subarray(this.keyStart[index]!, this.keyStart[index + 1]!);
  }

  private keyEquals(index: number, key: Int32Array, length: number): boolean {
    const start = this.keyStart[index]!;
    if (this.keyStart[index + 1]! - start !== length) return false;
    const keys = this.keys;
    for (let i = 0; i < length; i++) if (keys[start + i] !== key[i]) return false;
    return true;
  }

  private append(key: Int32Array, length: number, hash: number): number {
    const index = this.count;
    if (index === this.hashes.length) {
      this.keyStart = growInt32(this.keyStart, index * 2 + 1);
      this.hashes = growInt32(this.hashes, index * 2);
      const values = new Float64Array(index * 2 * this.valueCount);
      values.set(this.values);
      this.values = values;
    }
    if (this.keysUsed + length > this.keys.length) this.keys = growInt32(this.keys, Math.max(this.keys.length * 2, this.keysUsed + length));
    this.keys.set(key.subarray(0, length), this.keysUsed);
    this.keysUsed += length;
    this.keyStart[index + 1] = this.keysUsed;
    this.hashes[index] = hash;
    this.count += 1;
    return index;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = this.hashes[index]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}

/** MurmurHash3's mixing over 32-bit ints. */
function hashInts(key: Int32Array, length: number): number {
  let h = 0x9747b28c ^ length;
  for (let i = 0; i < length; i++) {
    let k = Math.imul(key[i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function growInt32(array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

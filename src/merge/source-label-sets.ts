/**
 * The distinct label sets of one profile being merged, each with an id (1, 2, …), as the
 * samples are read: a sample's labels are pushed one by one, then id() gives the set's id. Most
 * samples carry one label (a heap profile's allocation size: `bytes`), so a single label is
 * looked up by numbers, without building a key string or an object per sample.
 */

/** A label as the profile holds it: string indices into its own table. */
export interface RawLabel {
  readonly key: number;
  readonly str: number;
  readonly num: number | bigint;
  readonly unit: number;
}

const SMALL = 2 ** 17;

export class SourceLabelSets {
  /** Set id i is sets[i - 1]. */
  readonly sets: RawLabel[][] = [];
  private count = 0;
  private readonly keys: number[] = [];
  private readonly strs: number[] = [];
  private readonly nums: (number | bigint)[] = [];
  private readonly units: number[] = [];
  private readonly single = new Map<number, Map<number | bigint, number>>();
  private readonly byText = new Map<string, number>();

  /** Labels pushed since the last clear(). */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  push(key: number, str: number, num: number | bigint, unit: number): void {
    const i = this.count++;
    this.keys[i] = key;
    this.strs[i] = str;
    this.nums[i] = num;
    this.units[i] = unit;
  }

  /** The id of the labels pushed since clear(): the same for the same labels in the same order. */
  id(): number {
    if (this.count === 1) {
      const [key, str, unit] = [this.keys[0]!, this.strs[0]!, this.units[0]!];
      if (key < SMALL && str < SMALL && unit < SMALL) {
        const combined = key + str * SMALL + unit * SMALL * SMALL;
        let byNum = this.single.get(combined);
        if (byNum === undefined) {
          byNum = new Map();
          this.single.set(combined, byNum);
        }
        let id = byNum.get(this.nums[0]!);
        if (id === undefined) {
          id = this.add();
          byNum.set(this.nums[0]!, id);
        }
        return id;
      }
    }
    let text = '';
    for (let i = 0; i < this.count; i++) text += `${this.keys[i]},${this.strs[i]},${this.nums[i]},${this.units[i]};`;
    let id = this.byText.get(text);
    if (id === undefined) {
      id = this.add();
      this.byText.set(text, id);
    }
    return id;
  }

  private add(): number {
    const set: RawLabel[] = [];
    for (let i = 0; i < this.count; i++) set.push({ key: this.keys[i]!, str: this.strs[i]!, num: this.nums[i]!, unit: this.units[i]! });
    this.sets.push(set);
    return this.sets.length;
  }
}

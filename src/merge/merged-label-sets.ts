/**
 * Every distinct set of sample labels in the merged profile, once, with an id: part of a
 * sample's identity, as in Go's sampleKey. Labels are read as Go reads them (profile.postDecode):
 * a label with a string value is a string label; else one with a number or a unit is a numeric
 * label; else it is dropped. Two samples have the same labels when they have, per key, the same
 * string values in the same order and the same numeric values with the same units in the same
 * order: so a set is kept with its labels sorted by kind (string labels first) and key, values
 * in their order, which is also the order Go writes them back in.
 */
import type { ProfileRemap } from './profile-remap.js';
import type { RawLabel } from './source-samples.js';
import type { MergedStrings } from './merged-tables.js';

/** A label of the merged profile: merged string ids. A string label has `str` ≠ 0 and no num/unit. */
export interface MergedLabel {
  readonly key: number;
  readonly str: number;
  readonly num: number | bigint;
  readonly unit: number;
}

interface Keyed extends MergedLabel {
  readonly numeric: boolean;
  readonly keyText: string;
}

export class MergedLabelSets {
  /** Set 0 is the empty set. */
  readonly sets: (readonly MergedLabel[])[] = [[]];
  private readonly ids = new Map<string, number>([['', 0]]);

  constructor(private readonly strings: MergedStrings) {}

  /** The id of a sample's labels, as the profile `remap` maps holds them. */
  idFor(raw: readonly RawLabel[], remap: ProfileRemap): number {
    const labels: Keyed[] = [];
    for (const l of raw) {
      const numeric = l.str === 0;
      if (numeric && l.num === 0 && l.unit === 0) continue;
      const key = remap.string(l.key);
      labels.push({
        key,
        str: numeric ? 0 : remap.string(l.str),
        num: numeric ? l.num : 0,
        unit: numeric ? remap.string(l.unit) : 0,
        numeric,
        keyText: this.strings.list[key]!,
      });
    }
    // Stable: values of one key keep their order.
    labels.sort((a, b) => (a.numeric === b.numeric ? compareText(a.keyText, b.keyText) : a.numeric ? 1 : -1));
    let text = '';
    for (const l of labels) text += l.numeric ? `n${l.key}:${l.num}:${l.unit};` : `s${l.key}:${l.str};`;
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(labels.map(({ key, str, num, unit }) => ({ key, str, num, unit })));
      this.ids.set(text, id);
    }
    return id;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

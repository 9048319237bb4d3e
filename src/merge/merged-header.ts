/**
 * The merged profile's header, combined as Go's combineHeaders (merge.go) does: sample types,
 * period type, drop_frames and keep_frames from the first profile, which every other must match
 * in sample types and period type; time the earliest (Go's rule, zero included), durations
 * summed, period the largest, comments once each in order, default sample type (and doc URL)
 * the first one set.
 */
import { IncompatibleProfilesError } from './merge-errors.js';
import type { SourceProfile, SourceValueType } from './source-profile.js';

export interface ValueTypeText {
  readonly type: string;
  readonly unit: string;
}

interface First {
  readonly name: string;
  readonly sampleTypes: readonly ValueTypeText[];
  readonly periodType: ValueTypeText;
  readonly dropFrames: string;
  readonly keepFrames: string;
}

export class MergedHeader {
  private first: First | undefined;
  timeNanos = 0n;
  durationNanos = 0n;
  period = 0n;
  readonly comments: string[] = [];
  private readonly seenComments = new Set<string>();
  defaultSampleType = '';
  docUrl = '';

  get sampleTypes(): readonly ValueTypeText[] {
    return this.first?.sampleTypes ?? [];
  }
  get periodType(): ValueTypeText {
    return this.first?.periodType ?? { type: '', unit: '' };
  }
  get dropFrames(): string {
    return this.first?.dropFrames ?? '';
  }
  get keepFrames(): string {
    return this.first?.keepFrames ?? '';
  }

  /** Throws IncompatibleProfilesError, naming both profiles and their types, unless `source` can join the merge. */
  check(source: SourceProfile, name: string): void {
    const first = this.first;
    if (first === undefined) return;
    const text = (vt: SourceValueType | undefined): ValueTypeText => valueTypeText(source, vt);
    const periodType = text(source.header.periodType);
    const sampleTypes = source.header.sampleTypes.map(text);
    if (!sameValueTypes(sampleTypes, first.sampleTypes)) {
      throw new IncompatibleProfilesError(
        `cannot merge ${name} with ${first.name}: ${name} has sample types ${listText(sampleTypes)}, ${first.name} has ${listText(first.sampleTypes)}; ` +
          'only profiles of the same type merge',
        name,
        first.name,
      );
    }
    if (!sameValueTypes([periodType], [first.periodType])) {
      throw new IncompatibleProfilesError(
        `cannot merge ${name} with ${first.name}: ${name} has period type ${listText([periodType])}, ${first.name} has ${listText([first.periodType])}`,
        name,
        first.name,
      );
    }
  }

  /** Adds `source`'s header; check() first. */
  fold(source: SourceProfile, name: string): void {
    const h = source.header;
    const str = (index: number): string => source.strings.get(index);
    if (this.first === undefined) {
      this.first = {
        name,
        sampleTypes: h.sampleTypes.map((vt) => valueTypeText(source, vt)),
        periodType: valueTypeText(source, h.periodType),
        dropFrames: str(h.dropFrames),
        keepFrames: str(h.keepFrames),
      };
    }
    if (this.timeNanos === 0n || h.timeNanos < this.timeNanos) this.timeNanos = h.timeNanos;
    this.durationNanos = BigInt.asIntN(64, this.durationNanos + h.durationNanos);
    if (this.period === 0n || this.period < h.period) this.period = h.period;
    for (const index of h.comments) {
      const comment = str(index);
      if (!this.seenComments.has(comment)) {
        this.seenComments.add(comment);
        this.comments.push(comment);
      }
    }
    if (this.defaultSampleType === '') this.defaultSampleType = str(h.defaultSampleType);
    if (this.docUrl === '') this.docUrl = str(h.docUrl);
  }
}

function valueTypeText(source: SourceProfile, vt: SourceValueType | undefined): ValueTypeText {
  return vt === undefined ? { type: '', unit: '' } : { type: source.strings.get(vt.type), unit: source.strings.get(vt.unit) };
}

function sameValueTypes(a: readonly ValueTypeText[], b: readonly ValueTypeText[]): boolean {
  return a.length === b.length && a.every((vt, i) => vt.type === b[i]!.type && vt.unit === b[i]!.unit);
}

function listText(types: readonly ValueTypeText[]): string {
  return `[${types.map((vt) => `${vt.type}/${vt.unit}`).join(' ')}]`;
}

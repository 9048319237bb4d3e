/**
 * The merged profile of a query, and what the pages show of it: the top table (the numbers of
 * `go tool pprof -top` on the merged profile) and the flame graph's tree.
 */
import type { Profile } from 'pprof-format';
import { type FlameProfile, readFlameProfile } from '../../flame/flame-profile.js';
import { type FlameGraphData, flameGraphData } from '../../flame/flame-tree.js';
import { decodeProfile } from '../../pprof/decode-profile.js';
import { type TopReport, topFunctions } from '../../pprof/top.js';
import type { MergeOutcome, TypedQuery, UiBackend } from '../backend.js';

export interface MergedView {
  readonly outcome: MergeOutcome;
  /** Absent when nothing matched (or nothing could be used). */
  readonly merged?: { readonly profile: Profile; readonly top: TopReport };
}

export async function mergedView(backend: UiBackend, query: TypedQuery, sample: string, signal: AbortSignal): Promise<MergedView> {
  const outcome = await backend.merge(query, signal);
  if (outcome.bytes === undefined) return { outcome };
  const profile = decodeProfile(outcome.bytes, `merged ${query.type} profiles of ${query.service}`);
  return { outcome, merged: { profile, top: topFunctions(profile, { sampleIndex: sampleOrDefault(sample) }) } };
}

export function flameOf(view: MergedView, sample: string, title: string): FlameGraphData | undefined {
  const profile = flameProfileOf(view);
  return profile && flameGraphData(profile, { sampleIndex: sampleOrDefault(sample), title });
}

/** The merged bytes read as the flame graph reads profiles (flame-profile.ts), undefined when nothing was merged. */
export function flameProfileOf(view: MergedView): FlameProfile | undefined {
  const bytes = view.merged && view.outcome.bytes;
  return bytes && readFlameProfile(bytes, 'the merged profile');
}

export function sampleOrDefault(sample: string): string | undefined {
  return sample === '' ? undefined : sample;
}

/** The sample types of a profile, for the sample picker. */
export function sampleTypesOf(profile: Profile): string[] {
  return profile.sampleType.map((t) => profile.stringTable.strings[Number(t.type)] ?? '');
}

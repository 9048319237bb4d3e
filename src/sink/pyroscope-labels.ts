/**
 * The label set of one profile pushed to Pyroscope, as Grafana Alloy builds it for Go pprof
 * endpoints (/work/shared/PYROSCOPE_API.md): `__name__` per profile type, `service_name`,
 * `__delta__="false"` on profiles that already cover a window, then the target's labels with
 * their names made valid Prometheus label names. The server refuses more than 30 names, so
 * labels past the limit are left out and reported, as are names that collide or are reserved.
 */
import { BUILTIN_LABELS } from '../discover/pod-targets.js';
import type { ProfileType } from '../profile-types.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';

/**
 * `__name__` per profile type. Alloy sends heap and allocs as `memory`; it has no threadcreate,
 * which keeps its own name. allocs also gets `pprof_type="allocs"` (as in profefe), so the
 * allocation window and the heap snapshot of one pod stay two series rather than adding up.
 */
export const PYROSCOPE_PROFILE_NAMES: Readonly<Record<ProfileType, string>> = {
  cpu: 'process_cpu',
  heap: 'memory',
  allocs: 'memory',
  goroutine: 'goroutine',
  block: 'block',
  mutex: 'mutex',
  threadcreate: 'threadcreate',
};

/** Pyroscope's default `max_label_names_per_series`. */
export const MAX_LABEL_NAMES = 30;

/** Go counts these since the process started; Pyroscope wants the difference over a window. */
const CUMULATIVE_TYPES: ReadonlySet<ProfileType> = new Set(['heap', 'allocs', 'block', 'mutex']);

/** The target's labels in this order first (the ones every profile carries); the extra labels after, sorted. */
const LEADING_LABELS: readonly string[] = BUILTIN_LABELS;

export interface PushLabel {
  readonly name: string;
  readonly value: string;
}

export interface DroppedLabel {
  /** The label's name as the target has it. */
  readonly name: string;
  readonly why: string;
}

export interface PyroscopeLabelSet {
  readonly labels: readonly PushLabel[];
  readonly dropped: readonly DroppedLabel[];
}

/** What the labels are made from: the target, and the time the profile covers (ScrapedProfile's `window`). */
export type WindowedProfile = Pick<ScrapedProfile, 'target' | 'window'>;

/**
 * Whether a profile of a counter type (heap, allocs, block, mutex: counts since the process
 * started) is the difference over a window. Such profiles get `__delta__="false"` ("already a
 * delta, do not diff"); a cumulative one is sent without it, so a server that computes deltas
 * itself still does.
 */
export function coversWindow(profile: WindowedProfile): boolean {
  return CUMULATIVE_TYPES.has(profile.target.type) && profile.window?.kind === 'window';
}

export function pyroscopeLabels(profile: WindowedProfile): PyroscopeLabelSet {
  const { target } = profile;
  const labels: PushLabel[] = [
    { name: '__name__', value: PYROSCOPE_PROFILE_NAMES[target.type] },
    { name: 'service_name', value: target.service },
  ];
  if (coversWindow(profile)) labels.push({ name: '__delta__', value: 'false' });
  if (target.type === 'allocs') labels.push({ name: 'pprof_type', value: 'allocs' });
  const dropped: DroppedLabel[] = [];
  const taken = new Set(labels.map((l) => l.name));
  for (const name of targetLabelOrder(target.labels)) {
    const value = target.labels[name] ?? '';
    const sanitised = sanitiseLabelName(name);
    // An empty value is no label at all in Prometheus' model (and in Pyroscope's).
    if (value === '') continue;
    if (sanitised.startsWith('__')) dropped.push({ name, why: 'names starting with __ are reserved' });
    else if (taken.has(sanitised)) dropped.push({ name, why: `its name, as a Prometheus label name ${sanitised}, is already taken` });
    else if (labels.length >= MAX_LABEL_NAMES) dropped.push({ name, why: `Pyroscope takes at most ${MAX_LABEL_NAMES} labels per profile` });
    else {
      labels.push({ name: sanitised, value });
      taken.add(sanitised);
    }
  }
  return { labels, dropped };
}

/** A valid Prometheus label name: every other character becomes `_`, and a leading digit gets a `_` before it. */
export function sanitiseLabelName(name: string): string {
  const replaced = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) || replaced === '' ? `_${replaced}` : replaced;
}

/** `{__name__="memory", service_name="checkout", pod="..."}`: how Pyroscope and Grafana print a series. */
export function labelSelector(labels: readonly PushLabel[]): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

function targetLabelOrder(labels: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(labels);
  const leading = LEADING_LABELS.filter((name) => names.includes(name));
  const rest = names.filter((name) => !LEADING_LABELS.includes(name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...leading, ...rest];
}

/**
 * The checks Pyroscope's distributor makes on each pushed series (/work/shared/PYROSCOPE_API.md,
 * messages as in Pyroscope's pkg/validation): labels (at least one, at most 30 names, a valid
 * `__name__`, `service_name` present, valid names, no duplicates, length limits), each sample a
 * pprof that decodes, at most 4 MiB uncompressed, and optionally not older than a window.
 */
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import type { WireLabel, WireSeries } from './push-wire.js';

export interface PyroscopeLimits {
  /** `max_label_names_per_series`, default 30. */
  readonly maxLabelNamesPerSeries: number;
  /** `max_profile_size_bytes` (uncompressed), default 4 MiB. */
  readonly maxProfileSizeBytes: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  /** `reject-older-than`; off unless set (the test fixtures were recorded long ago). */
  readonly rejectOlderThanMs: number | undefined;
}

export const DEFAULT_LIMITS: PyroscopeLimits = {
  maxLabelNamesPerSeries: 30,
  maxProfileSizeBytes: 4 * 1024 * 1024,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  rejectOlderThanMs: undefined,
};

/** A profile the distributor accepted: its sample with the uncompressed pprof it decoded. */
export interface AcceptedSample {
  readonly id: string;
  readonly rawProfile: Buffer;
  readonly profile: Profile;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Every sample decoded, or the invalid_argument message for the first that does not decode or is
 * over `max_profile_size_bytes`. The size is checked on the uncompressed bytes before the pprof is
 * parsed (Pyroscope parses first: only a profile both too large and corrupt would be told apart),
 * so that a large profile is refused as fast as Pyroscope refuses it.
 */
export function decodeSamples(series: WireSeries, limits: PyroscopeLimits): AcceptedSample[] | string {
  const accepted: AcceptedSample[] = [];
  for (const sample of series.samples) {
    let uncompressed: Buffer;
    try {
      uncompressed = isGzip(sample.rawProfile) ? gunzipSync(sample.rawProfile) : sample.rawProfile;
    } catch (err) {
      return `failed to decompress profile: ${(err as Error).message}`;
    }
    if (limits.maxProfileSizeBytes !== 0 && uncompressed.length > limits.maxProfileSizeBytes) {
      const text = labelPairsString(sortedLabels(series.labels));
      return `the profile with labels '${text}' exceeds the size limit (max_profile_size_byte, actual: ${uncompressed.length}, limit: ${limits.maxProfileSizeBytes})`;
    }
    try {
      const profile = Profile.decode(uncompressed);
      accepted.push({ id: sample.id, rawProfile: sample.rawProfile, profile });
    } catch (err) {
      return `failed to parse profile: ${(err as Error).message}`;
    }
  }
  return accepted;
}

/** ValidateLabels: the message for the first problem, or undefined. */
export function validateLabels(labels: readonly WireLabel[], limits: PyroscopeLimits): string | undefined {
  if (labels.length === 0) return 'error at least one label pair is required per profile';
  const sorted = sortedLabels(labels);
  const text = labelPairsString(sorted);
  if (sorted.length > limits.maxLabelNamesPerSeries) {
    return `profile series '${text}' has ${sorted.length} label names; limit ${limits.maxLabelNamesPerSeries}`;
  }
  if (!METRIC_NAME.test(valueOf(sorted, '__name__'))) return `invalid labels '${text}' with error: invalid metric name`;
  if (valueOf(sorted, 'service_name') === '') return `invalid labels '${text}' with error: service name is not provided`;
  let previous = '';
  for (const { name, value } of sorted) {
    if (name.length > limits.maxLabelNameLength) return `profile with labels '${text}' has label name too long: '${name}'`;
    if (value.length > limits.maxLabelValueLength) return `profile with labels '${text}' has label value too long: '${value}'`;
    if (!LABEL_NAME.test(name)) return `invalid labels '${text}' with error: invalid label name '${name}'`;
    if (name === previous) return `profile with labels '${text}' has duplicate label name: '${name}'`;
    previous = name;
  }
  return undefined;
}

/** The reject-older-than window, when set. */
export function validateSample(sample: AcceptedSample, labels: readonly WireLabel[], limits: PyroscopeLimits, nowMs: number): string | undefined {
  const timeMs = Number(sample.profile.timeNanos) / 1e6;
  if (limits.rejectOlderThanMs !== undefined && timeMs > 0 && timeMs < nowMs - limits.rejectOlderThanMs) {
    const text = labelPairsString(sortedLabels(labels));
    return `profile with labels '${text}' is too old: ${new Date(timeMs).toISOString()} is older than the tenant's reject-older-than window`;
  }
  return undefined;
}

/** phlaremodel.LabelPairsString: `{name="value", name2="value2"}`. */
export function labelPairsString(labels: readonly WireLabel[]): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

function sortedLabels(labels: readonly WireLabel[]): WireLabel[] {
  return [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function valueOf(labels: readonly WireLabel[], name: string): string {
  return labels.find((l) => l.name === name)?.value ?? '';
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

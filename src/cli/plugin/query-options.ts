/**
 * --service, --type, --from, --to, --labels: which stored profiles a command means. Everything is
 * checked here, before any request, and every mistake is a UsageError naming the flag.
 */
import type { Command } from 'commander';
import { parseLabels } from '../../profefe/labels.js';
import { COLLECTOR_TYPES, isProfileType, PROFILE_TYPE_SPECS, PROFILE_TYPES, type CollectorType } from '../../profile-types.js';
import { parseTimeRange, TimeArgError } from '../../query/time-range.js';
import { UsageError } from '../usage-error.js';

export interface QueryFlags {
  service?: string;
  type?: string;
  from: string;
  to: string;
  labels?: string;
}

export interface ProfileQuery {
  readonly service: string;
  /** undefined: every type (only `get profiles` allows that). */
  readonly type: CollectorType | undefined;
  /** --labels plus the labels that select the type (pprof_type=allocs for allocs). */
  readonly labels: Readonly<Record<string, string>>;
  readonly from: Date;
  readonly to: Date;
}

export interface QueryRules {
  /** Whether --type must be given (merge, top: the collector merges one type only). */
  readonly typeRequired: boolean;
  /** Whether --type trace is allowed (not for commands that read the bytes as pprof). */
  readonly allowTrace: boolean;
}

const TYPE_NAMES = [...new Set<string>([...PROFILE_TYPES, ...COLLECTOR_TYPES])];

export function addQueryOptions(command: Command, rules: QueryRules): Command {
  return command
    .option('--service <name>', 'service the profiles belong to (required)')
    .option('--type <type>', `profile type${rules.typeRequired ? ' (required)' : ''}: ${TYPE_NAMES.join(', ')}`)
    .option('--from <time>', 'start of the range: a duration ago (15m, 2h, 7d), "now", or a time (RFC 3339, or YYYY-MM-DD[THH:MM[:SS]] in UTC)', '24h')
    .option('--to <time>', 'end of the range, in the same forms as --from', 'now')
    .option('--labels <k=v,...>', 'only profiles carrying all of these labels, e.g. namespace=shop,pod=api-1');
}

export function profileQuery(flags: QueryFlags, rules: QueryRules, now: Date = new Date()): ProfileQuery {
  const service = flags.service?.trim() ?? '';
  if (service === '') throw new UsageError('--service is required: the collector stores profiles per service (list them with "kubectl profefe get services")');
  if (rules.typeRequired && flags.type === undefined) {
    throw new UsageError(`--type is required: the collector merges profiles of one type; one of ${TYPE_NAMES.join(', ')}`);
  }
  const selected = flags.type === undefined ? undefined : typeFlag(flags.type, rules.allowTrace);
  const labels = mergeLabels(labelsFlag(flags.labels), selected?.labels ?? {});
  let range: { from: Date; to: Date };
  try {
    range = parseTimeRange({ from: flags.from, to: flags.to }, now);
  } catch (err) {
    if (err instanceof TimeArgError) throw new UsageError(err.message);
    throw err;
  }
  return { service, type: selected?.type, labels, ...range };
}

/**
 * `--type` as users write it: a collector type, or a Go profile type that is stored under one
 * (allocs is stored as `other` with the label pprof_type=allocs).
 */
export function typeFlag(value: string, allowTrace: boolean): { type: CollectorType; labels: Readonly<Record<string, string>> } {
  const name = value.trim().toLowerCase();
  if (isProfileType(name)) {
    const spec = PROFILE_TYPE_SPECS[name];
    return { type: spec.collectorType, labels: spec.collectorLabels };
  }
  if ((COLLECTOR_TYPES as readonly string[]).includes(name)) {
    if (name === 'trace' && !allowTrace) throw new UsageError('--type trace: execution traces are not pprof profiles and cannot be merged or summarised');
    return { type: name as CollectorType, labels: {} };
  }
  throw new UsageError(`--type "${value}": unknown profile type; use one of ${TYPE_NAMES.join(', ')} (see "kubectl profefe get profile-types")`);
}

export function labelsFlag(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  const parsed = parseLabels(value);
  if ('error' in parsed) throw new UsageError(`--labels: ${parsed.error}; expected key=value,key2=value2`);
  return parsed.labels;
}

/** --labels plus the labels a --type implies; a contradiction is a UsageError. */
export function mergeLabels(given: Readonly<Record<string, string>>, implied: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = { ...given };
  for (const [key, value] of Object.entries(implied)) {
    if (key in labels && labels[key] !== value) {
      throw new UsageError(`--labels ${key}=${labels[key]} contradicts --type, which selects ${key}=${value}`);
    }
    labels[key] = value;
  }
  return labels;
}

/**
 * What a UI page shows, read from its URL and written back into links: every view is reproduced
 * by its URL alone (shareable). Times stay as typed (`1h` means the last hour whenever the link is
 * opened; an RFC 3339 time is a fixed moment); `absolute` pins them.
 */
import { encodeLabels, parseLabels } from '../profefe/labels.js';
import { COLLECTOR_TYPES, type CollectorType, isProfileType, PROFILE_TYPE_SPECS } from '../profile-types.js';
import { parseTimeArg, TimeArgError } from '../query/time-range.js';
import type { SourceQuery } from '../source/profile-source.js';

/** A URL parameter that cannot be read: the page answers 400 with this message. */
export class ViewParamError extends Error {
  override readonly name = 'ViewParamError';
}

export interface RangeParams {
  /** As typed: a duration ago (`1h`), `now`, or a time. */
  readonly from: string;
  readonly to: string;
}

export interface ViewParams extends RangeParams {
  readonly service: string;
  /** As users name it: cpu, heap, allocs, goroutine, ... or a collector type (other). */
  readonly type: string;
  /** Only profiles carrying all of these labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** A sample type name or index; '' for the profile's default. */
  readonly sample: string;
}

export const DEFAULT_FROM = '1h';
export const DEFAULT_TO = 'now';
/** The range presets offered on every page. */
export const RANGE_PRESETS: readonly string[] = ['15m', '1h', '6h', '24h', '7d', '30d'];

export function text(params: URLSearchParams, name: string, fallback = ''): string {
  return params.get(name)?.trim() || fallback;
}

export function rangeParams(params: URLSearchParams, prefix = ''): RangeParams {
  return { from: text(params, `${prefix}from`, DEFAULT_FROM), to: text(params, `${prefix}to`, DEFAULT_TO) };
}

export function labelsParam(params: URLSearchParams, name: string): Record<string, string> {
  const value = params.get(name);
  if (value === null || value.trim() === '') return {};
  const parsed = parseLabels(value);
  if ('error' in parsed) throw new ViewParamError(`${name}: ${parsed.error}; expected key=value,key2=value2`);
  return parsed.labels;
}

/** service, type, from, to, labels, sample; `service` and `type` required unless told otherwise. */
export function viewParams(params: URLSearchParams, required: { service?: boolean; type?: boolean } = { service: true, type: true }): ViewParams {
  const service = text(params, 'service');
  const type = text(params, 'type').toLowerCase();
  if (required.service !== false && service === '') throw new ViewParamError('service is required: pick one on the services page');
  if (required.type !== false && type === '') throw new ViewParamError('type is required: pick a profile type of the service');
  return { service, type, ...rangeParams(params), labels: labelsParam(params, 'labels'), sample: text(params, 'sample') };
}

/** The collector type a user type is stored as, and the labels that select it (allocs: other + pprof_type=allocs). */
export function storedType(type: string): { type: CollectorType; labels: Readonly<Record<string, string>> } {
  if (isProfileType(type)) return { type: PROFILE_TYPE_SPECS[type].collectorType, labels: PROFILE_TYPE_SPECS[type].collectorLabels };
  if ((COLLECTOR_TYPES as readonly string[]).includes(type) && type !== 'trace') return { type: type as CollectorType, labels: {} };
  throw new ViewParamError(`type "${type}" is not a pprof profile type; use one of cpu, heap, allocs, goroutine, block, mutex, threadcreate, other`);
}

/** The range as dates, `from` not after `to`. */
export function resolveRange(range: RangeParams, now: Date, prefix = ''): { from: Date; to: Date } {
  try {
    const from = parseTimeArg(range.from, now, `${prefix}from`);
    const to = parseTimeArg(range.to, now, `${prefix}to`);
    if (from.getTime() > to.getTime()) {
      throw new ViewParamError(`${prefix}from ${from.toISOString()} is after ${prefix}to ${to.toISOString()}: the range must start before it ends`);
    }
    return { from, to };
  } catch (err) {
    if (err instanceof TimeArgError) throw new ViewParamError(err.message.replace(/^--/, ''));
    throw err;
  }
}

/** The source query of a view (type required). */
export function sourceQuery(view: ViewParams, now: Date): SourceQuery & { readonly type: CollectorType } {
  const stored = storedType(view.type);
  const labels: Record<string, string> = { ...view.labels };
  for (const [key, value] of Object.entries(stored.labels)) {
    if (key in labels && labels[key] !== value)
      throw new ViewParamError(`labels ${key}=${labels[key]} contradicts type ${view.type}, which selects ${key}=${value}`);
    labels[key] = value;
  }
  return { service: view.service, type: stored.type, labels, ...resolveRange(view, now) };
}

export type QueryValue = string | Readonly<Record<string, string>> | undefined;

/** `/view?service=..&type=..`: a page path with its parameters (empty ones left out). */
export function pageUrl(path: string, values: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    const written = typeof value === 'object' ? encodeLabels(value) : value;
    if (written !== undefined && written !== '') params.set(name, written);
  }
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

/** The URL parameters of a view. */
export function viewValues(view: ViewParams): Record<string, QueryValue> {
  return { service: view.service, type: view.type, from: view.from, to: view.to, labels: view.labels, sample: view.sample };
}

/** The view with its range pinned to the times it means now (a link that shows the same profiles later). */
export function absolute<T extends RangeParams>(view: T, now: Date): T {
  const { from, to } = resolveRange(view, now);
  return { ...view, from: from.toISOString(), to: to.toISOString() };
}

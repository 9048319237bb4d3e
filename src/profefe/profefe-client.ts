import { request, type Dispatcher } from 'undici';
import { onAbort } from '../on-abort.js';
import type { CollectorType } from '../profile-types.js';
import { formatFromBound, formatToBound } from './collector-time.js';
import { encodeLabels, type LabelPair } from './labels.js';
import { ProfefeError, type ProfefeErrorInit } from './profefe-error.js';

/**
 * A client for the profefe collector's HTTP API, written against the server's measured behaviour
 * (docs/profefe-api.md): the status code decides (Content-Type is not trusted), replies
 * are `{"code":200,"body":...}` envelopes, "nothing found" 404s mean empty results, and redirects
 * are never followed. Headers given here (a proxy's bearer token, ...) go on every request and
 * never into an error or a log.
 */

export interface ProfefeClientOptions {
  /** e.g. `http://profefe-collector:10100`; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  /** Sent with every request, e.g. `{ Authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** Deadline for one whole request (answer and body), in ms. Default 30 s. */
  timeoutMs?: number;
  /** undici dispatcher (an Agent with its own pool, a MockAgent in unit tests...). */
  dispatcher?: Dispatcher;
  /** A server the collector is reached through (the Kubernetes API server's service proxy); see ProfefeGateway. */
  gateway?: ProfefeGateway;
}

/**
 * A server between the client and the collector, such as the Kubernetes API server's service
 * proxy (`baseUrl` is then the proxy's URL): it gives each request its credentials and connection,
 * may answer a request itself (a refusal that is not the collector's), and says how the collector
 * and the location of a stored profile are shown to people.
 */
export interface ProfefeGateway {
  /** How messages name the collector, instead of the base URL. */
  readonly name: string;
  /** What to print for a collector path, e.g. the API path `kubectl get --raw` takes. */
  location(path: string): string;
  /** Headers (sent after the client's own, so they win) and dispatcher for one request. */
  requestOptions(): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }>;
  /** The gateway's own answer as the error to throw, or undefined when the answer is the collector's. */
  refusal(status: number, body: Buffer, request: { method: string; path: string }): Error | undefined;
}

/** A stored profile as the collector describes it (POST reply and list entries). */
export interface ProfileItem {
  id: string;
  type: string;
  service: string;
  /** Sorted by key; empty when the profile has none. */
  labels: LabelPair[];
  /** RFC 3339 UTC, whole seconds: the profile's own `time_nanos`. */
  created_at: string;
}

export interface CollectorVersion {
  version: string;
  commit: string;
  build_time: string;
  go_version: string;
}

export interface UploadQuery {
  service: string;
  type: CollectorType;
  labels?: Readonly<Record<string, string>>;
}

export interface ListQuery {
  service: string;
  /** Omitted: every type. The collector ignores a type it does not know (all types come back). */
  type?: string;
  /** Inclusive; the whole second containing `from` is included. */
  from: Date;
  /** Inclusive; the whole second containing `to` is included (sent as the next second). */
  to: Date;
  /** Only profiles carrying all of these labels. */
  labels?: Readonly<Record<string, string>>;
  /** Keep the N newest. */
  limit?: number;
}

export interface MergeQuery {
  service: string;
  type: string;
  from: Date;
  to: Date;
  labels?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** A profile id as the collector makes them: 20 characters of base32 (`0-9a-v`). */
export const PROFILE_ID_PATTERN = /^[0-9a-v]{20}$/;

export function isProfileId(text: string): boolean {
  return PROFILE_ID_PATTERN.test(text);
}

const DEFAULT_TIMEOUT_MS = 30_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PROFILES_PATH = '/api/0/profiles';

interface Reply {
  status: number;
  body: Buffer;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  url: string;
}

export class ProfefeClient {
  /** The collector URL without credentials or trailing slash: safe to print. */
  readonly baseUrl: string;
  /** How messages name the collector: the base URL, or what the gateway calls it. */
  readonly name: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly gateway: ProfefeGateway | undefined;

  constructor(options: ProfefeClientOptions) {
    const { baseUrl, credentials } = parseBaseUrl(options.baseUrl);
    this.baseUrl = baseUrl;
    // Lower-cased so a caller's `User-Agent` replaces ours instead of being sent twice.
    this.headers = { 'user-agent': 'kube-profefe' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      // Checked here so a bad header is a configuration error, not a retried "network" failure.
      // The value is never quoted: it is usually a credential.
      if (!HEADER_NAME.test(name)) throw new TypeError(`header name "${name}" for the profefe collector is not a valid HTTP header name`);
      if (/[\r\n\0]/.test(value)) throw new TypeError(`header "${name}" for the profefe collector has a line break or NUL in its value`);
      this.headers[name.toLowerCase()] = value;
    }
    if (credentials !== undefined && this.headers.authorization === undefined) {
      this.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.dispatcher = options.dispatcher;
    this.gateway = options.gateway;
    this.name = this.gateway?.name ?? this.baseUrl;
  }

  /** Stores one profile (gzipped or raw pprof). */
  async upload(body: Buffer, q: UploadQuery, opts: RequestOptions = {}): Promise<ProfileItem> {
    const query = new URLSearchParams({ service: q.service, type: q.type });
    addLabels(query, q.labels);
    const call = this.call('POST', PROFILES_PATH, query);
    const reply = await this.send(call, opts.signal, body);
    const item = this.jsonBody(call, reply);
    if (!isProfileItem(item)) throw this.badReply(call, reply);
    return normalizeItem(item);
  }

  /** Profiles matching the query, oldest first; `[]` when the collector finds nothing. */
  async list(q: ListQuery, opts: RequestOptions = {}): Promise<ProfileItem[]> {
    const query = rangeQuery(q);
    if (q.limit !== undefined) {
      if (!Number.isInteger(q.limit) || q.limit < 1) throw new RangeError(`list limit must be a positive integer, got ${q.limit}`);
      query.set('limit', String(q.limit));
    }
    const call = this.call('GET', PROFILES_PATH, query);
    const reply = await this.send(call, opts.signal);
    if (isNothingFound(reply)) return [];
    const items = this.jsonBody(call, reply) ?? [];
    if (!Array.isArray(items) || !items.every(isProfileItem)) throw this.badReply(call, reply);
    return items.map(normalizeItem);
  }

  /**
   * One id: the stored bytes, exactly as uploaded. Several: one merged, gzipped pprof (ids the
   * collector does not know are skipped; ids of different types are a 500).
   */
  async getProfiles(ids: readonly string[], opts: RequestOptions = {}): Promise<Buffer> {
    if (ids.length === 0) throw new RangeError('getProfiles needs at least one profile id');
    for (const id of ids) {
      if (!isProfileId(id)) {
        throw new RangeError(`"${id}" is not a profefe profile id (20 characters of 0-9 and a-v, as listed by the collector)`);
      }
    }
    const call = this.call('GET', `${PROFILES_PATH}/${ids.join('+')}`);
    return this.binaryBody(call, await this.send(call, opts.signal));
  }

  /**
   * The profiles matching the query merged into one gzipped pprof (the stored bytes when only one
   * matches). When nothing matches it rejects with a ProfefeError whose `nothingFound` is true.
   */
  async merge(q: MergeQuery, opts: RequestOptions = {}): Promise<Buffer> {
    const call = this.call('GET', `${PROFILES_PATH}/merge`, rangeQuery(q));
    return this.binaryBody(call, await this.send(call, opts.signal));
  }

  /** Service names, sorted; `[]` when the collector stores nothing. */
  async services(opts: RequestOptions = {}): Promise<string[]> {
    const call = this.call('GET', '/api/0/services');
    const reply = await this.send(call, opts.signal);
    if (isNothingFound(reply)) return [];
    const names = this.jsonBody(call, reply) ?? [];
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw this.badReply(call, reply);
    return names;
  }

  async version(opts: RequestOptions = {}): Promise<CollectorVersion> {
    const call = this.call('GET', '/api/0/version');
    const reply = await this.send(call, opts.signal);
    const body = this.jsonBody(call, reply);
    if (typeof body !== 'object' || body === null) throw this.badReply(call, reply);
    const v = body as Record<string, unknown>;
    const text = (key: string): string => (typeof v[key] === 'string' ? v[key] : '');
    return { version: text('version'), commit: text('commit'), build_time: text('build_time'), go_version: text('go_version') };
  }

  /** Where a person can download a stored profile (through a gateway: what it prints for the path). */
  profileUrl(id: string): string {
    const path = `${PROFILES_PATH}/${encodeURIComponent(id)}`;
    return this.gateway?.location(path) ?? `${this.baseUrl}${path}`;
  }

  private call(method: Call['method'], path: string, query?: URLSearchParams): Call {
    const search = query?.toString();
    return { method, path, url: `${this.baseUrl}${path}${search ? `?${search}` : ''}` };
  }

  /** One request; through a gateway, with its credentials, and its own refusals thrown as its errors. */
  private async send(call: Call, callerSignal: AbortSignal | undefined, body?: Buffer): Promise<Reply> {
    const via = await this.gateway?.requestOptions();
    const reply = await this.exchange(call, callerSignal, body, via);
    const refusal = this.gateway?.refusal(reply.status, reply.body, call);
    if (refusal !== undefined) throw refusal;
    return reply;
  }

  private async exchange(
    call: Call,
    callerSignal: AbortSignal | undefined,
    body: Buffer | undefined,
    via: { headers: Record<string, string>; dispatcher: Dispatcher } | undefined,
  ): Promise<Reply> {
    // One controller for both the deadline and the caller's signal; the listener is removed after
    // each request so a long-lived run signal does not collect thousands of them.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    if (callerSignal?.aborted) controller.abort();
    const stopListening = onAbort(callerSignal, () => controller.abort());
    const headers = { ...this.headers, ...(body ? { 'content-type': 'application/octet-stream' } : {}), ...via?.headers };
    const dispatcher = via?.dispatcher ?? this.dispatcher;
    try {
      const res = await request(call.url, {
        method: call.method,
        headers,
        body,
        signal: controller.signal,
        ...(dispatcher ? { dispatcher } : {}),
      });
      return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
    } catch (cause) {
      const kind = callerSignal?.aborted ? 'aborted' : timedOut ? 'timeout' : 'network';
      throw this.error(call, { kind, cause, timeoutMs: this.timeoutMs });
    } finally {
      clearTimeout(timer);
      stopListening();
    }
  }

  /** The `body` of a 200 envelope; a ProfefeError for any other status. */
  private jsonBody(call: Call, reply: Reply): unknown {
    if (reply.status !== 200) throw this.statusError(call, reply);
    const envelope = parseEnvelope(reply.body);
    if (envelope === undefined) throw this.badReply(call, reply);
    return envelope.body;
  }

  private binaryBody(call: Call, reply: Reply): Buffer {
    if (reply.status !== 200) throw this.statusError(call, reply);
    return reply.body;
  }

  private statusError(call: Call, reply: Reply): ProfefeError {
    const error = parseEnvelope(reply.body)?.error;
    const serverError = typeof error === 'string' ? error : undefined;
    return this.error(call, {
      kind: 'status',
      status: reply.status,
      serverError,
      bodyExcerpt: serverError === undefined ? excerpt(reply.body) : undefined,
    });
  }

  private badReply(call: Call, reply: Reply): ProfefeError {
    return this.error(call, { kind: 'bad-reply', bodyExcerpt: excerpt(reply.body) });
  }

  private error(call: Call, init: Omit<ProfefeErrorInit, 'baseUrl' | 'method' | 'path' | 'url'>): ProfefeError {
    return new ProfefeError({ ...init, baseUrl: this.name, method: call.method, path: call.path, url: call.url });
  }
}

function parseBaseUrl(text: string): { baseUrl: string; credentials: string | undefined } {
  const shown = text.replace(/\/\/[^/@]*@/, '//'); // never print credentials
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`profefe collector URL "${shown}" is not a URL: write it as http://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`profefe collector URL "${shown}" must start with http:// or https://`);
  }
  const credentials = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, credentials };
}

function rangeQuery(q: { service: string; type?: string; from: Date; to: Date; labels?: Readonly<Record<string, string>> }) {
  const query = new URLSearchParams({ service: q.service });
  if (q.type !== undefined) query.set('type', q.type);
  query.set('from', formatFromBound(q.from));
  query.set('to', formatToBound(q.to));
  addLabels(query, q.labels);
  return query;
}

function addLabels(query: URLSearchParams, labels: Readonly<Record<string, string>> | undefined): void {
  if (labels && Object.keys(labels).length > 0) query.set('labels', encodeLabels(labels));
}

function parseEnvelope(body: Buffer): { body?: unknown; error?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** 404 with the collector's `nothing found` envelope: an empty result, not a failure. */
function isNothingFound(reply: Reply): boolean {
  return reply.status === 404 && parseEnvelope(reply.body)?.error === 'nothing found';
}

function isProfileItem(value: unknown): value is ProfileItem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const labelsOk =
    v.labels === undefined ||
    v.labels === null ||
    (Array.isArray(v.labels) &&
      v.labels.every((l: unknown) => {
        const label = l as Record<string, unknown> | null;
        return typeof label === 'object' && label !== null && typeof label.key === 'string' && typeof label.value === 'string';
      }));
  return typeof v.id === 'string' && typeof v.type === 'string' && typeof v.service === 'string' && typeof v.created_at === 'string' && labelsOk;
}

function normalizeItem(item: ProfileItem): ProfileItem {
  return {
    id: item.id,
    type: item.type,
    service: item.service,
    labels: (item.labels ?? []).map(({ key, value }) => ({ key, value })),
    created_at: item.created_at,
  };
}

function excerpt(body: Buffer): string {
  const text = body.subarray(0, 200).toString('utf8').trim();
  return body.length > 200 ? `${text}...` : text;
}

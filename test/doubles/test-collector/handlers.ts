import type { ServerResponse } from 'node:http';
import { checkUpload } from './pprof-check.js';
import { decodeStored, mergeToGzip } from './pprof-merge.js';
import { isCollectorType, parseLabelsParam, parseQueryTime, type Label } from './query.js';
import { OCTET_STREAM, replyBody, replyBytes, replyError } from './reply.js';
import { profileItem, type FindQuery, type ProfileStore, type StoredProfile } from './store.js';

/**
 * The collector's endpoints, answering exactly as docs/profefe-api.md describes.
 * Each handler gets the parsed query and (for uploads) the whole body.
 */

export interface HandlerContext {
  store: ProfileStore;
  storeBodies: boolean;
  version: Record<string, string>;
}

/** What an upload resolved to, for the test collector's uploads log. */
export interface UploadOutcome {
  status: number;
  id?: string;
  error?: string;
}

const NOT_FOUND = 'nothing found';

export async function handleUpload(ctx: HandlerContext, q: URLSearchParams, body: Buffer, res: ServerResponse): Promise<UploadOutcome> {
  const fail = (status: number, error: string): UploadOutcome => {
    replyError(res, status, error);
    return { status, error };
  };
  const service = q.get('service');
  if (!service) return fail(400, 'bad request: missing "service"');
  const type = q.get('type');
  if (!isCollectorType(type)) return fail(400, 'bad request: unknown profile type');
  const labels = parseLabelsParam(q.get('labels') ?? '');
  if ('error' in labels) return fail(400, `bad request: bad labels ${JSON.stringify(q.get('labels'))}: ${labels.error}`);

  let createdAtNanos: bigint;
  if (type === 'trace') {
    // Traces are stored as given; `created_at` is only read for them.
    const createdAt = q.get('created_at');
    const parsed = createdAt ? parseQueryTime(createdAt) : nowNanos();
    if (parsed === undefined) return fail(400, `bad request: time in unsupported format ${JSON.stringify(createdAt)}`);
    createdAtNanos = parsed;
  } else {
    const check = await checkUpload(body);
    if (!check.ok) return fail(400, `malformed profile (could not parse pprof profile: ${check.error})`);
    createdAtNanos = check.timeNanos > 0n ? check.timeNanos : nowNanos();
  }
  const stored = ctx.store.add({
    service,
    type,
    labels: labels.labels,
    createdAtNanos,
    size: body.length,
    body: ctx.storeBodies ? body : undefined,
  });
  replyBody(res, profileItem(stored));
  return { status: 200, id: stored.id };
}

export function handleList(ctx: HandlerContext, q: URLSearchParams, res: ServerResponse): void {
  const find = parseFindQuery(q);
  if ('error' in find) return replyError(res, 400, find.error);
  const found = ctx.store.find(find);
  if (found.length === 0) return replyError(res, 404, NOT_FOUND);
  replyBody(res, found.map(profileItem));
}

export function handleMerge(ctx: HandlerContext, q: URLSearchParams, res: ServerResponse): void {
  const find = parseFindQuery(q);
  if ('error' in find) return replyError(res, 400, find.error, OCTET_STREAM);
  if (find.type === undefined || find.type === 'trace') {
    return replyError(res, 405, "can't merge profiles of unknown type", OCTET_STREAM);
  }
  const found = ctx.store.find(find);
  if (found.length === 0) return replyError(res, 404, NOT_FOUND, OCTET_STREAM);
  const merged = mergeStored(ctx, found);
  if (merged === undefined) return replyError(res, 500, 'internal error', OCTET_STREAM);
  replyBytes(res, merged);
}

/** `GET /api/0/profiles/<id>` and `<id1>+<id2>+...` (`rawIds` already URL-decoded). */
export function handleGet(ctx: HandlerContext, rawIds: string, res: ServerResponse): void {
  const failed = (): void => replyError(res, 500, `failed to get profile by id ${JSON.stringify(rawIds)}`, OCTET_STREAM);
  const ids = rawIds.split('+');
  if (!ids.every((id) => /^[0-9a-v]+$/.test(id))) return failed();
  const found = ids.map((id) => ctx.store.get(id)).filter((p): p is StoredProfile => p !== undefined);
  if (found.length === 0) return replyError(res, 404, NOT_FOUND, OCTET_STREAM);
  if (ids.length === 1) {
    const [profile] = found as [StoredProfile];
    if (profile.body === undefined) return bodiesNotKept(res);
    return replyBytes(res, profile.body, { 'content-disposition': `attachment; filename="${profile.id}"` });
  }
  if (new Set(found.map((p) => p.type)).size > 1) return failed();
  if (found.some((p) => p.body === undefined)) return bodiesNotKept(res);
  const merged = mergeStored(ctx, found, true);
  if (merged === undefined) return failed();
  replyBytes(res, merged);
}

export function handleServices(ctx: HandlerContext, res: ServerResponse): void {
  const services = ctx.store.services();
  if (services.length === 0) return replyError(res, 404, NOT_FOUND);
  replyBody(res, services);
}

export function handleVersion(ctx: HandlerContext, res: ServerResponse): void {
  replyBody(res, ctx.version);
}

export function handleUnknown(res: ServerResponse): void {
  replyError(res, 404, NOT_FOUND);
}

/** The stored bytes when there is one profile (unless `always`), else a merged gzipped pprof. */
function mergeStored(ctx: HandlerContext, profiles: StoredProfile[], always = false): Buffer | undefined {
  if (!ctx.storeBodies) return undefined;
  if (profiles.length === 1 && !always) return profiles[0]?.body;
  try {
    return mergeToGzip(profiles.map((p) => decodeStored(p.body as Buffer)));
  } catch {
    // IncompatibleProfilesError (cpu+heap sample types) or a stored body that is not pprof.
    return undefined;
  }
}

function bodiesNotKept(res: ServerResponse): void {
  replyError(res, 501, 'test collector started with storeBodies: false keeps no profile bytes', OCTET_STREAM);
}

function parseFindQuery(q: URLSearchParams): FindQuery | { error: string } {
  const service = q.get('service');
  if (!service) return { error: 'bad request: missing "service"' };
  const type = q.get('type');
  const labels = parseLabelsParam(q.get('labels') ?? '');
  if ('error' in labels) return { error: `bad request: bad labels ${JSON.stringify(q.get('labels'))}: ${labels.error}` };
  const bounds: bigint[] = [];
  for (const name of ['from', 'to'] as const) {
    const text = q.get(name);
    if (!text) return { error: `bad request: missing "${name}"` };
    const nanos = parseQueryTime(text);
    if (nanos === undefined) return { error: `bad request: time in unsupported format ${JSON.stringify(text)}` };
    bounds.push(nanos);
  }
  const [fromNanos, toNanos] = bounds as [bigint, bigint];
  if (fromNanos > toNanos) return { error: 'bad request: "from" is after "to"' };
  let limit = 0;
  const limitText = q.get('limit');
  if (limitText) {
    if (!/^[+-]?\d+$/.test(limitText)) return { error: `bad request: bad limit ${JSON.stringify(limitText)}` };
    limit = Number(limitText);
  }
  // A type the collector does not know is ignored: every type comes back.
  return { service, type: isCollectorType(type) ? type : undefined, labels: labels.labels as Label[], fromNanos, toNanos, limit };
}

function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The profiles of a query merged here rather than by the collector: their ids listed, each one
 * downloaded (up to 4 at once, through the on-disk ProfileCache unless it is off) and folded
 * into a ProfileMerger, which gives what `go tool pprof -proto` gives. A profile that vanished
 * between the listing and its download (404) is reported on stderr and left out; profiles of
 * different kinds are refused, naming them. A progress line is drawn on stderr when it is a
 * terminal.
 */
import type { Command } from 'commander';
import { downloadAndFold, ProfileFetchError, type ProfileItem } from '../../merge/fold-profiles.js';
import { defaultProfileCacheDir, ProfileCache } from '../../merge/profile-cache.js';
import { IncompatibleProfilesError, ProfileMerger } from '../../merge/profile-merger.js';
import type { ProfefeClient } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { CommandFailure } from './action.js';
import type { PluginIo } from './context.js';
import type { ProfileQuery } from './query-options.js';

export const CLIENT_MERGE_CONCURRENCY = 4;

export interface ClientMergeOptions {
  readonly io: PluginIo;
  /** undefined: no cache. */
  readonly cache?: ProfileCache;
  readonly concurrency?: number;
}

export interface MergeModeFlags {
  serverMerge?: boolean;
  /** false with --no-cache. */
  cache: boolean;
}

/** --server-merge and --no-cache, for the commands that merge a query. */
export function addMergeModeOptions(command: Command): Command {
  return command
    .option('--server-merge', 'let the collector merge the profiles instead of downloading each one and merging here')
    .option('--no-cache', 'download every profile, neither reading nor filling the local profile cache');
}

/** The cache the flags ask for: the user's cache directory ($XDG_CACHE_HOME/kube-profefe/profiles), or none with --no-cache. */
export function profileCacheFor(flags: MergeModeFlags, io: PluginIo): ProfileCache | undefined {
  return flags.cache ? new ProfileCache({ dir: defaultProfileCacheDir(io.env) }) : undefined;
}

/**
 * The merged profile (gzipped pprof), or undefined when nothing matches the query. One match:
 * its stored bytes, as the collector's merge gives them.
 */
export async function clientSideMerge(client: ProfefeClient, query: ProfileQuery, options: ClientMergeOptions): Promise<Buffer | undefined> {
  const { io, cache } = options;
  const signal = io.signal;
  const listed = await client.list({ service: query.service, type: query.type, from: query.from, to: query.to, labels: query.labels }, { signal });
  if (listed.length === 0) return undefined;
  const ids = [...new Set(listed.map((p) => p.id))];
  const typeOf = new Map(listed.map((p) => [p.id, p.type]));
  let single: Uint8Array | undefined;
  const items: ProfileItem[] = ids.map((id) => ({
    id,
    fetch: async (fetchSignal: AbortSignal) => {
      const bytes = await client.getProfiles([id], { signal: fetchSignal });
      if (ids.length === 1) single = bytes;
      return bytes;
    },
  }));
  const progress = progressLine(io, ids.length);
  const merger = new ProfileMerger();
  let summary: Awaited<ReturnType<typeof downloadAndFold>>;
  try {
    summary = await downloadAndFold(items, merger, {
      concurrency: options.concurrency ?? CLIENT_MERGE_CONCURRENCY,
      cache,
      signal,
      onProgress: (p) => progress.update(p.folded + p.skipped),
      onError: (_id, error) => (isVanished(error) ? 'skip' : 'fail'),
      onCacheError: () => undefined, // a cache that cannot be written only costs a download next time
    });
  } catch (err) {
    if (signal?.aborted && !(err instanceof ProfefeError)) throw abortedError(client);
    throw explainFailure(err, typeOf);
  } finally {
    progress.clear();
  }
  const { skipped } = summary;
  if (skipped.length > 0) {
    const reasons = skipped.map((s) => `${s.id}: ${reason(s.error)}`).join('; ');
    if (summary.folded === 0) {
      throw new CommandFailure(
        `none of the ${ids.length} profile${ids.length === 1 ? '' : 's'} listed could be downloaded (deleted since they were listed?): ${reasons}`,
      );
    }
    io.stderr.write(`merged ${summary.folded} of ${ids.length} profiles; ${skipped.length} could not be downloaded: ${reasons}\n`);
  }
  if (ids.length === 1) {
    const stored = single ?? (await cache?.get(ids[0] ?? '').catch(() => undefined));
    if (stored !== undefined) return Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  }
  return merger.encodeGzipped();
}

/** Ctrl-C during the fold, as the client reports a cancelled request. */
function abortedError(client: ProfefeClient): ProfefeError {
  const path = '/api/0/profiles';
  return new ProfefeError({ kind: 'aborted', baseUrl: client.baseUrl, method: 'GET', path, url: `${client.baseUrl}${path}` });
}

/** A profile the collector no longer has (404): it was deleted between the listing and its download. */
function isVanished(error: unknown): boolean {
  return error instanceof ProfileFetchError && error.cause instanceof ProfefeError && error.cause.status === 404;
}

function reason(error: unknown): string {
  const cause = error instanceof ProfileFetchError ? error.cause : error;
  if (cause instanceof ProfefeError) {
    return cause.status === 404 ? `404 ${cause.serverError ?? 'not found'}` : cause.message;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

/** The fold's errors as the plugin reports them: collector errors as they are; a refused merge names the profiles and their types. */
function explainFailure(err: unknown, typeOf: ReadonlyMap<string, string>): unknown {
  if (err instanceof ProfileFetchError && err.cause instanceof ProfefeError) return err.cause;
  if (err instanceof IncompatibleProfilesError) {
    const type = (id: string): string => (typeOf.has(id) ? ` (stored as type ${typeOf.get(id)})` : '');
    return new CommandFailure(
      `${err.message}; profiles ${err.mergedWith}${type(err.mergedWith)} and ${err.profile}${type(err.profile)} are not of the same kind: narrow the query (--labels) to profiles of one kind`,
    );
  }
  return err;
}

interface ProgressLine {
  update(done: number): void;
  clear(): void;
}

/** `merging 7/120 profiles`, rewritten in place; only on a terminal. */
function progressLine(io: PluginIo, total: number): ProgressLine {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let drawn = false;
  return {
    update(done) {
      if (!tty) return;
      io.stderr.write(`\rmerging ${done}/${total} profiles`);
      drawn = true;
    },
    clear() {
      if (drawn) io.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

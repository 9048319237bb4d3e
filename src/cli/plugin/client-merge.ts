/**
 * The profiles of a query merged here rather than by the collector, for the CLI: mergeFromSource
 * (src/source/merge-from-source.ts) lists them, reads each (up to 4 at once, downloads through
 * the on-disk ProfileCache unless it is off) and merges them as `go tool pprof -proto` does. A
 * profile that vanished between the listing and its download (404), or a file that is not pprof,
 * is reported on stderr and left out; profiles of different kinds are refused, naming them. A
 * progress line is drawn on stderr when it is a terminal.
 */
import type { Command } from 'commander';
import type { MergeState } from '../../merge/output-plan.js';
import { defaultProfileCacheDir, ProfileCache } from '../../merge/profile-cache.js';
import { mergeFromSource, SOURCE_MERGE_CONCURRENCY, SourceMergeError, type SourceMerge } from '../../source/merge-from-source.js';
import type { ProfileSource } from '../../source/profile-source.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure } from './action.js';
import type { PluginIo } from './context.js';
import type { ProfileQuery } from './query-options.js';

export const CLIENT_MERGE_CONCURRENCY = SOURCE_MERGE_CONCURRENCY;

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
    .option('--no-cache', 'download every profile from the collector, neither reading nor filling the local profile cache');
}

/** The cache the flags ask for: the user's cache directory ($XDG_CACHE_HOME/kube-profefe/profiles), or none with --no-cache. */
export function profileCacheFor(flags: MergeModeFlags, io: PluginIo): ProfileCache | undefined {
  return flags.cache ? new ProfileCache({ dir: defaultProfileCacheDir(io.env) }) : undefined;
}

/**
 * The merged profile (gzipped pprof), or undefined when nothing matches the query. One match:
 * its stored bytes, as the collector's merge gives them. Profiles skipped (gone, or not pprof)
 * are named on stderr: `merged N of M profiles; ...`.
 */
export async function clientSideMerge(source: ProfileSource, query: ProfileQuery, options: ClientMergeOptions): Promise<Buffer | undefined> {
  return (await runClientMerge(source, query, options, true)).bytes;
}

/** clientSideMerge's merge as the merge engine's tables, not encoded: for a reader in this process (the flame graph). */
export async function clientSideMergeState(source: ProfileSource, query: ProfileQuery, options: ClientMergeOptions): Promise<MergeState | undefined> {
  return (await runClientMerge(source, query, options, false)).merged;
}

async function runClientMerge(source: ProfileSource, query: ProfileQuery, options: ClientMergeOptions, encode: boolean): Promise<SourceMerge> {
  const { io, cache } = options;
  if (query.type === undefined) throw new UsageError('--type is required to merge profiles');
  const progress = progressLine(io);
  let merged: SourceMerge;
  try {
    merged = await mergeFromSource(
      source,
      { ...query, type: query.type },
      {
        cache,
        concurrency: options.concurrency ?? CLIENT_MERGE_CONCURRENCY,
        signal: io.signal,
        onProgress: (done, total) => progress.update(done, total),
        encode,
      },
    );
  } catch (err) {
    if (err instanceof SourceMergeError) throw new CommandFailure(err.message, { cause: err });
    throw err;
  } finally {
    progress.clear();
  }
  if (merged.skipped.length > 0) io.stderr.write(`${skippedReport(source, merged)}\n`);
  return merged;
}

/** `merged 2 of 3 profiles; 1 could not be downloaded: <id>: 404 nothing found`. */
function skippedReport(source: ProfileSource, merged: SourceMerge): string {
  const { skipped, used } = merged;
  const what = skipped.every((s) => s.gone) ? `could not be ${source.cacheable ? 'downloaded' : 'read'}` : 'skipped';
  const reasons = skipped.map((s) => `${s.id}: ${s.reason}`).join('; ');
  return `merged ${used} of ${used + skipped.length} profiles; ${skipped.length} ${what}: ${reasons}`;
}

interface ProgressLine {
  update(done: number, total: number): void;
  clear(): void;
}

/** `merging 7/120 profiles`, rewritten in place; only on a terminal. */
function progressLine(io: PluginIo): ProgressLine {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let drawn = false;
  return {
    update(done, total) {
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

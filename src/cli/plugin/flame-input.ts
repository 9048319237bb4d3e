/**
 * The profiles `kubectl profefe flame` draws, as the user names them: local FILEs, stored profile
 * IDs (the collector's, or paths inside --profiles-dir), several of them merged as
 * `go tool pprof` merges; or the profiles of a --service and --type in a time range, merged as
 * `merge` merges them (mergedQuery: here, with its progress line and skipped report, or by the
 * collector with --server-merge).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type FlameProfile, readFlameProfile } from '../../flame/flame-profile.js';
import { IncompatibleProfilesError, ProfileMerger } from '../../merge/profile-merger.js';
import { formatCollectorTime } from '../../profefe/collector-time.js';
import { isProfileId } from '../../profefe/profefe-client.js';
import type { ProfileSource } from '../../source/profile-source.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure } from './action.js';
import { clientSideMergeState, type MergeModeFlags, profileCacheFor } from './client-merge.js';
import type { PluginIo } from './context.js';
import { mergedQuery } from './merge.js';
import type { ProfileQuery } from './query-options.js';
import { safeFileNamePart } from './save-profile.js';

/** What to read: named profiles (files or ids), or a query's profiles. */
export type InputSpec =
  | { readonly kind: 'named'; readonly targets: readonly Target[] }
  /** `typeName`: --type as given (allocs, where the query holds the collector's type `other`). */
  | { readonly kind: 'query'; readonly query: ProfileQuery; readonly typeName: string };

/** One FILE or ID argument, classified before anything is read. */
export type Target = { readonly kind: 'file'; readonly arg: string; readonly path: string } | { readonly kind: 'id'; readonly arg: string };

export interface FlameInput {
  /** The merge engine's tables (flame-profile.ts): what the tree is built from. */
  readonly profile: FlameProfile;
  /** Names the profile in the title and in messages: `cpu.pb.gz`, `profile ID from collector ...`. */
  readonly name: string;
  /** The default output file's name without extension. */
  readonly fileBase: string;
}

/** A FILE when one exists at that path, else a stored profile's id (a collector id, or a path inside --profiles-dir). */
export async function classifyTarget(arg: string, io: PluginIo, profilesDir: string | undefined): Promise<Target> {
  const path = resolve(io.cwd ?? process.cwd(), arg);
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return { kind: 'file', arg, path };
  if (info?.isDirectory()) throw new CommandFailure(`${arg} is a directory: name a profile file`);
  if (profilesDir === undefined && !isProfileId(arg)) {
    throw new CommandFailure(`${arg}: no such file, and not a profile id (20 characters of 0-9 and a-v); check the path`);
  }
  return { kind: 'id', arg };
}

/** Whether reading `spec` needs the collector or the --profiles-dir directory. */
export function needsSource(spec: InputSpec): boolean {
  return spec.kind === 'query' || spec.targets.some((t) => t.kind === 'id');
}

/** The profile `spec` names, or undefined when its query matches nothing. */
export async function readInput(spec: InputSpec, source: ProfileSource | undefined, flags: MergeModeFlags, io: PluginIo): Promise<FlameInput | undefined> {
  if (spec.kind === 'query') return readQuery(spec.query, spec.typeName, requireSource(source), flags, io);
  const named = await Promise.all(spec.targets.map((t) => readTarget(t, source, io)));
  const first = named[0];
  if (first === undefined) throw new UsageError('give a profile file, a profile id, or --service and --type');
  const fileBase = named.length === 1 ? first.fileBase : `${first.fileBase}+${named.length - 1}`;
  const name = named.length === 1 ? first.name : `${named.length} profiles merged (${named.map((n) => n.name).join(', ')})`;
  return { profile: mergeNamed(named), name, fileBase };
}

interface NamedBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly fileBase: string;
}

async function readTarget(target: Target, source: ProfileSource | undefined, io: PluginIo): Promise<NamedBytes> {
  if (target.kind === 'file') {
    try {
      return { bytes: await readFile(target.path), name: target.arg, fileBase: profileBaseName(target.arg) };
    } catch (err) {
      throw new CommandFailure(`${target.arg}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const from = requireSource(source);
  const bytes = await from.read(target.arg, io.signal);
  return { bytes, name: `profile ${target.arg} from ${from.name}`, fileBase: profileBaseName(target.arg) };
}

/** The profiles read into one merge (one profile: read as it is), as go tool pprof merges what it is given. */
function mergeNamed(named: readonly NamedBytes[]): FlameProfile {
  const merger = new ProfileMerger();
  for (const { bytes, name } of named) {
    try {
      merger.add(bytes, name);
    } catch (err) {
      if (err instanceof IncompatibleProfilesError) {
        throw new CommandFailure(`${err.message}: ${err.mergedWith} and ${err.profile} are not of the same kind; name profiles of one kind`);
      }
      throw err;
    }
  }
  return merger.state();
}

async function readQuery(query: ProfileQuery, typeName: string, source: ProfileSource, flags: MergeModeFlags, io: PluginIo): Promise<FlameInput | undefined> {
  const what = `${query.service} ${typeName} profiles from ${formatCollectorTime(query.from)} to ${formatCollectorTime(query.to)} in ${source.name}`;
  const profile = await mergedProfile(source, query, flags, io, `the merged ${what}`);
  if (profile === undefined) return undefined;
  const name = flags.serverMerge === true ? `${what}, merged by the collector` : what;
  return { profile, name, fileBase: queryFileBase(query, typeName) };
}

/** As mergedQuery merges, the tables handed over as they are (merged here) or read from the collector's bytes (--server-merge). */
async function mergedProfile(source: ProfileSource, query: ProfileQuery, flags: MergeModeFlags, io: PluginIo, name: string): Promise<FlameProfile | undefined> {
  if (flags.serverMerge !== true) return clientSideMergeState(source, query, { io, cache: profileCacheFor(flags, io) });
  const bytes = await mergedQuery(source, query, flags, io);
  return bytes === undefined ? undefined : readFlameProfile(bytes, name);
}

function requireSource(source: ProfileSource | undefined): ProfileSource {
  if (source === undefined) throw new Error('a stored profile was asked for without a profile source');
  return source;
}

/** `cpu.pb.gz` → `cpu`; a directory id `shop/api/cpu/api-1-2026….pb.gz` → `api-1-2026…`. */
function profileBaseName(arg: string): string {
  return safeFileNamePart(basename(arg).replace(/\.(pb\.gz|pb|pprof|prof|gz)$/i, '')) || 'profile';
}

/** `<service>-<type>-<from>-<to>`, as merge names its file. */
function queryFileBase(query: ProfileQuery, typeName: string): string {
  const time = (d: Date): string => `${formatCollectorTime(d).replace(/[-:]/g, '')}Z`;
  return `${safeFileNamePart(query.service)}-${safeFileNamePart(typeName.trim().toLowerCase())}-${time(query.from)}-${time(query.to)}`;
}

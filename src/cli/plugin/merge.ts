/**
 * `kubectl profefe merge`: the profiles of one service and type in a time range, merged into one
 * profile (here, from each profile downloaded; by the collector with --server-merge), written to
 * a file.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { formatCollectorTime } from '../../profefe/collector-time.js';
import type { ProfileSource } from '../../source/profile-source.js';
import { UsageError } from '../usage-error.js';
import { setAction } from './action.js';
import { addMergeModeOptions, clientSideMerge, type MergeModeFlags, profileCacheFor } from './client-merge.js';
import type { PluginIo } from './context.js';
import { noProfilesFound } from './get-profiles.js';
import { addQueryOptions, profileQuery, type ProfileQuery, type QueryFlags, type QueryRules } from './query-options.js';
import { addOutputFileOption, checkOutputFile, profileFileName, safeFileNamePart, saveProfile } from './save-profile.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions, type SourceFlags } from './source-options.js';

const RULES: QueryRules = { typeRequired: true, allowTrace: false };

export function mergeCommand(): Command {
  const command = new Command('merge')
    .description('Download the profiles of a service and type in a time range (from the collector or a directory), merged into one profile')
    .addHelpText(
      'after',
      `
Without -O the profile is written to <service>-<type>-<from>-<to>.pb.gz in the current directory and
the path is printed. When nothing matches, "No profiles found." is printed on stderr, no file is
written, and the exit status is 0. Each profile is downloaded (4 at once, kept in the local
profile cache) and merged here as go tool pprof -proto merges; --server-merge lets the collector
merge them instead. With --profiles-dir the profiles are read from a directory kprofefe
--output-dir wrote (labels namespace and pod; --type allocs as on the collector). A profile
deleted since the listing, or a file that is not a pprof profile, is named on stderr and left
out; the others are merged (exit 0).

Examples:
  kubectl profefe merge --service api --type cpu --from 1h
  kubectl profefe merge --service api --type heap --from 2026-11-20T10:00:00Z --to 2026-11-20T12:00:00Z -O heap.pb.gz
  kubectl profefe merge --service api --type allocs --labels namespace=shop -O - | go tool pprof -top /dev/stdin
  kubectl profefe merge --service api --type heap --from 2h --profiles-dir ./profiles`,
    );
  addQueryOptions(command, RULES);
  addOutputFileOption(command);
  addMergeModeOptions(command);
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<QueryFlags & SourceFlags & MergeModeFlags & { outputFile?: string }>();
    const query = profileQuery(flags, RULES);
    checkOutputFile(flags.outputFile, io);
    const bytes = await withProfileSource(cmd, io, (source) => mergedQuery(source, query, flags, io));
    if (bytes === undefined) {
      io.stderr.write(`${noProfilesFound(query)}\n`);
      return EXIT_OK;
    }
    const path = await saveProfile(bytes, flags.outputFile, profileFileName(mergeFileBase(query, flags.type ?? ''), bytes), io);
    if (path !== undefined) io.stdout.write(`${path}\n`);
    return EXIT_OK;
  });
}

/** The merged profile (merged here, or by the collector with --server-merge), or undefined when nothing matches. */
export function mergedQuery(source: ProfileSource, query: ProfileQuery, flags: MergeModeFlags, io: PluginIo): Promise<Buffer | undefined> {
  if (flags.serverMerge !== true) return clientSideMerge(source, query, { io, cache: profileCacheFor(flags, io) });
  if (source.serverMerge === undefined || query.type === undefined) throw new UsageError(`--server-merge: ${source.name} cannot merge profiles itself`);
  return source.serverMerge({ ...query, type: query.type }, io.signal);
}

function mergeFileBase(query: ProfileQuery, typeFlag: string): string {
  const time = (d: Date): string => `${formatCollectorTime(d).replace(/[-:]/g, '')}Z`;
  return `${safeFileNamePart(query.service)}-${safeFileNamePart(typeFlag.trim().toLowerCase())}-${time(query.from)}-${time(query.to)}`;
}

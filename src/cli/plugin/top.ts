/**
 * `kubectl profefe top`: the heaviest functions of a profile by flat value, computed as
 * `go tool pprof -top` does (same sample index, trimming, units and numbers), from a local file,
 * a stored profile (by id) or the profiles of a service and type merged (here, or by the collector
 * with --server-merge).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { EXIT_OK } from '../../exit-codes.js';
import { formatTop } from '../../output/top-table.js';
import { decodeProfile } from '../../pprof/decode-profile.js';
import { topFunctions, type TopReport } from '../../pprof/top.js';
import { isProfileId } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { positiveInt } from '../flag-values.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure, setAction } from './action.js';
import { withCollector } from './collector-connect.js';
import type { PluginIo } from './context.js';
import { noProfilesFound } from './get-profiles.js';
import { addMergeModeOptions, type MergeModeFlags } from './client-merge.js';
import { mergedQuery } from './merge.js';
import { addOutputOption, outputFormat } from './output-format.js';
import { addQueryOptions, profileQuery, type QueryFlags, type QueryRules } from './query-options.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions, type SourceFlags } from './source-options.js';

const FORMATS = ['table', 'json', 'yaml'] as const;
const RULES: QueryRules = { typeRequired: true, allowTrace: false };
const QUERY_FLAGS = ['service', 'type', 'from', 'to', 'labels'] as const;

interface Flags extends QueryFlags, SourceFlags, MergeModeFlags {
  sampleIndex?: string;
  nodecount?: string;
  output: string;
}

export function topCommand(): Command {
  const command = new Command('top')
    .description('Show the functions with the highest flat value in a profile, as go tool pprof -top does')
    .argument('[file-or-id]', 'a local pprof file, or the id of a stored profile')
    .option('--sample-index <index>', "sample type to report (e.g. alloc_space, inuse_objects, contentions) or its index; default: the profile's own")
    .option('--nodecount <n>', "show at most N functions (default: every function above pprof's 0.5% node fraction, as -top does)")
    .addHelpText(
      'after',
      `
The profile is one of: a local FILE; a stored profile ID; or, without an argument, the profiles of
--service and --type from --from to --to, each downloaded and merged here (by the collector with
--server-merge), or read from --profiles-dir (a directory kprofefe --output-dir wrote). The
numbers are those of go tool pprof -top on the same profile.

Examples:
  kubectl profefe top heap.pb.gz
  kubectl profefe top dc150ar8di19klb9s89g --sample-index alloc_space --nodecount 20
  kubectl profefe top --service api --type cpu --from 1h -o json
  kubectl profefe top --service api --type heap --profiles-dir ./profiles`,
    );
  addQueryOptions(command, RULES);
  addOutputOption(command, FORMATS, 'table');
  addMergeModeOptions(command);
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<Flags>();
    const output = outputFormat(flags.output, FORMATS);
    const nodeCount = flags.nodecount === undefined ? undefined : positiveInt('--nodecount', flags.nodecount);
    const [target] = cmd.args;
    const queryFlagsGiven = QUERY_FLAGS.filter((name) => cmd.getOptionValueSource(name) === 'cli');
    let input: TopInput;
    if (target !== undefined) {
      if (flags.profilesDir !== undefined) throw new UsageError(`--profiles-dir is for --service and --type: give "${target}" as a file path instead`);
      if (queryFlagsGiven.length > 0) {
        throw new UsageError(`give a profile file or id, or --service and --type, not both (got "${target}" and --${queryFlagsGiven.join(', --')})`);
      }
      input = await fileOrId(target, cmd, io);
    } else {
      if (queryFlagsGiven.length === 0) throw new UsageError('give a profile file, a profile id, or --service and --type to merge stored profiles');
      const query = profileQuery(flags, RULES);
      const merged = await withProfileSource(cmd, io, async (source) => ({ bytes: await mergedQuery(source, query, flags, io), collector: source.name }));
      if (merged.bytes === undefined) {
        io.stderr.write(`${noProfilesFound(query)}\n`);
        return EXIT_OK;
      }
      input = { bytes: merged.bytes, name: `merged ${query.type ?? ''} profiles of ${query.service} from ${merged.collector}` };
    }
    const report = topFunctions(decodeProfile(input.bytes, input.name), { sampleIndex: flags.sampleIndex, nodeCount });
    io.stdout.write(renderTop(report, output));
    return EXIT_OK;
  });
}

interface TopInput {
  readonly bytes: Buffer;
  /** Names the bytes in error messages. */
  readonly name: string;
}

async function fileOrId(target: string, command: Command, io: PluginIo): Promise<TopInput> {
  const path = resolve(io.cwd ?? process.cwd(), target);
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) {
    try {
      return { bytes: await readFile(path), name: target };
    } catch (err) {
      throw new CommandFailure(`${target}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (info?.isDirectory()) throw new CommandFailure(`${target} is a directory: name a profile file`);
  if (!isProfileId(target)) {
    throw new CommandFailure(`${target}: no such file, and not a profile id (20 characters of 0-9 and a-v); check the path`);
  }
  return withCollector(command, io, async (client) => {
    try {
      return { bytes: await client.getProfiles([target], { signal: io.signal }), name: `profile ${target} from ${client.name}` };
    } catch (err) {
      if (err instanceof ProfefeError && err.nothingFound) {
        throw new CommandFailure(`no profile with id ${target} at ${client.name} (and no file of that name here)`);
      }
      throw err;
    }
  });
}

export function renderTop(report: TopReport, output: (typeof FORMATS)[number]): string {
  if (output === 'table') return formatTop(report);
  const data = topData(report);
  return output === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data);
}

/** The report for scripts: raw values in the sample unit; percentages of the total as pprof prints them. */
export function topData(report: TopReport) {
  const percent = (text: string): number => Number.parseFloat(text);
  return {
    sampleType: report.sampleType.type,
    unit: report.sampleType.unit,
    sampleIndex: report.sampleIndex,
    total: report.total,
    shown: report.shown,
    droppedNodes: report.droppedNodes,
    nodes: report.nodesBeforeLimit,
    functions: report.rows.map((row) => ({
      name: row.name,
      inline: row.inline,
      flat: row.flat,
      flatPercent: percent(row.flatPercent),
      sum: row.sum,
      sumPercent: percent(row.sumPercent),
      cum: row.cum,
      cumPercent: percent(row.cumPercent),
    })),
  };
}

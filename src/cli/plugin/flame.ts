/**
 * `kubectl profefe flame`: a flame graph of a profile, as one self-contained HTML page (zoom,
 * search with the sum of the matches, tooltips; nothing fetched when it is viewed) or, with
 * -O FILE.svg, a static SVG. With --diff-base (a FILE or ID) or --base-from/--base-to (the same
 * query in another time range), a diff flame graph as `go tool pprof -diff_base` computes it:
 * growth red, shrinkage green, percentages of the base's total.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { flamePageHtml } from '../../flame/flame-page.js';
import { flameSvg } from '../../flame/flame-svg.js';
import { diffFlameGraphData, FlameDiffError, flameGraphData, type FlameGraphData } from '../../flame/flame-tree.js';
import { SampleIndexError } from '../../pprof/top.js';
import type { ProfileSource } from '../../source/profile-source.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure, setAction } from './action.js';
import { addMergeModeOptions, type MergeModeFlags } from './client-merge.js';
import type { PluginIo } from './context.js';
import { classifyTarget, type FlameInput, type InputSpec, needsSource, readInput } from './flame-input.js';
import { noProfilesFound } from './get-profiles.js';
import { addQueryOptions, profileQuery, type ProfileQuery, type QueryFlags, type QueryRules } from './query-options.js';
import { saveProfile } from './save-profile.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions, type SourceFlags } from './source-options.js';

const RULES: QueryRules = { typeRequired: true, allowTrace: false };
const QUERY_FLAGS = ['service', 'type', 'from', 'to', 'labels'] as const;

interface Flags extends QueryFlags, SourceFlags, MergeModeFlags {
  outputFile?: string;
  sampleIndex?: string;
  diffBase?: string;
  baseFrom?: string;
  baseTo?: string;
}

export function flameCommand(): Command {
  const command = new Command('flame')
    .description('Draw a flame graph of a profile (an interactive HTML page, or an SVG), or of its difference from a base profile')
    .argument('[file-or-id...]', 'local pprof files or stored profile ids (several are merged)')
    .option(
      '-O, --output-file <file>',
      'write to FILE: .svg for a static SVG, anything else an HTML page ("-" for stdout); default: a name after the profile in the current directory',
    )
    .option('--sample-index <index>', "sample type to draw (e.g. alloc_space, inuse_objects, contentions) or its index; default: the profile's own")
    .option('--diff-base <file-or-id>', 'draw the difference from this profile (a file or a stored profile id), as go tool pprof -diff_base')
    .option('--base-from <time>', 'draw the difference from the same --service and --type in the range --base-from .. --base-to')
    .option('--base-to <time>', 'end of the base range (default: now)')
    .addHelpText(
      'after',
      `
The profile is one of: local FILEs or stored profile IDs (several are merged, as go tool pprof
merges them); or, without an argument, the profiles of --service and --type from --from to --to,
merged here (by the collector with --server-merge), from the collector or from --profiles-dir.

Without -O the page is written to <name>.html in the current directory (<service>-<type>-<from>-<to>
for a query, as merge names its file) and the path is printed. When nothing matches, "No profiles
found." is printed on stderr, no file is written, and the exit status is 0.

The page needs no network: its script, styles and data are inside it. Click a frame to zoom, "Reset
zoom" to go back; the search box highlights the functions whose name contains the text and shows
their sum. A diff (--diff-base, or --base-from/--base-to) draws the base with its values negated and
merged, as go tool pprof -diff_base: frames that grew are red, those that shrank green; widths are
both profiles together and percentages are of the base's total.

Examples:
  kubectl profefe flame cpu.pb.gz
  kubectl profefe flame heap.pb.gz --sample-index alloc_space -O heap.svg
  kubectl profefe flame --service api --type cpu --from 1h
  kubectl profefe flame --service api --type heap --from 1h --base-from 25h --base-to 24h
  kubectl profefe flame after.pb.gz --diff-base before.pb.gz`,
    );
  addQueryOptions(command, RULES);
  addMergeModeOptions(command);
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<Flags>();
    const output = outputKind(flags.outputFile, io);
    const specs = await inputSpecs(cmd, flags, io);
    const drawn = await readAndDraw(cmd, flags, io, specs);
    if (drawn.empty !== undefined) {
      io.stderr.write(`${noProfilesFound(drawn.empty)}\n`);
      return EXIT_OK;
    }
    const document = output === 'svg' ? flameSvg(drawn.data) : flamePageHtml(drawn.data);
    const path = await saveProfile(Buffer.from(document, 'utf8'), flags.outputFile, `${drawn.fileBase}.${output}`, io);
    if (path !== undefined) io.stdout.write(`${path}\n`);
    return EXIT_OK;
  });
}

type OutputKind = 'html' | 'svg';

function outputKind(outputFile: string | undefined, io: PluginIo): OutputKind {
  if (outputFile === '') throw new UsageError('-O/--output-file: empty file name');
  if (outputFile === '-' && (io.stdout as { isTTY?: boolean }).isTTY === true) {
    throw new UsageError('-O -: stdout is a terminal; redirect it to a file (> flame.html) or give -O FILE.html');
  }
  return outputFile?.toLowerCase().endsWith('.svg') === true ? 'svg' : 'html';
}

interface Specs {
  readonly main: InputSpec;
  readonly base: InputSpec | undefined;
}

/** The profile and the diff base the flags and arguments name, checked before anything is read. */
async function inputSpecs(command: Command, flags: Flags, io: PluginIo): Promise<Specs> {
  const targets = command.args;
  const queryFlagsGiven = QUERY_FLAGS.filter((name) => command.getOptionValueSource(name) === 'cli');
  const baseRange = flags.baseFrom !== undefined || flags.baseTo !== undefined;
  if (baseRange && flags.diffBase !== undefined) throw new UsageError('give --diff-base or --base-from/--base-to, not both');
  if (flags.baseTo !== undefined && flags.baseFrom === undefined) throw new UsageError('--base-to needs --base-from');
  let main: InputSpec;
  if (targets.length > 0) {
    if (queryFlagsGiven.length > 0) {
      throw new UsageError(`give profile files or ids, or --service and --type, not both (got "${targets.join(' ')}" and --${queryFlagsGiven.join(', --')})`);
    }
    if (baseRange) throw new UsageError('--base-from/--base-to take the base from --service and --type: with files or ids, give --diff-base FILE or ID');
    main = { kind: 'named', targets: await Promise.all(targets.map((t) => classifyTarget(t, io, flags.profilesDir))) };
  } else {
    if (queryFlagsGiven.length === 0) throw new UsageError('give a profile file, a profile id, or --service and --type to merge stored profiles');
    main = { kind: 'query', query: profileQuery(flags, RULES), typeName: flags.type ?? '' };
  }
  if (flags.diffBase !== undefined) return { main, base: { kind: 'named', targets: [await classifyTarget(flags.diffBase, io, flags.profilesDir)] } };
  if (baseRange && main.kind === 'query') return { main, base: { kind: 'query', query: baseQuery(flags), typeName: main.typeName } };
  return { main, base: undefined };
}

function baseQuery(flags: Flags): ProfileQuery {
  try {
    return profileQuery({ ...flags, from: flags.baseFrom ?? '', to: flags.baseTo ?? 'now' }, RULES);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--base-from/--base-to: ${err.message}`);
    throw err;
  }
}

type Drawn = { readonly empty: ProfileQuery } | { readonly empty?: undefined; readonly data: FlameGraphData; readonly fileBase: string };

async function readAndDraw(command: Command, flags: Flags, io: PluginIo, specs: Specs): Promise<Drawn> {
  const draw = async (source: ProfileSource | undefined): Promise<Drawn> => {
    const main = await readInput(specs.main, source, flags, io);
    if (main === undefined) return { empty: queryOf(specs.main) };
    if (specs.base === undefined) return { data: flameGraphData(main.profile, { sampleIndex: flags.sampleIndex, title: main.name }), fileBase: main.fileBase };
    const base = await readInput(specs.base, source, flags, io);
    if (base === undefined) return { empty: queryOf(specs.base) };
    return { data: diffData(main, base, flags.sampleIndex), fileBase: `${main.fileBase}-diff` };
  };
  const needed = needsSource(specs.main) || (specs.base !== undefined && needsSource(specs.base));
  return needed ? withProfileSource(command, io, draw) : draw(undefined);
}

/** The query of a spec that matched nothing (only queries can). */
function queryOf(spec: InputSpec): ProfileQuery {
  if (spec.kind !== 'query') throw new Error('named profiles were read, yet nothing was found');
  return spec.query;
}

/** The diff, or a refusal naming both profiles when they are not of the same kind. */
function diffData(main: FlameInput, base: FlameInput, sampleIndex: string | undefined): FlameGraphData {
  try {
    return diffFlameGraphData(main.profile, base.profile, { sampleIndex, title: `${main.name} against the base ${base.name}` });
  } catch (err) {
    if (err instanceof FlameDiffError) {
      throw new CommandFailure(`cannot diff ${main.name} against ${base.name}: ${err.message}`);
    }
    if (err instanceof SampleIndexError) throw new SampleIndexError(`${err.message} (in one of ${main.name} and the base ${base.name})`);
    throw err;
  }
}

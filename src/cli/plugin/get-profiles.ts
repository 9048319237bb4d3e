/** `kubectl profefe get profiles`: the stored profiles of a service, as kubectl lists resources. */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { renderList, OUTPUT_FORMATS, type Column } from '../../output/render.js';
import { formatCreatedAt } from '../../profefe/collector-time.js';
import { encodeLabels, labelsToRecord, type LabelPair } from '../../profefe/labels.js';
import type { ProfileItem } from '../../profefe/profefe-client.js';
import type { StoredProfile } from '../../source/profile-source.js';
import { positiveInt } from '../flag-values.js';
import { setAction } from './action.js';
import { addOutputOption, outputFormat } from './output-format.js';
import { addQueryOptions, profileQuery, type ProfileQuery, type QueryFlags, type QueryRules } from './query-options.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions, type SourceFlags } from './source-options.js';

const RULES: QueryRules = { typeRequired: false, allowTrace: true };

const COLUMNS: readonly Column<ProfileItem>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'type', value: (p) => p.type },
  { header: 'service', value: (p) => p.service },
  { header: 'created', value: (p) => p.created_at },
];
const WIDE_COLUMNS: readonly Column<ProfileItem>[] = [{ header: 'labels', value: (p) => labelsText(p) }];

interface Flags extends QueryFlags, SourceFlags {
  limit?: string;
  output: string;
}

export function getProfilesCommand(): Command {
  const command = new Command('profiles').description('List the profiles stored for a service (by the collector, or in a directory), oldest first').addHelpText(
    'after',
    `
An empty result prints "No profiles found." on stderr and exits 0 (like kubectl's "No resources found").
allocs profiles are stored as type "other" with the label pprof_type=allocs: --type allocs selects them.
With --profiles-dir DIR the profiles are those kprofefe --output-dir wrote there, listed as the
collector lists them: the id is the file's path below DIR, the labels are namespace and pod.

Examples:
  kubectl profefe get profiles --service api
  kubectl profefe get profiles --service api --type cpu --from 2h --labels namespace=shop -o wide
  kubectl profefe get profiles --service api --from 2026-11-20T10:00:00Z --to 2026-11-20T11:00:00Z -o json
  kubectl profefe get profiles --service api --type heap --profiles-dir ./profiles`,
  );
  addQueryOptions(command, RULES);
  command.option('--limit <n>', 'keep only the N newest profiles');
  addOutputOption(command, OUTPUT_FORMATS, 'table');
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<Flags>();
    const output = outputFormat(flags.output, OUTPUT_FORMATS);
    const query = profileQuery(flags, RULES);
    const limit = flags.limit === undefined ? undefined : positiveInt('--limit', flags.limit);
    const listed = await withProfileSource(cmd, io, (source) => source.list({ ...query, limit }, io.signal));
    const items = listed.map(listedItem);
    io.stdout.write(renderList(items, { output, columns: COLUMNS, wideColumns: WIDE_COLUMNS }));
    if (items.length === 0 && (output === 'table' || output === 'wide')) io.stderr.write(`${noProfilesFound(query)}\n`);
    return EXIT_OK;
  });
}

/** `No profiles found.` and what was asked, so an empty answer can be checked at a glance. */
export function noProfilesFound(query: ProfileQuery): string {
  const type = query.type === undefined ? '' : ` type ${query.type}`;
  const labels = Object.keys(query.labels).length > 0 ? ` labels ${encodeLabels(query.labels)}` : '';
  return `No profiles found. (service ${query.service}${type}${labels}, from ${formatCreatedAt(query.from)} to ${formatCreatedAt(query.to)})`;
}

function labelsText(item: ProfileItem): string {
  return item.labels.length === 0 ? '<none>' : encodeLabels(labelsToRecord(item.labels));
}

/** A listed profile as the collector describes it (the shape of -o json and yaml): labels sorted by key, whole-second created_at. */
function listedItem(profile: StoredProfile): ProfileItem {
  const keys = Object.keys(profile.labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const labels: LabelPair[] = keys.map((key) => ({ key, value: profile.labels[key] ?? '' }));
  return { id: profile.id, type: profile.type, service: profile.service, labels, created_at: formatCreatedAt(profile.createdAt) };
}

/**
 * `kubectl profefe get profile-types`: the types the collector stores and which Go profile each
 * holds. Answered from the PROFILE_TYPES table, without a request.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { renderList, OUTPUT_FORMATS, type Column } from '../../output/render.js';
import { encodeLabels } from '../../profefe/labels.js';
import { COLLECTOR_TYPES, PROFILE_TYPE_SPECS, PROFILE_TYPES, type CollectorType, type ProfileType } from '../../profile-types.js';
import { setAction } from './action.js';
import { addOutputOption, outputFormat } from './output-format.js';

export interface ProfileTypeRow {
  /** The collector type (`--type` of the queries, TYPE in `get profiles`). */
  readonly type: CollectorType;
  /** The Go pprof profile stored under it, or null (trace; other without labels). */
  readonly profile: ProfileType | null;
  /** Labels that tell this Go profile apart under a shared collector type. */
  readonly labels: Readonly<Record<string, string>>;
}

/** One row per Go profile type, under its collector type; collector types no Go profile uses get a row of their own. */
export function profileTypeRows(): ProfileTypeRow[] {
  return COLLECTOR_TYPES.flatMap((type): ProfileTypeRow[] => {
    const profiles = PROFILE_TYPES.filter((p) => PROFILE_TYPE_SPECS[p].collectorType === type);
    if (profiles.length === 0) return [{ type, profile: null, labels: {} }];
    return profiles.map((profile) => ({ type, profile, labels: PROFILE_TYPE_SPECS[profile].collectorLabels }));
  });
}

const COLUMNS: readonly Column<ProfileTypeRow>[] = [
  { header: 'type', value: (r) => r.type },
  { header: 'go profile', value: (r) => r.profile ?? '<none>' },
  { header: 'labels', value: (r) => (Object.keys(r.labels).length === 0 ? '<none>' : encodeLabels(r.labels)) },
];

export function getProfileTypesCommand(): Command {
  const command = new Command('profile-types').description('List the profile types the collector stores and the Go profile each holds').addHelpText(
    'after',
    `
allocs has no type of its own in profefe: it is stored as "other" with the label pprof_type=allocs
(query it with --type allocs, or --type other --labels pprof_type=allocs).`,
  );
  addOutputOption(command, OUTPUT_FORMATS, 'table');
  return setAction(command, async (cmd, { io }) => {
    const output = outputFormat(cmd.opts<{ output: string }>().output, OUTPUT_FORMATS);
    io.stdout.write(renderList(profileTypeRows(), { output, columns: COLUMNS }));
    return EXIT_OK;
  });
}

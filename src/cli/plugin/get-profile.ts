/**
 * `kubectl profefe get profile ID...`: downloads one stored profile (the bytes as uploaded), or
 * several merged into one by the collector, to a file; prints the path written.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { isProfileId } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure, setAction } from './action.js';
import { withCollector } from './collector-connect.js';
import { addCollectorOptions, type CollectorFlags } from './collector-options.js';
import { addOutputFileOption, checkOutputFile, profileFileName, saveProfile } from './save-profile.js';

/** Longest default file name made of ids joined with `+` (file systems stop at 255 bytes). */
const MAX_NAME_IDS = 200;

export function getProfileCommand(): Command {
  const command = new Command('profile')
    .description('Download a stored profile by id; several ids are merged into one profile by the collector')
    .argument('<ids...>', 'profile ids, as "kubectl profefe get profiles" lists them')
    .addHelpText(
      'after',
      `
Without -O the profile is written to <id>.pb.gz (<id1>+<id2>....pb.gz when merged) in the current
directory and the path is printed. -O - writes the profile to stdout (not to a terminal).

Examples:
  kubectl profefe get profile dc150ar8di19klb9s89g
  go tool pprof -top "$(kubectl profefe get profile dc150ar8di19klb9s89g)"
  kubectl profefe get profile dc150ar8di19klb9s89g dc151bq8di19klb9s8a0 -O merged.pb.gz
  kubectl profefe get profile dc150ar8di19klb9s89g -O - | go tool pprof -top /dev/stdin`,
    );
  addOutputFileOption(command);
  addCollectorOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const ids = profileIds(cmd.args);
    const flags = cmd.opts<CollectorFlags & { outputFile?: string }>();
    checkOutputFile(flags.outputFile, io);
    const bytes = await withCollector(cmd, io, async (client) => {
      try {
        return await client.getProfiles(ids, { signal: io.signal });
      } catch (err) {
        throw explainGetFailure(err, ids, client.name);
      }
    });
    const path = await saveProfile(bytes, flags.outputFile, profileFileName(defaultBaseName(ids), bytes), io);
    if (path !== undefined) io.stdout.write(`${path}\n`);
    return EXIT_OK;
  });
}

function profileIds(args: readonly string[]): string[] {
  const ids: string[] = [];
  for (const arg of args) {
    const id = arg.trim();
    if (!isProfileId(id)) {
      throw new UsageError(`"${arg}" is not a profile id: ids are 20 characters of 0-9 and a-v, as "kubectl profefe get profiles" lists them`);
    }
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function defaultBaseName(ids: readonly string[]): string {
  const joined = ids.join('+');
  return joined.length <= MAX_NAME_IDS ? joined : `${ids[0]}+${ids.length - 1}-more`;
}

function explainGetFailure(err: unknown, ids: readonly string[], collector: string): unknown {
  if (!(err instanceof ProfefeError)) return err;
  if (err.nothingFound) {
    const what = ids.length === 1 ? `no profile with id ${ids[0]}` : `none of the ${ids.length} profiles (${ids.join(', ')})`;
    return new CommandFailure(
      `${what} at ${collector} (GET ${err.url}: 404 nothing found); list the stored ids with "kubectl profefe get profiles --service NAME"`,
    );
  }
  if (ids.length > 1 && err.status === 500) {
    return new CommandFailure(`${err.message}. The collector fails this way when the profiles are of different types: merge ids of one type only`);
  }
  return err;
}

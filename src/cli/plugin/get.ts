/** `kubectl profefe get <what>`: lists from the collector (and the type table), as kubectl get. */
import { Command } from 'commander';
import { getProfileTypesCommand } from './get-profile-types.js';
import { getProfileCommand } from './get-profile.js';
import { getProfilesCommand } from './get-profiles.js';
import { getServicesCommand } from './get-services.js';

export function getCommand(): Command {
  return new Command('get')
    .description('List stored profiles, services or profile types, or download a profile')
    .addCommand(getProfilesCommand())
    .addCommand(getServicesCommand())
    .addCommand(getProfileTypesCommand())
    .addCommand(getProfileCommand());
}

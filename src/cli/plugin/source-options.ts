/**
 * Where a query command reads stored profiles from, as flags: the collector (collector-options.ts)
 * or, with --profiles-dir, a directory kprofefe --output-dir (or capture) wrote. Nothing here
 * touches the disk or the network: source-connect.ts does.
 */
import type { Command } from 'commander';
import { addCollectorOptions, type CollectorFlags } from './collector-options.js';

export interface SourceFlags extends CollectorFlags {
  profilesDir?: string;
}

/** The collector options and --profiles-dir. */
export function addSourceOptions(command: Command): Command {
  addCollectorOptions(command);
  return command.option(
    '--profiles-dir <dir>',
    'read the profiles from this directory (as kprofefe --output-dir or capture wrote them: DIR/<namespace>/<service>/<type>/<pod>-<time>.pb.gz) instead of the collector',
  );
}

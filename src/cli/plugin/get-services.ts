/** `kubectl profefe get services`: the services the collector has profiles for. */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { renderList, OUTPUT_FORMATS, type Column } from '../../output/render.js';
import { setAction } from './action.js';
import { withCollector } from './collector-connect.js';
import { addCollectorOptions, type CollectorFlags } from './collector-options.js';
import { addOutputOption, outputFormat } from './output-format.js';

const COLUMNS: readonly Column<string>[] = [{ header: 'service', value: (name) => name }];

export function getServicesCommand(): Command {
  const command = new Command('services')
    .description('List the services the collector stores profiles for')
    .addHelpText(
      'after',
      '\nExamples:\n  kubectl profefe get services\n  kubectl profefe get services --collector kube-profefe/kube-profefe-collector\n  kubectl profefe get services -o json --profefe-hostport http://profefe:10100',
    );
  addOutputOption(command, OUTPUT_FORMATS, 'table');
  addCollectorOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<CollectorFlags & { output: string }>();
    const output = outputFormat(flags.output, OUTPUT_FORMATS);
    return withCollector(cmd, io, async (client) => {
      const services = await client.services({ signal: io.signal });
      io.stdout.write(renderList(services, { output, columns: COLUMNS }));
      if (services.length === 0 && (output === 'table' || output === 'wide')) io.stderr.write(`No services found at ${client.name}.\n`);
      return EXIT_OK;
    });
  });
}

/** `kubectl profefe get services`: the services the collector has profiles for. */
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { renderList, OUTPUT_FORMATS, type Column } from '../../output/render.js';
import { setAction } from './action.js';
import { addOutputOption, outputFormat } from './output-format.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions, type SourceFlags } from './source-options.js';

const COLUMNS: readonly Column<string>[] = [{ header: 'service', value: (name) => name }];

export function getServicesCommand(): Command {
  const command = new Command('services')
    .description('List the services the collector (or a directory) stores profiles for')
    .addHelpText(
      'after',
      '\nExamples:\n  kubectl profefe get services\n  kubectl profefe get services --collector kube-profefe/kube-profefe-collector\n  kubectl profefe get services -o json --profefe-hostport http://profefe:10100\n  kubectl profefe get services --profiles-dir ./profiles',
    );
  addOutputOption(command, OUTPUT_FORMATS, 'table');
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<SourceFlags & { output: string }>();
    const output = outputFormat(flags.output, OUTPUT_FORMATS);
    return withProfileSource(cmd, io, async (source) => {
      const services = await source.services(io.signal);
      io.stdout.write(renderList(services, { output, columns: COLUMNS }));
      if (services.length === 0 && (output === 'table' || output === 'wide')) io.stderr.write(`No services found in ${source.name}.\n`);
      return EXIT_OK;
    });
  });
}

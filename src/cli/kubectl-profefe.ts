/**
 * kubectl-profefe: the kubectl plugin (`kubectl profefe ...`). Builds the command tree, runs the
 * chosen command and returns the exit status; only bin/kubectl-profefe.js calls process.exit.
 *
 *   capture [POD...]            profiles from pods through port-forward (./plugin/capture.ts)
 *   get profiles|services|profile-types|profile ID...
 *   merge                       profiles of a service and type merged into one file
 *   load FILE...                upload local pprof files
 *   top [FILE|ID]               go tool pprof -top of a file, a stored profile or a merged query
 *   flame [FILE|ID...]          a flame graph (HTML page or SVG) of a profile, a merged query, or a diff
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { VERSION } from '../version.js';
import { reportFailure, usageHint } from './plugin/action.js';
import { captureCommand } from './plugin/capture.js';
import { bindPluginContext, createPluginContext, type PluginIo } from './plugin/context.js';
import { getCommand } from './plugin/get.js';
import { addGlobalOptions } from './plugin/global-options.js';
import { loadCommand } from './plugin/load.js';
import { flameCommand } from './plugin/flame.js';
import { mergeCommand } from './plugin/merge.js';
import { topCommand } from './plugin/top.js';
import { uiCommand } from './plugin/ui.js';

export type { PluginIo } from './plugin/context.js';

/** The whole command tree, without I/O wiring (runKubectlProfefe adds that). */
export function kubectlProfefeCommand(): Command {
  const root = new Command('kubectl profefe')
    .description('Capture Go pprof profiles from pods and query a profefe collector')
    .version(VERSION, '--version', 'print the version and exit');
  addGlobalOptions(root);
  return root
    .addCommand(captureCommand())
    .addCommand(getCommand())
    .addCommand(mergeCommand())
    .addCommand(loadCommand())
    .addCommand(topCommand())
    .addCommand(flameCommand())
    .addCommand(uiCommand())
    .addHelpText(
      'after',
      `
The collector commands (get, merge, load, top, and capture --push) reach the collector at
--profefe-hostport (env PROFEFE_HOSTPORT), or its Service through the API server's service proxy:
--collector NAMESPACE/SERVICE[:PORT], else the Service the chart installs, found by its labels
(app.kubernetes.io/name=kube-profefe, app.kubernetes.io/component=collector).
get services, get profiles, merge and top --service read a directory kprofefe --output-dir wrote
instead with --profiles-dir DIR.
Exit status: 0 done (an empty result included); 1 some items failed, or the collector failed;
2 bad flags or configuration, no collector found, or the Kubernetes API refused; 130 interrupted.

Examples:
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z
  kubectl profefe get services
  kubectl profefe get profiles --service checkout --type cpu --from 1h
  kubectl profefe top --service checkout --type cpu --from 1h`,
    );
}

export async function runKubectlProfefe(args: readonly string[], io: PluginIo): Promise<number> {
  const root = kubectlProfefeCommand();
  const context = createPluginContext(io);
  bindPluginContext(root, context);
  wireCommands(root, io);
  try {
    await root.parseAsync([...args], { from: 'user' });
  } catch (err) {
    // --help and --version end with exit code 0; commander already printed what it had to.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_CONFIG;
    return reportFailure(err, root, io);
  }
  return io.signal?.aborted ? Math.max(context.status, EXIT_INTERRUPTED) : context.status;
}

/** Every command writes to the run's streams and throws instead of exiting the process. */
function wireCommands(command: Command, io: PluginIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(text),
    })
    .showHelpAfterError(usageHint(command));
  for (const sub of command.commands) wireCommands(sub, io);
}

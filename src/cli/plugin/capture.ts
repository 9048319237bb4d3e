/**
 * `kubectl profefe capture [POD...]`: profiles from pods, reached through the API server's
 * port-forward, saved as files or pushed to profefe. Flags in capture-options.ts, the run in
 * capture-run.ts; the kubectl flags (--kubeconfig, --context, -n, -A, -l) are the root's.
 * The run (and with it @kubernetes/client-node, ~0.5 s of CPU to load) is imported only when
 * capture runs, so that the query commands (get, merge, load, top) start fast.
 */
import type { Command } from 'commander';
import { setAction } from './action.js';
import { captureOptionsCommand, toCaptureConfig, type RawCaptureOptions } from './capture-options.js';
import { globalOptions } from './global-options.js';

export type { CaptureIo } from './capture-run.js';
export { toCaptureConfig, type CaptureConfig } from './capture-options.js';

export function captureCommand(): Command {
  const command = captureOptionsCommand();
  return setAction(command, async (cmd, { io }) => {
    const config = toCaptureConfig({
      pods: cmd.args,
      raw: cmd.opts<RawCaptureOptions>(),
      globals: globalOptions(cmd),
      outputDirGiven: cmd.getOptionValueSource('outputDir') === 'cli',
      env: io.env,
      cwd: io.cwd ?? process.cwd(),
    });
    const { runCapture } = await import('./capture-run.js');
    return runCapture(config, { stdout: io.stdout, stderr: io.stderr, env: io.env, signal: io.signal });
  });
}

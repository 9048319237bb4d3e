/**
 * `kubectl profefe ui`: the local web UI over the collector or a --profiles-dir. Prints its URL as
 * the first line on stdout, opens the browser unless --no-open, and serves until Ctrl-C. The
 * source stays open the whole time; each page asks it again, so a collector that was down at
 * one request is used again at the next.
 */
import { isIP } from 'node:net';
import { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import { openBrowser } from '../../ui/open-browser.js';
import { sourceBackend } from '../../ui/source-backend.js';
import { startUiServer } from '../../ui/ui-server.js';
import { positiveInt } from '../flag-values.js';
import { UsageError } from '../usage-error.js';
import { setAction } from './action.js';
import { profileCacheFor } from './client-merge.js';
import type { PluginIo } from './context.js';
import { withProfileSource } from './source-connect.js';
import { addSourceOptions } from './source-options.js';

interface Flags {
  address: string;
  port: string;
  open: boolean;
  cache: boolean;
}

export function uiCommand(): Command {
  const command = new Command('ui')
    .description('Serve a local web UI: services, flame graphs, top tables, comparisons, label breakdowns and the fleet view')
    .option('--address <ip>', 'address to listen on (loopback unless you mean to share the profiles)', '127.0.0.1')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '0')
    .option('--no-open', 'do not open the browser; only print the URL')
    .option('--no-cache', 'download every profile, neither reading nor filling the local profile cache')
    .addHelpText(
      'after',
      `
The first line on stdout is the UI's URL (http://127.0.0.1:PORT/). Every page is reproduced by its
URL. The UI reads the collector (as the other commands find it) or, with --profiles-dir, a
directory kprofefe --output-dir wrote. Ctrl-C stops it.

Examples:
  kubectl profefe ui
  kubectl profefe ui --profiles-dir ./profiles --port 8080 --no-open`,
    );
  addSourceOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<Flags>();
    const address = listenAddress(flags.address);
    const port = flags.port === '0' ? 0 : positiveInt('--port', flags.port, 65535);
    const cache = profileCacheFor({ cache: flags.cache }, io);
    return withProfileSource(cmd, io, async (source) => {
      const server = await startUiServer(sourceBackend(source, { cache }), { host: address, port });
      io.stdout.write(`${server.url}\n`);
      io.stderr.write(`serving the profiles of ${source.name} at ${server.url} (Ctrl-C stops it)\n`);
      if (!isLoopback(address))
        io.stderr.write(`warning: --address ${address} is not loopback: anyone who can reach it can read these profiles (the UI has no login)\n`);
      if (flags.open) io.stderr.write(`${openBrowser(server.url, io.env)}\n`);
      await stopped(io);
      await server.close();
      return EXIT_OK;
    });
  });
}

function listenAddress(value: string): string {
  const address = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (address === 'localhost') return '127.0.0.1';
  if (isIP(address) === 0) throw new UsageError(`--address "${value}": not an IP address; use 127.0.0.1 (the default) or ::1`);
  return address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function stopped(io: PluginIo): Promise<void> {
  const signal = io.signal;
  if (signal === undefined) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

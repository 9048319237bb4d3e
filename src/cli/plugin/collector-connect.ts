/**
 * Opens the collector a command's flags choose (collector-options.ts): a URL needs nothing more;
 * a Service (named, or to find) loads the kubeconfig and goes through the API server
 * (collector-in-cluster.ts, imported only then). The connection is closed when the command is done.
 */
import type { Command } from 'commander';
import { ProfefeClient } from '../../profefe/profefe-client.js';
import { durationMs } from '../flag-values.js';
import type { PluginIo } from './context.js';
import { collectorChoice, type CollectorFlags } from './collector-options.js';
import { globalOptions } from './global-options.js';

export interface CollectorConnection {
  readonly client: ProfefeClient;
  /** Closes the connections to the Kubernetes API (nothing for a URL). */
  close(): Promise<void>;
}

/** Checks the flags (UsageError) before anything is read or sent, then connects. */
export async function connectCollector(command: Command, flags: CollectorFlags, io: PluginIo): Promise<CollectorConnection> {
  const choice = collectorChoice(flags, io.env);
  const timeoutMs = durationMs('--timeout', flags.timeout);
  if (choice.kind === 'url') return { client: new ProfefeClient({ baseUrl: choice.url, headers: choice.headers, timeoutMs }), close: async () => {} };
  const { connectInCluster } = await import('./collector-in-cluster.js');
  const service = choice.kind === 'service' ? choice.service : undefined;
  return connectInCluster(service, { globals: globalOptions(command), env: io.env, timeoutMs, signal: io.signal });
}

/** Runs `use` with the collector the command's flags choose, and closes it afterwards. */
export async function withCollector<T>(command: Command, io: PluginIo, use: (client: ProfefeClient) => Promise<T>): Promise<T> {
  const connection = await connectCollector(command, command.opts<CollectorFlags>(), io);
  try {
    return await use(connection.client);
  } finally {
    await connection.close();
  }
}

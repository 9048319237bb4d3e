/**
 * Opens the ProfileSource a query command's flags choose: --profiles-dir, a directory; otherwise
 * the collector, found as withCollector finds it. Flags that contradict each other are a
 * UsageError before anything is read; a source's failures become the plugin's (action.ts): a
 * missing or unreadable directory exits 2, a profile that cannot be read or merged exits 1.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { collectorSource } from '../../source/collector-source.js';
import { directorySource } from '../../source/directory-source.js';
import { SourceMergeError } from '../../source/merge-from-source.js';
import { ProfileGoneError, type ProfileSource } from '../../source/profile-source.js';
import { SourceError } from '../../source/source-error.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure, ConfigFailure } from './action.js';
import { connectCollector } from './collector-connect.js';
import type { PluginIo } from './context.js';
import type { SourceFlags } from './source-options.js';

/** Collector flags that make no sense with --profiles-dir. */
const COLLECTOR_FLAGS = [
  ['profefeHostport', '--profefe-hostport'],
  ['collector', '--collector'],
  ['profefeHeader', '--profefe-header'],
  ['profefeHeaderFile', '--profefe-header-file'],
] as const;

/** Runs `use` with the source the command's flags choose, and closes it afterwards. */
export async function withProfileSource<T>(command: Command, io: PluginIo, use: (source: ProfileSource) => Promise<T>): Promise<T> {
  const flags = command.opts<SourceFlags & { serverMerge?: boolean }>();
  const opened = flags.profilesDir === undefined ? await openCollector(command, flags, io) : await openDirectory(flags, io);
  try {
    return await use(opened.source);
  } catch (err) {
    throw asPluginFailure(err);
  } finally {
    await opened.close();
  }
}

interface OpenedSource {
  readonly source: ProfileSource;
  close(): Promise<void>;
}

async function openCollector(command: Command, flags: SourceFlags, io: PluginIo): Promise<OpenedSource> {
  const connection = await connectCollector(command, flags, io);
  const source = collectorSource(connection.client);
  return { source, close: () => source.close().finally(() => connection.close()) };
}

async function openDirectory(flags: SourceFlags & { serverMerge?: boolean }, io: PluginIo): Promise<OpenedSource> {
  const dir = flags.profilesDir ?? '';
  const given = COLLECTOR_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
  if (given.length > 0) {
    throw new UsageError(`give --profiles-dir (a directory) or ${given.join(', ')} (the collector), not both`);
  }
  if (flags.serverMerge === true) {
    throw new UsageError('--server-merge asks the collector to merge: it does not apply to --profiles-dir, whose profiles are merged here');
  }
  if (dir.trim() === '') throw new UsageError('--profiles-dir needs a directory');
  try {
    const source = await directorySource(resolve(io.cwd ?? process.cwd(), dir));
    return { source, close: () => source.close() };
  } catch (err) {
    if (err instanceof SourceError) throw new ConfigFailure(`--profiles-dir ${dir}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** A source's failures as the plugin reports them (action.ts): one `error:` line, exit 1. */
function asPluginFailure(err: unknown): unknown {
  if (err instanceof SourceError || err instanceof ProfileGoneError || err instanceof SourceMergeError) {
    return new CommandFailure(err.message, { cause: err });
  }
  return err;
}

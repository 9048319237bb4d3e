/**
 * Where a downloaded profile goes: -O FILE, -O - (stdout, never a terminal), or by default a
 * file named after what was downloaded in the current directory. Files are written under a
 * temporary name and renamed, so an interrupted download never leaves half a profile behind.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isGzip } from '../../pprof/gzip.js';
import { UsageError } from '../usage-error.js';
import { CommandFailure } from './action.js';
import type { PluginIo } from './context.js';

export function addOutputFileOption(command: Command): Command {
  return command.option('-O, --output-file <file>', 'write the profile to FILE ("-" for stdout) instead of a file named after it in the current directory');
}

/** `<base>.pb.gz`, or `<base>.pb` for a profile stored without gzip. */
export function profileFileName(base: string, bytes: Uint8Array): string {
  return `${base}${isGzip(bytes) ? '.pb.gz' : '.pb'}`;
}

/** A file name made of user text (a service name): path separators and odd characters become `_`. */
export function safeFileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
}

/** Checks -O before anything is downloaded: binary never goes to a terminal. */
export function checkOutputFile(outputFile: string | undefined, io: PluginIo): void {
  if (outputFile === '-' && (io.stdout as { isTTY?: boolean }).isTTY === true) {
    throw new UsageError('-O -: stdout is a terminal and a profile is binary; redirect stdout (> file.pb.gz, | go tool pprof -top /dev/stdin) or give -O FILE');
  }
  if (outputFile === '') throw new UsageError('-O/--output-file: empty file name');
}

/**
 * Writes the profile and returns the path written (as the user can type it), or undefined when
 * it went to stdout. Refuses to write binary to a terminal.
 */
export async function saveProfile(bytes: Buffer, outputFile: string | undefined, defaultName: string, io: PluginIo): Promise<string | undefined> {
  checkOutputFile(outputFile, io);
  if (outputFile === '-') {
    await new Promise<void>((done, fail) => io.stdout.write(bytes, (err) => (err ? fail(err) : done())));
    return undefined;
  }
  const shown = outputFile ?? defaultName;
  const path = resolve(io.cwd ?? process.cwd(), shown);
  const partial = `${path}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(partial, bytes);
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CommandFailure(`cannot write ${shown} (${code}): choose a writable path with -O FILE`);
  }
  return shown;
}

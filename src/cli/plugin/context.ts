/**
 * What every `kubectl profefe` command runs with: the streams and environment given to
 * runKubectlProfefe (never process.* directly, so tests and embedders choose them) and the exit
 * status of the run. The root command owns one PluginContext per run; a command built elsewhere
 * (capture) finds it with pluginContext(this) inside its action.
 */
import type { Command } from 'commander';
import { EXIT_OK } from '../../exit-codes.js';
import type { CliIo } from '../main.js';

export interface PluginIo extends CliIo {
  /** Where relative paths (downloads, -O, load) are resolved. Default: process.cwd(). */
  readonly cwd?: string;
}

export interface PluginContext {
  readonly io: PluginIo;
  /** The exit status of the run so far; commands raise it with setStatus. */
  readonly status: number;
  /** Records an exit status; the highest one recorded wins (0 ok < 1 partial < 2 usage). */
  setStatus(status: number): void;
}

const contexts = new WeakMap<Command, PluginContext>();

export function createPluginContext(io: PluginIo): PluginContext {
  let status = EXIT_OK;
  return {
    io,
    get status() {
      return status;
    },
    setStatus(next: number) {
      status = Math.max(status, next);
    },
  };
}

/** Ties a context to the root command of a run. */
export function bindPluginContext(root: Command, context: PluginContext): void {
  contexts.set(root, context);
}

/** The context of the run `command` belongs to (looked up on its root command). */
export function pluginContext(command: Command): PluginContext {
  let root = command;
  while (root.parent) root = root.parent;
  const context = contexts.get(root);
  if (!context) throw new Error(`command "${command.name()}" is not part of a kubectl profefe run (no context bound to its root)`);
  return context;
}

/** `kubectl profefe get profiles`: how a user types the command, for messages and hints. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Runs a command's work inside the run's context: the handler returns an exit status, and the
 * failures a user can act on are printed as one `error: ...` line instead of a stack trace:
 * usage mistakes, no collector to talk to and Kubernetes refusals (401, 403, a Service not found)
 * (exit 2), collector failures and unreadable profiles (exit 1), a request cancelled by Ctrl-C
 * (exit 130). Anything else is a bug and is rethrown.
 */
import type { Command } from 'commander';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_PARTIAL } from '../../exit-codes.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import { ProfileDecodeError } from '../../pprof/decode-profile.js';
import { SampleIndexError } from '../../pprof/top.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { UsageError } from '../usage-error.js';
import { commandPath, pluginContext, type PluginContext, type PluginIo } from './context.js';

/** A command could not do its work for a reason the message explains (a file, the collector...): exit 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** The command cannot start for a reason the message explains (no collector found, no cluster configuration): exit 2. */
export class ConfigFailure extends Error {
  override readonly name = 'ConfigFailure';
}

/** Kubernetes answers that flags or permissions must change for: credentials, RBAC, a Service that does not exist. */
const KUBE_CONFIG_STATUSES = new Set([401, 403, 404]);

export type ActionHandler = (command: Command, context: PluginContext) => Promise<number>;

export function setAction(command: Command, handler: ActionHandler): Command {
  return command.action(async function (this: Command) {
    const context = pluginContext(this);
    try {
      context.setStatus(await handler(this, context));
    } catch (err) {
      context.setStatus(reportFailure(err, this, context.io));
    }
  });
}

/** Prints what went wrong and returns the exit status; rethrows what is not a known failure. */
export function reportFailure(err: unknown, command: Command, io: PluginIo): number {
  if (err instanceof UsageError || err instanceof SampleIndexError) {
    io.stderr.write(`error: ${err.message}\n${usageHint(command)}\n`);
    return EXIT_CONFIG;
  }
  if ((err instanceof ProfefeError && err.kind === 'aborted') || ((err instanceof KubeApiError || isAbortError(err)) && io.signal?.aborted)) {
    io.stderr.write('interrupted: the request was cancelled; nothing was written\n');
    return EXIT_INTERRUPTED;
  }
  if (err instanceof ConfigFailure) {
    io.stderr.write(`error: ${err.message}\n`);
    return EXIT_CONFIG;
  }
  if (err instanceof KubeApiError) {
    io.stderr.write(`error: ${err.message}\n`);
    return err.statusCode !== undefined && KUBE_CONFIG_STATUSES.has(err.statusCode) ? EXIT_CONFIG : EXIT_PARTIAL;
  }
  if (err instanceof ProfefeError || err instanceof ProfileDecodeError || err instanceof CommandFailure) {
    io.stderr.write(`error: ${err.message}\n`);
    return EXIT_PARTIAL;
  }
  throw err;
}

/** What a cancelled read throws: the signal's reason (a DOMException) or a fs call's AbortError. */
function isAbortError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

export function usageHint(command: Command): string {
  return `See '${commandPath(command)} --help' for usage.`;
}

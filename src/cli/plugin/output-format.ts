/** `-o/--output` as kubectl spells it; each command says which formats it offers. */
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

export function addOutputOption(command: Command, formats: readonly string[], fallback: string): Command {
  return command.option('-o, --output <format>', `output format: ${formats.join(', ')}`, fallback);
}

export function outputFormat<T extends string>(value: string, formats: readonly T[]): T {
  if (!(formats as readonly string[]).includes(value)) {
    throw new UsageError(`-o/--output "${value}": unknown output format; use one of ${formats.join(', ')}`);
  }
  return value as T;
}

/**
 * Where a partly typed `kubectl profefe ...` command line stands, read against the real command
 * tree (the same commander definitions the plugin runs): which command is being typed, which
 * flags were given (with their values), and whether the word being completed is a flag, a flag's
 * value or an argument. Pure: no I/O.
 */
import type { Command, Option } from 'commander';

export type CompletionSlot =
  /** A flag name: the word starts with `-`. */
  | { readonly kind: 'flag' }
  /** The value of `option` (after `--flag ` or in `--flag=`); `prefix` is what precedes the value in the word. */
  | { readonly kind: 'flag-value'; readonly option: Option; readonly prefix: string }
  /** A positional word: a subcommand name or an argument of `command`. */
  | { readonly kind: 'argument' };

export interface CompletionContext {
  /** The deepest command named by the words. */
  readonly command: Command;
  /** Flag values given so far, by long name without dashes (`namespace`, `kubeconfig`). */
  readonly values: ReadonlyMap<string, string>;
  /** Flags given so far (long names without dashes). */
  readonly used: ReadonlySet<string>;
  /** Arguments of `command` given so far (not subcommand names, not flag values). */
  readonly args: readonly string[];
  /** What is being completed, and the word typed so far. */
  readonly slot: CompletionSlot;
  readonly toComplete: string;
}

/** The options that apply in `command`: its own, then its ancestors' (the root's kubectl flags). */
export function optionsInScope(command: Command): Option[] {
  const options: Option[] = [];
  for (let c: Command | null = command; c; c = c.parent) options.push(...c.options);
  return options;
}

function findOption(command: Command, flag: string): Option | undefined {
  return optionsInScope(command).find((o) => o.short === flag || o.long === flag);
}

const takesValue = (option: Option): boolean => option.required || option.optional;

export const optionKey = (option: Option): string => (option.long ?? option.short ?? '').replace(/^-+/, '');

function findSubcommand(command: Command, name: string): Command | undefined {
  return command.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** `words`: what follows `kubectl profefe`, the last one being the word under the cursor (maybe empty). */
export function readCompletionWords(root: Command, words: readonly string[]): CompletionContext {
  const typed = words.length > 0 ? words.slice(0, -1) : [];
  const toComplete = words.length > 0 ? (words[words.length - 1] ?? '') : '';
  let command = root;
  const values = new Map<string, string>();
  const used = new Set<string>();
  const args: string[] = [];
  let pending: Option | undefined;
  let dashDash = false;

  for (const word of typed) {
    if (pending !== undefined) {
      values.set(optionKey(pending), word);
      pending = undefined;
      continue;
    }
    if (!dashDash && word === '--') {
      dashDash = true;
      continue;
    }
    if (!dashDash && word.startsWith('-') && word !== '-') {
      const eq = word.indexOf('=');
      const flag = eq > 0 ? word.slice(0, eq) : word;
      const option = findOption(command, flag);
      if (option === undefined) continue;
      used.add(optionKey(option));
      if (eq > 0) values.set(optionKey(option), word.slice(eq + 1));
      else if (option.required) pending = option;
      continue;
    }
    const sub = args.length === 0 ? findSubcommand(command, word) : undefined;
    if (sub !== undefined) command = sub;
    else args.push(word);
  }

  let slot: CompletionSlot;
  if (pending !== undefined) {
    slot = { kind: 'flag-value', option: pending, prefix: '' };
  } else if (!dashDash && toComplete.startsWith('-')) {
    const eq = toComplete.indexOf('=');
    const option = eq > 0 ? findOption(command, toComplete.slice(0, eq)) : undefined;
    slot = option !== undefined && takesValue(option) ? { kind: 'flag-value', option, prefix: toComplete.slice(0, eq + 1) } : { kind: 'flag' };
  } else {
    slot = { kind: 'argument' };
  }
  const valueTyped = slot.kind === 'flag-value' ? toComplete.slice(slot.prefix.length) : toComplete;
  return { command, values, used, args, slot, toComplete: valueTyped };
}

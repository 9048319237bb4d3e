/**
 * Shell completion for `kubectl profefe`, through kubectl's plugin completion: kubectl (1.26+) runs
 * the executable `kubectl_complete-profefe` with the words typed after `kubectl profefe` (the last
 * one being the word under the cursor) and reads cobra's `__complete` answer: one candidate per
 * line (`value<TAB>description`), then `:<directive>`.
 *
 * Commands and flags come from the plugin's own command tree; namespaces (after -n) and pod names
 * (arguments of `capture`) from the Kubernetes API, with the --kubeconfig/--context/-n typed so far.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { Command, Option } from 'commander';
import { defaultNamespace, loadKubeConfig } from '../../kube/client-node-kubeconfig.js';
import { PROFILE_TYPES } from '../../profile-types.js';
import { kubectlProfefeCommand } from '../kubectl-profefe.js';
import { optionKey, optionsInScope, readCompletionWords, type CompletionContext } from './completion-words.js';

/** cobra's ShellCompDirective bits. */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
  KeepOrder: 32,
} as const;

export interface CompletionResult {
  /** `value` or `value\tdescription`. */
  readonly candidates: readonly string[];
  readonly directive: number;
}

export interface CompletionOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Limit for the API lookups (namespaces, pods); completion must never hang a shell. Default 5 s. */
  readonly timeoutMs?: number;
  /** The command tree; default the plugin's. */
  readonly root?: Command;
}

/** Flags whose value is a file or directory: the shell completes those itself. */
const FILE_FLAGS = new Set(['kubeconfig', 'profefe-header-file', 'output-file', 'diff-base', 'target-ca-file', 'target-bearer-token-file']);
const DIR_FLAGS = new Set(['output-dir']);

export async function complete(words: readonly string[], options: CompletionOptions): Promise<CompletionResult> {
  const root = options.root ?? kubectlProfefeCommand();
  const ctx = readCompletionWords(root, words);
  const { slot } = ctx;
  if (slot.kind === 'flag') return { candidates: filter(flagCandidates(ctx), ctx.toComplete), directive: Directive.NoFileComp };
  if (slot.kind === 'flag-value') return flagValue(slot.option, ctx, options);

  const subcommands = root.createHelp().visibleCommands(ctx.command);
  if (ctx.command.commands.length > 0) {
    const names = subcommands.map((c) => withDescription(c.name(), c.description()));
    return { candidates: filter(names, ctx.toComplete), directive: Directive.NoFileComp };
  }
  switch (commandName(ctx.command)) {
    case 'capture':
      return lookup(
        options,
        async () => {
          const pods = await podNames(ctx, options);
          return pods.filter((p) => !ctx.args.includes(p));
        },
        ctx.toComplete,
      );
    case 'load':
    case 'top':
    case 'flame':
      // Profile files (and, for top and flame, stored profile ids, which cannot be listed without a query).
      return { candidates: [], directive: Directive.Default };
    default:
      return { candidates: [], directive: Directive.NoFileComp };
  }
}

/** The lines kubectl reads: candidates, then `:<directive>`. */
export function formatCompletion(result: CompletionResult): string {
  return [...result.candidates, `:${result.directive}`].join('\n') + '\n';
}

function commandName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `value<TAB>description`, the description cut to its first clause (shells show one line per candidate). */
function withDescription(value: string, description: string): string {
  let text = description.replace(/\s+/g, ' ').trim();
  text = text.split(/ \(|; |\. /)[0] ?? text;
  if (text.length > 80) text = `${text.slice(0, 79)}…`;
  return text === '' ? value : `${value}\t${text}`;
}

function filter(candidates: readonly string[], typed: string): string[] {
  return candidates.filter((c) => c.startsWith(typed));
}

function flagCandidates(ctx: CompletionContext): string[] {
  const help = ctx.command.createHelp();
  const own = new Set<Option>(help.visibleOptions(ctx.command));
  // The root's flags (--kubeconfig, -n ...) apply to every command; --version only to the root itself.
  const inherited = optionsInScope(ctx.command).filter((o) => !own.has(o) && !o.hidden && o.long !== '--version');
  const candidates: string[] = [];
  for (const option of [...own, ...inherited]) {
    // Flags given once are not offered again, unless they collect several values.
    if (ctx.used.has(optionKey(option)) && option.parseArg === undefined && option.long !== '--help') continue;
    for (const flag of [option.long, option.short]) {
      if (flag !== undefined) candidates.push(withDescription(flag, option.description));
    }
  }
  return candidates;
}

async function flagValue(option: Option, ctx: CompletionContext, options: CompletionOptions): Promise<CompletionResult> {
  const key = optionKey(option);
  if (FILE_FLAGS.has(key)) return { candidates: [], directive: Directive.Default };
  if (DIR_FLAGS.has(key)) return { candidates: [], directive: Directive.FilterDirs };
  if (option.argChoices !== undefined) return { candidates: filter(option.argChoices, ctx.toComplete), directive: Directive.NoFileComp };
  switch (key) {
    case 'namespace':
      return lookup(options, () => namespaceNames(ctx, options), ctx.toComplete);
    case 'context':
      return lookup(
        options,
        async () =>
          kubeConfig(ctx, options)
            .getContexts()
            .map((c) => c.name),
        ctx.toComplete,
      );
    case 'profile-types':
      return profileTypeList(ctx.toComplete);
    case 'type':
      return { candidates: filter(PROFILE_TYPES, ctx.toComplete), directive: Directive.NoFileComp };
    default:
      return { candidates: [], directive: Directive.NoFileComp };
  }
}

/** `cpu,he` → `cpu,heap`: the next type of a comma list, without a space after it. */
function profileTypeList(typed: string): CompletionResult {
  const comma = typed.lastIndexOf(',');
  const head = typed.slice(0, comma + 1);
  const given = new Set(head.split(',').filter((t) => t !== ''));
  const candidates = PROFILE_TYPES.filter((t) => !given.has(t)).map((t) => `${head}${t}`);
  return { candidates: filter(candidates, typed), directive: Directive.NoFileComp | Directive.NoSpace };
}

/** Runs an API lookup with a deadline; a failure completes nothing (and never prints into the prompt). */
async function lookup(options: CompletionOptions, names: () => Promise<string[]>, typed: string): Promise<CompletionResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), options.timeoutMs ?? 5_000);
  });
  try {
    const found = await Promise.race([names(), deadline]);
    return { candidates: filter([...new Set(found)].sort(), typed), directive: Directive.NoFileComp };
  } catch {
    return { candidates: [], directive: Directive.Error };
  } finally {
    clearTimeout(timer);
  }
}

function kubeConfig(ctx: CompletionContext, options: CompletionOptions) {
  return loadKubeConfig({ kubeconfig: ctx.values.get('kubeconfig'), context: ctx.values.get('context'), env: options.env });
}

async function namespaceNames(ctx: CompletionContext, options: CompletionOptions): Promise<string[]> {
  const api = kubeConfig(ctx, options).makeApiClient(CoreV1Api);
  const list = await api.listNamespace({ limit: 500 });
  return list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
}

/** Running pods of the namespace typed with -n (else the context's): the ones capture can profile. */
async function podNames(ctx: CompletionContext, options: CompletionOptions): Promise<string[]> {
  const kc = kubeConfig(ctx, options);
  const namespace = ctx.values.get('namespace') ?? defaultNamespace(kc);
  const api = kc.makeApiClient(CoreV1Api);
  const list = await api.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Running', limit: 500 });
  return list.items.map((p) => p.metadata?.name ?? '').filter((n) => n !== '');
}

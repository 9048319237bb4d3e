/**
 * The flags kubectl users expect on every command (--kubeconfig, --context, -n, -A, -l). They are
 * options of the root command, so commander accepts them before or after any subcommand name;
 * a subcommand reads them with globalOptions(this) (commander's optsWithGlobals), never by
 * declaring them again (the root would take the value first).
 */
import type { Command } from 'commander';

export interface GlobalOptions {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly namespace: string | undefined;
  readonly allNamespaces: boolean;
  readonly selector: string | undefined;
}

export function addGlobalOptions(root: Command): Command {
  return root
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'namespace (default: the context namespace)')
    .option('-A, --all-namespaces', 'every namespace', false)
    .option('-l, --selector <selector>', 'label selector, e.g. app=api,tier!=batch');
}

export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<Partial<Record<keyof GlobalOptions, unknown>>>();
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    kubeconfig: text(o.kubeconfig),
    context: text(o.context),
    namespace: text(o.namespace),
    allNamespaces: o.allNamespaces === true,
    selector: text(o.selector),
  };
}

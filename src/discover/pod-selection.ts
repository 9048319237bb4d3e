/**
 * Which pods a run looks at, as both command lines take it (`-n`, `-A`, `-l`, pod names), and the
 * rules on combining them, written once: a broken rule is a message naming the flags.
 */

export interface PodSelection {
  /** Namespaces to read; empty: the kubeconfig context's namespace. */
  readonly namespaces: readonly string[];
  readonly allNamespaces: boolean;
  /** A Kubernetes label selector, applied by the API server. */
  readonly labelSelector: string | undefined;
  /** Pods named on the command line: they need no enable annotation. */
  readonly names: readonly string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What is wrong with the selection, or undefined when it is usable. */
export function selectionProblem(selection: PodSelection): string | undefined {
  const { namespaces, allNamespaces, labelSelector, names } = selection;
  if (allNamespaces && namespaces.length > 0) return '--all-namespaces and --namespace exclude each other: pick one';
  if (allNamespaces && names.length > 0) return 'pods cannot be named with --all-namespaces: name them with --namespace';
  if (names.length > 0 && namespaces.length > 1) return 'named pods take a single --namespace';
  if (names.length > 0 && labelSelector !== undefined) return 'name pods or give --selector, not both';
  for (const namespace of namespaces) {
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) return `--namespace "${namespace}" is not a valid namespace name`;
  }
  for (const name of names) {
    if (!DNS_SUBDOMAIN.test(name) || name.length > 253) return `pod name "${name}" is not a valid Kubernetes name`;
  }
  return undefined;
}

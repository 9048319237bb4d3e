import type { V1Pod } from '@kubernetes/client-node';

/**
 * Field selectors for pods as the API server supports them (k8s.io/apimachinery/pkg/fields and the
 * pod registry's selectable fields): terms `field=value`, `field==value`, `field!=value` joined by
 * `,`, with `\,` `\=` `\\` escapes. Unknown fields are rejected like the server does.
 */

export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

export type PodFieldMatcher = (pod: V1Pod) => boolean;

const POD_FIELDS: Readonly<Record<string, (pod: V1Pod) => string>> = {
  'metadata.name': (p) => p.metadata?.name ?? '',
  'metadata.namespace': (p) => p.metadata?.namespace ?? '',
  'spec.nodeName': (p) => p.spec?.nodeName ?? '',
  'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
  'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
  'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
  'spec.hostNetwork': (p) => String(p.spec?.hostNetwork === true),
  'status.phase': (p) => p.status?.phase ?? '',
  'status.podIP': (p) => p.status?.podIP ?? '',
  'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
};

interface Term {
  field: string;
  negated: boolean;
  value: string;
}

/** Splits on unescaped `sep`, keeping escapes in place. */
function splitUnescaped(input: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i += 1) {
    const ch = input[i] as string;
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + (input[i + 1] as string);
      i += 1;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => c);
}

function parseTerm(term: string): Term {
  for (let i = 0; i < term.length; i += 1) {
    if (term[i] === '\\') {
      i += 1;
      continue;
    }
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), negated: op === '!=', value: unescape(term.slice(i + op.length)) };
      }
    }
  }
  throw new FieldSelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
}

/** Parses a pod field selector; throws `FieldSelectorError` when the server would answer 400. */
export function parsePodFieldSelector(selector: string): PodFieldMatcher {
  if (selector.trim() === '') return () => true;
  const terms = splitUnescaped(selector, ',').map(parseTerm);
  const checks = terms.map((term) => {
    const read = POD_FIELDS[term.field];
    if (read === undefined) throw new FieldSelectorError(`field label not supported: ${term.field}`);
    return (pod: V1Pod) => (read(pod) === term.value) !== term.negated;
  });
  return (pod) => checks.every((check) => check(pod));
}

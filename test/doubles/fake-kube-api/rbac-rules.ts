/**
 * What the fake API's user may not do, as RBAC would refuse it: a verb on a resource (with its
 * subresource, e.g. `services/proxy`), everywhere, in one namespace, or only at the cluster scope
 * (the user holds a Role in some namespaces but no ClusterRole). Pods keep their own older switch
 * (`forbiddenNamespaces`); these rules cover Services, the service proxy and anything added later.
 */

export interface ForbiddenRule {
  /** `list`, `get`, `create` ... as RBAC names them. */
  readonly verb: string;
  /** Plural resource with its subresource: `services`, `services/proxy`. */
  readonly resource: string;
  /**
   * Undefined: refused everywhere. A namespace: refused in it, and at the cluster scope (a
   * cluster-wide request covers it). `*cluster*`: refused only at the cluster scope.
   */
  readonly namespace?: string;
}

/** The `namespace` of a rule that refuses only cluster-wide requests. */
export const CLUSTER_SCOPE_ONLY = '*cluster*';

export class RbacRules {
  private rules: readonly ForbiddenRule[] = [];

  set(rules: readonly ForbiddenRule[]): void {
    this.rules = [...rules];
  }

  /** Whether `verb` on `resource` in `namespace` (undefined: the cluster scope) is refused. */
  denies(verb: string, resource: string, namespace: string | undefined): boolean {
    return this.rules.some((rule) => rule.verb === verb && rule.resource === resource && covers(rule, namespace));
  }
}

function covers(rule: ForbiddenRule, namespace: string | undefined): boolean {
  if (rule.namespace === undefined) return true;
  if (namespace === undefined) return true;
  return rule.namespace === namespace;
}

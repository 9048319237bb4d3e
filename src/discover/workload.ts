import type { V1Pod } from '@kubernetes/client-node';

export interface Workload {
  readonly kind: string;
  readonly name: string;
}

/**
 * The workload that owns a pod, read from its controller ownerReference without extra API
 * calls: a ReplicaSet named `<deployment>-<pod-template-hash>` resolves to its Deployment, a
 * Job named `<cronjob>-<scheduled minutes>` to its CronJob. Pod names churn; workload names
 * are what people look profiles up by.
 */
export function owningWorkload(pod: V1Pod): Workload | undefined {
  const owners = pod.metadata?.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    }
    return { kind: 'ReplicaSet', name: owner.name };
  }
  if (owner.kind === 'Job') {
    const cron = /^(.+)-(\d{8,10})$/.exec(owner.name);
    if (cron?.[1]) return { kind: 'CronJob', name: cron[1] };
  }
  return { kind: owner.kind, name: owner.name };
}

import type { V1Pod } from '@kubernetes/client-node';

export interface PodSpecInput {
  name: string;
  namespace?: string;
  /** `status.podIP`; `null` for a pod that has none yet. Default 127.0.0.1. */
  ip?: string | null;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  node?: string;
  uid?: string;
  /** Shorthand for the controller ownerReference. */
  owner?: { kind: string; name: string };
  /** Declared container ports, e.g. `[{ name: 'pprof', containerPort: 6060 }]`. */
  ports?: Array<{ name?: string; containerPort: number }>;
}

let counter = 0;

/** A Pod as the Kubernetes API returns it (plain JSON shape, as a fake API serves it). */
export function makePod(input: PodSpecInput): V1Pod {
  counter += 1;
  const namespace = input.namespace ?? 'default';
  const uid = input.uid ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace,
      uid,
      resourceVersion: String(1000 + counter),
      creationTimestamp: new Date('2026-11-01T00:00:00Z'),
      labels: input.labels ?? {},
      annotations: input.annotations ?? {},
      ownerReferences: input.owner
        ? [
            {
              apiVersion: 'apps/v1',
              kind: input.owner.kind,
              name: input.owner.name,
              uid: `owner-${input.owner.name}`,
              controller: true,
              blockOwnerDeletion: true,
            },
          ]
        : undefined,
    },
    spec: {
      nodeName: input.node ?? 'node-1',
      containers: [{ name: 'app', image: 'example/app:1', ports: input.ports?.map((p) => ({ ...p, protocol: 'TCP' })) ?? [] }],
    },
    status: {
      phase: input.phase ?? 'Running',
      podIP: input.ip === null ? undefined : (input.ip ?? '127.0.0.1'),
      podIPs: input.ip === null ? undefined : [{ ip: input.ip ?? '127.0.0.1' }],
    },
  };
}

/** The annotations that make a pod a target. */
export function enabled(extra: Record<string, string> = {}): Record<string, string> {
  return { 'profefe.com/enable': 'true', ...extra };
}

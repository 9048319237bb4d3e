import type { V1Service } from '@kubernetes/client-node';

export interface ServiceInput {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Default: one port named http, 80. */
  ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
}

let counter = 0;

/** A ClusterIP Service as the Kubernetes API returns it. */
export function makeService(input: ServiceInput): V1Service {
  counter += 1;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: input.name,
      namespace: input.namespace ?? 'default',
      uid: `00000000-0000-4000-9000-${String(counter).padStart(12, '0')}`,
      creationTimestamp: new Date('2026-11-01T00:00:00Z'),
      labels: input.labels ?? {},
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.96.0.${counter % 250}`,
      clusterIPs: [`10.96.0.${counter % 250}`],
      selector: { 'app.kubernetes.io/name': input.name },
      ports: (input.ports ?? [{ name: 'http', port: 80 }]).map((p) => ({
        ...(p.name !== undefined ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort ?? p.name ?? p.port,
        protocol: 'TCP',
      })),
    },
    status: { loadBalancer: {} },
  };
}

/** The labels the Helm chart gives its collector Service (release `kube-profefe` unless named). */
export function collectorLabels(release = 'kube-profefe'): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'kube-profefe',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/component': 'collector',
    'app.kubernetes.io/managed-by': 'Helm',
  };
}

/** The collector Service the chart installs: `<release>-collector`, port http 10100. */
export function collectorService(input: { namespace?: string; release?: string; name?: string } = {}): V1Service {
  const release = input.release ?? 'kube-profefe';
  return makeService({
    name: input.name ?? `${release}-collector`,
    namespace: input.namespace ?? 'kube-profefe',
    labels: collectorLabels(release),
    ports: [{ name: 'http', port: 10100, targetPort: 'http' }],
  });
}

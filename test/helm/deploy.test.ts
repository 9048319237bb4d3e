import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlPath } from '../doubles/kubectl.js';
import { expectRestricted, expectRestrictedPod, expectValidObjects, ofKind, podRule } from './chart-expect.js';
import { DEPLOY_DIR, DEPLOY_RELEASE, deployFiles } from './generated.js';
import { kubeProblems } from './kube-validate.js';
import { buildRenderer, parseManifests, renderChart, type KubeObject } from './render-chart.js';

function sortKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

/** The objects `kubectl kustomize deploy/` prints: what `kubectl apply -k deploy/` creates. */
function kustomizeDeploy(): KubeObject[] {
  const kubectl = kubectlPath();
  let output: string;
  try {
    output = execFileSync(kubectl, ['kustomize', DEPLOY_DIR], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`${kubectl} kustomize deploy/ failed (kubectl with built-in kustomize is needed)`, { cause: error });
  }
  return parseManifests([{ name: 'kubectl kustomize deploy/', content: output }]).map(({ object }) => object);
}

/** Rendered objects are walked as plain JSON. */
type Json = any;

describe('deploy/ (plain manifests)', () => {
  it('holds exactly the chart rendered with default values (regenerate: npx tsx test/helm/write-generated.ts)', () => {
    const expected = deployFiles(renderer);
    expect(readdirSync(DEPLOY_DIR).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, content] of Object.entries(expected)) {
      expect(readFileSync(join(DEPLOY_DIR, name), 'utf8'), `deploy/${name} is out of date`).toBe(content);
    }
  });

  it('renders with `kubectl kustomize deploy/` to the chart objects plus a restricted Namespace, all valid', () => {
    const objects = kustomizeDeploy();
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual([DEPLOY_RELEASE.namespace]);
    expect(namespaces[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(namespaces.flatMap((n) => kubeProblems(n))).toEqual([]);

    const rendered = renderChart(renderer, { release: DEPLOY_RELEASE });
    expectValidObjects(rendered);
    const chartObjects = rendered.objects.map(({ object }) => object).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const kustomized = objects.filter((o) => o.kind !== 'Namespace').sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(kustomized).toEqual(chartObjects);
    // Everything namespaced lands in the Namespace the kustomization creates; the cluster-wide RBAC has none.
    for (const object of kustomized) {
      const clusterScoped = object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding';
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(clusterScoped ? undefined : DEPLOY_RELEASE.namespace);
    }
    expectRestricted(ofKind(rendered, 'CronJob')[0]);
  });

  it('is the whole stack: the collector with its claim and Service, a CronJob pushing to it across namespaces, a list-only ClusterRole', () => {
    const objects = kustomizeDeploy();
    const ns = DEPLOY_RELEASE.namespace;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/kube-profefe',
      'ClusterRoleBinding/kube-profefe',
      'CronJob/kube-profefe',
      'Deployment/kube-profefe-collector',
      `Namespace/${ns}`,
      'PersistentVolumeClaim/kube-profefe-collector',
      'Service/kube-profefe-collector',
      'ServiceAccount/kube-profefe',
    ]);
    const find = (kind: string): Json => objects.find((o) => o.kind === kind);

    const deployment = find('Deployment');
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'kube-profefe-collector' } }]);
    expect(pod.containers[0].args).toContain('-badger.data-ttl=120h');
    expectRestrictedPod(pod);
    expect(find('PersistentVolumeClaim').spec.resources.requests.storage).toBe('10Gi');

    const service = find('Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 10100, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'kube-profefe', 'app.kubernetes.io/component': 'collector' });
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);

    const args: string[] = find('CronJob').spec.jobTemplate.spec.template.spec.containers[0].args;
    expect(args).toContain(`--profefe-hostport=http://kube-profefe-collector.${ns}.svc:10100`);
    expect(args).toContain('--all-namespaces');
    // list on pods, cluster-wide, and nothing else.
    expect(find('ClusterRole').rules).toEqual(podRule(false));
    expect(find('ClusterRoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kube-profefe' });
    expect(find('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-profefe', namespace: ns }]);
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlPath } from '../doubles/kubectl.js';
import { expectRestricted, expectValidObjects, ofKind } from './chart-expect.js';
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

describe('deploy/ (plain manifests)', () => {
  it('holds exactly the chart rendered with default values (regenerate: npx tsx test/helm/write-generated.ts)', () => {
    const expected = deployFiles(renderer);
    expect(readdirSync(DEPLOY_DIR).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, content] of Object.entries(expected)) {
      expect(readFileSync(join(DEPLOY_DIR, name), 'utf8'), `deploy/${name} is out of date`).toBe(content);
    }
  });

  it('renders with `kubectl kustomize deploy/` to the chart objects plus a restricted Namespace, all valid', () => {
    const kubectl = kubectlPath();
    let output: string;
    try {
      output = execFileSync(kubectl, ['kustomize', DEPLOY_DIR], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`${kubectl} kustomize deploy/ failed (kubectl with built-in kustomize is needed)`, { cause: error });
    }
    const objects = parseManifests([{ name: 'kubectl kustomize deploy/', content: output }]).map(({ object }) => object);
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual([DEPLOY_RELEASE.namespace]);
    expect(namespaces[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(namespaces.flatMap((n) => kubeProblems(n))).toEqual([]);

    const rendered = renderChart(renderer, { release: DEPLOY_RELEASE });
    expectValidObjects(rendered);
    const chartObjects = rendered.objects.map(({ object }) => object).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const kustomized = objects.filter((o) => o.kind !== 'Namespace').sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(kustomized).toEqual(chartObjects);
    // Everything namespaced lands in the Namespace the kustomization creates.
    for (const object of kustomized) expect(object.metadata.namespace).toBe(DEPLOY_RELEASE.namespace);
    expectRestricted(ofKind(rendered, 'CronJob')[0]);
  });
});

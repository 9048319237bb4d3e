/**
 * Files made from the chart: deploy/ (the chart rendered with its default values, plus a
 * Namespace and a kustomization.yaml) and the values table of the chart's README.
 * `npx tsx test/helm/write-generated.ts` writes them; the tests check they are up to date.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_DIR, renderChart, type Release } from './render-chart.js';
import { valuesTable } from './values-table.js';

export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy', import.meta.url));
export const README = join(CHART_DIR, 'README.md');

/** The release deploy/ is rendered as: `kubectl apply -k deploy/` manages it, not Helm. */
export const DEPLOY_RELEASE: Release = { name: 'kube-profefe', namespace: 'kube-profefe', service: 'kustomize' };

const HEADER = [
  '# Generated from charts/kube-profefe with its default values (release "kube-profefe" in namespace',
  '# "kube-profefe") by `npx tsx test/helm/write-generated.ts`. Do not edit: change the chart, then',
  '# run that command. A test keeps these files equal to the rendered chart.',
].join('\n');

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: ${DEPLOY_RELEASE.namespace}
  labels:
    app.kubernetes.io/name: kube-profefe
    # kprofefe and the collector run under the restricted Pod Security Standard.
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
`;

/** deploy/'s files by name. */
export function deployFiles(renderer: string): Record<string, string> {
  const rendered = renderChart(renderer, { release: DEPLOY_RELEASE });
  const files: Record<string, string> = { 'namespace.yaml': `${HEADER}\n${NAMESPACE}` };
  for (const manifest of rendered.manifests) {
    const base = manifest.name.split('/').pop() as string;
    const body = manifest.content.trim().replace(/^---\n/, '');
    files[base] = `${HEADER}\n${body}\n`;
  }
  const resources = [
    'namespace.yaml',
    ...Object.keys(files)
      .filter((f) => f !== 'namespace.yaml')
      .sort(),
  ];
  files['kustomization.yaml'] = `${HEADER}
# Install: kubectl apply -k deploy/   (or kubectl kustomize deploy/ to see the objects)
# To change settings, prefer the Helm chart; or overlay this directory with your own kustomization.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map((r) => `  - ${r}`).join('\n')}
`;
  return files;
}

export const TABLE_START = '<!-- values-table:start (made by test/helm/write-generated.ts from the # -- comments of values.yaml) -->';
export const TABLE_END = '<!-- values-table:end -->';

/** The README with its values table made from values.yaml. */
export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`${README}: the values table markers are missing`);
  const table = valuesTable(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
  return `${readme.slice(0, start)}${TABLE_START}\n${table}\n${readme.slice(end)}`;
}

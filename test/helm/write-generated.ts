/**
 * Regenerates deploy/ and the values table of charts/kube-profefe/README.md from the chart.
 * Run after changing the chart: npx tsx test/helm/write-generated.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_DIR, deployFiles, README, readmeWithTable } from './generated.js';
import { buildRenderer } from './render-chart.js';

const files = deployFiles(buildRenderer());
mkdirSync(DEPLOY_DIR, { recursive: true });
for (const stale of readdirSync(DEPLOY_DIR)) {
  if (!(stale in files)) rmSync(join(DEPLOY_DIR, stale));
}
for (const [name, content] of Object.entries(files)) writeFileSync(join(DEPLOY_DIR, name), content);
writeFileSync(README, readmeWithTable(readFileSync(README, 'utf8')));
console.log(
  `wrote ${Object.keys(files)
    .map((f) => `deploy/${f}`)
    .join(', ')} and the values table of ${README}`,
);

/** `--dry-run`: every target as a kubectl-style table on stdout; skipped pods on stderr. */
import type { DiscoveredItem } from '../discover/discover-targets.js';
import { skippedPodMessage } from '../discover/pod-targets.js';
import type { Logger } from '../log.js';
import { formatTable } from '../output/table.js';

export async function printTargets(
  items: AsyncIterable<DiscoveredItem>,
  out: NodeJS.WritableStream,
  log: Logger,
): Promise<{ targets: number; invalid: number; missing: number }> {
  const rows: string[][] = [];
  let invalid = 0;
  let missing = 0;
  for await (const item of items) {
    if (item.kind === 'missing') {
      missing += 1;
      log.error({ namespace: item.namespace, pod: item.name }, item.reason);
    } else if (item.kind === 'invalid') {
      invalid += 1;
      const { annotation, value } = item.problem;
      log.error({ namespace: item.namespace, pod: item.name, annotation, value }, skippedPodMessage(item));
    } else if (item.kind === 'ignored') {
      log.debug({ namespace: item.namespace, pod: item.name }, `pod not scraped: ${item.reason}`);
    } else {
      for (const t of item.targets) {
        const labels = Object.entries(t.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        rows.push([t.pod.namespace, t.pod.name, t.type, t.service, t.url, labels]);
      }
    }
  }
  out.write(formatTable(['NAMESPACE', 'POD', 'TYPE', 'SERVICE', 'URL', 'LABELS'], rows));
  return { targets: rows.length, invalid, missing };
}

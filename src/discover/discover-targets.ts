/**
 * The discover stage as a stream: pods from the Kubernetes API in, PodTargets out, one pod at a
 * time, so a 10,000-pod cluster is never held in memory at once.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { podTargets, type PodTargets, type TargetOptions } from './pod-targets.js';

/** What the pod lister yields (src/kube/list-pods.ts); kept structural so discover does not import kube. */
export type PodSourceItem =
  | { readonly kind: 'pod'; readonly pod: V1Pod }
  | { readonly kind: 'missing'; readonly namespace: string; readonly name: string; readonly reason: string };

export type DiscoveredItem = PodTargets | { readonly kind: 'missing'; readonly namespace: string; readonly name: string; readonly reason: string };

export async function* discoverTargets(
  pods: AsyncIterable<PodSourceItem>,
  options: TargetOptions & { readonly keep?: (pod: V1Pod) => boolean },
): AsyncGenerator<DiscoveredItem> {
  for await (const item of pods) {
    if (item.kind === 'missing') {
      yield item;
      continue;
    }
    if (options.keep && !options.keep(item.pod)) continue;
    yield podTargets(item.pod, options);
  }
}

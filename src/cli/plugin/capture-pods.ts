/**
 * Which discovered pods `capture` works on, and when: at most `concurrency` pods at once (each
 * holds a port-forward), the next pod admitted only when one is done. A pod is done when every
 * one of its profiles is stored or failed. Pods that yield no profile are reported here.
 */
import type { DiscoveredItem } from '../../discover/discover-targets.js';
import type { PodTargets } from '../../discover/pod-targets.js';
import type { PodInfo, Target } from '../../discover/target.js';
import type { CaptureReport } from './capture-report.js';

type TargetsItem = Extract<PodTargets, { kind: 'targets' }>;

export interface CapturePodsOptions {
  readonly concurrency: number;
  /** Pods were named on the command line: a named pod that cannot be captured is an error. */
  readonly named: boolean;
  readonly report: CaptureReport;
  readonly signal: AbortSignal;
  /** Called once per pod when its last profile is stored or failed. */
  readonly onPodDone: (pod: PodInfo) => void;
}

const podKey = (pod: Pick<PodInfo, 'namespace' | 'name'>): string => `${pod.namespace}/${pod.name}`;

export class CapturePods {
  /** Profiles not yet stored or failed, per pod in progress. */
  private readonly remaining = new Map<string, { pod: PodInfo; left: number }>();
  private wake: (() => void) | undefined;
  /** Pods listed but not captured because they are not enabled or have no IP (named pods excepted). */
  ignored = 0;

  constructor(private readonly options: CapturePodsOptions) {}

  /** The pods to capture, admitted `concurrency` at a time; other items are reported and dropped. */
  async *admit(items: AsyncIterable<DiscoveredItem>): AsyncGenerator<TargetsItem> {
    const { report, signal } = this.options;
    for await (const item of items) {
      if (signal.aborted) return;
      if (item.kind === 'missing') {
        report.podError(item.namespace, item.name, `not found in namespace "${item.namespace}": check the name (kubectl get pods -n ${item.namespace})`);
        continue;
      }
      if (item.kind === 'invalid') {
        const { annotation, value, reason } = item.problem;
        report.podError(item.namespace, item.name, `skipped: ${annotation}="${value}": ${reason}`);
        continue;
      }
      if (item.kind === 'ignored') {
        if (this.options.named) {
          const advice = item.why === 'not-running' || item.why === 'no-ip' ? '; only a Running pod with an IP can be profiled' : '';
          report.podError(item.namespace, item.name, `cannot be captured: ${item.reason}${advice}`);
        } else {
          this.ignored += 1;
        }
        continue;
      }
      await this.slot();
      if (signal.aborted) return;
      this.remaining.set(podKey(item.pod), { pod: item.pod, left: item.targets.length });
      report.podStarted(item.pod, item.targets.map((t) => t.type));
      yield item;
    }
  }

  /** Records that one of the pod's profiles is stored or failed. */
  settled(target: Target): void {
    const key = podKey(target.pod);
    const entry = this.remaining.get(key);
    if (entry === undefined) return;
    entry.left -= 1;
    if (entry.left > 0) return;
    this.remaining.delete(key);
    this.options.onPodDone(entry.pod);
    this.wake?.();
  }

  /** Pods admitted whose profiles did not all settle (the run was interrupted). */
  unfinished(): PodInfo[] {
    return [...this.remaining.values()].map((e) => e.pod);
  }

  private slot(): Promise<void> {
    const { concurrency, signal } = this.options;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.remaining.size < concurrency || signal.aborted) {
          this.wake = undefined;
          signal.removeEventListener('abort', check);
          resolve();
        }
      };
      this.wake = check;
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }
}

/**
 * The one entry point of a scrape, for every front end: a pod selection and target options in,
 * the run's outcome (summary and exit status) out. kprofefe and capture differ only in what
 * they pass: the transport (pod IPs or port-forwards), the sinks, the observer, the limits.
 *
 *   list the selection (kube) → pod → targets (discover) → scrapeRun: fetch through the
 *   transport (scrape) → store (each sink) → outcome
 */
import type { V1Pod } from '@kubernetes/client-node';
import { discoverTargets, type DiscoveredItem } from '../discover/discover-targets.js';
import type { TargetOptions } from '../discover/pod-targets.js';
import type { PodSelection } from '../discover/pod-selection.js';
import type { KubeAccess } from '../kube/kube-access.js';
import { listSelection } from '../kube/list-pods.js';
import { closeSinks } from '../sink/fan-out.js';
import type { Sink } from '../sink/sink.js';
import type { RunObserver } from './run-observer.js';
import { runOutcome, type RunOutcome } from './run-outcome.js';
import type { FetchLimits } from './scrape-profile.js';
import { scrapeRun, type RunLimits } from './scrape-run.js';
import type { Transport } from './transport.js';

export interface Discovery {
  readonly kube: KubeAccess;
  readonly selection: PodSelection;
  /** Profile types, CPU seconds, and capture's --port/--path overrides. */
  readonly targets: Omit<TargetOptions, 'requireEnable'>;
  /** Keeps only some listed pods (this run's shard). */
  readonly keep?: (pod: V1Pod) => boolean;
}

export interface ScrapeJob extends Discovery {
  readonly limits: RunLimits;
  readonly fetch: FetchLimits;
  /** Closed by the job when the run ends. */
  readonly transport: Transport;
  /** Every profile is stored in each; closed by the job when the run ends. */
  readonly sinks: readonly Sink[];
  readonly observer: RunObserver;
  readonly signal: AbortSignal;
  /** A selection that finds no pod is a failure (capture), not a quiet run (kprofefe). */
  readonly requireTargets?: boolean;
}

/** Every listed pod as targets or the reason it has none; named pods need no enable annotation. */
export function discoverSelection(discovery: Discovery): AsyncIterable<DiscoveredItem> {
  const { kube, selection, targets, keep } = discovery;
  return discoverTargets(listSelection(kube, selection), { ...targets, requireEnable: selection.names.length === 0, keep });
}

export async function runScrapeJob(job: ScrapeJob): Promise<RunOutcome> {
  const { transport, sinks, signal } = job;
  try {
    const summary = await scrapeRun(discoverSelection(job), {
      limits: job.limits,
      fetch: job.fetch,
      transport,
      sinks,
      observer: job.observer,
      signal,
      named: job.selection.names.length > 0,
    });
    return runOutcome(summary, signal.aborted, job.requireTargets === true);
  } finally {
    await Promise.all([transport.close(), closeSinks(sinks)]);
  }
}

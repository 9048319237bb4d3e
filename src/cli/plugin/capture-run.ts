/**
 * One `kubectl profefe capture`: the scrape job (src/run/scrape-job.ts) with a port-forward per
 * pod as its transport, the sinks for the flags under the interactive policy, and the progress
 * report as its observer. Returns the exit status.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { EXIT_CONFIG, EXIT_INTERRUPTED } from '../../exit-codes.js';
import { defaultNamespace, KubeConfigError, loadKubeConfig } from '../../kube/client-node-kubeconfig.js';
import type { KubeAccess } from '../../kube/kube-access.js';
import { kubeAccessFromKubeConfig } from '../../kube/kube-access-client-node.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import { silentLogger } from '../../log.js';
import { DEFAULT_MAX_INFLIGHT_BYTES } from '../../run/byte-budget.js';
import { listErrorMessage } from '../../run/log-observer.js';
import type { RunOutcome } from '../../run/run-outcome.js';
import { runScrapeJob } from '../../run/scrape-job.js';
import { createSink, SinkSetupError } from '../../sink/create-sink.js';
import { createEach } from '../../sink/create-sinks.js';
import { INTERACTIVE_POLICY } from '../../sink/sink-config.js';
import type { Sink } from '../../sink/sink.js';
import { PortForwardTransport } from '../../transport/port-forward-transport.js';
import { insecureWarning } from '../../transport/target-access.js';
import type { CliIo } from '../main.js';
import { ConfigFailure } from './action.js';
import { collectorServiceSink } from './capture-collector-sink.js';
import type { CaptureConfig, CaptureSinkConfig } from './capture-options.js';
import { CaptureReport } from './capture-report.js';

export interface CaptureIo extends CliIo {
  /** Progress lines on stderr; default: whether stderr is a terminal. */
  readonly progress?: boolean;
}

/** Downloads and uploads in flight: the pods-in-flight limit (--concurrency) is what bounds a capture. */
const PROFILE_CONCURRENCY = 32;

export async function runCapture(config: CaptureConfig, io: CaptureIo): Promise<number> {
  const startedAt = Date.now();
  const signal = io.signal ?? new AbortController().signal;
  const report = new CaptureReport({
    stdout: io.stdout,
    stderr: io.stderr,
    progress: io.progress ?? (io.stderr as { isTTY?: boolean }).isTTY === true,
  });

  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({ kubeconfig: config.kubeconfig, context: config.context, env: io.env });
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    report.error(err.message);
    return EXIT_CONFIG;
  }
  // The same pod listing as kprofefe's, with the credentials and TLS settings client-node computes.
  const kube = kubeAccessFromKubeConfig(kc);
  try {
    const sinks = await sinksFor(config, kube, report, signal);
    if (sinks === undefined) return signal.aborted ? EXIT_INTERRUPTED : EXIT_CONFIG;
    const insecure = insecureWarning(config.target.access);
    if (insecure !== undefined) io.stderr.write(`warning: ${insecure}\n`);
    const outcome = await runScrapeJob({
      kube,
      selection: config.selection,
      targets: {
        profileTypes: config.profileTypes,
        cpuSeconds: config.cpuSeconds,
        portOverride: config.port,
        pathOverride: config.path,
        scheme: config.target.scheme,
      },
      limits: { concurrency: PROFILE_CONCURRENCY, cpuConcurrency: Infinity, podsInFlight: config.concurrency, maxInflightBytes: DEFAULT_MAX_INFLIGHT_BYTES },
      fetch: { timeoutMs: config.timeoutMs, maxProfileBytes: config.maxProfileBytes },
      transport: new PortForwardTransport(kc, {
        signal,
        connectTimeoutMs: config.timeoutMs,
        access: config.target.access,
        onOpened: (pod, forward) => report.forwardOpened(pod, forward),
      }),
      sinks,
      observer: report,
      signal,
      requireTargets: true,
    });
    finish(outcome, report, Date.now() - startedAt, noPodsMessage(config, defaultNamespace(kc), outcome));
    return outcome.status;
  } finally {
    await kube.close();
  }
}

/**
 * The sinks for the flags, each checked (at once) under the interactive policy; undefined (after
 * reporting why, and closing those set up) when one cannot store profiles: nothing is profiled.
 */
async function sinksFor(config: CaptureConfig, kube: KubeAccess, report: CaptureReport, signal: AbortSignal): Promise<Sink[] | undefined> {
  try {
    return await createEach(config.sinks, (sink) => sinkFor(sink, config, kube, signal));
  } catch (err) {
    if (signal.aborted) return undefined;
    if (!(err instanceof SinkSetupError || err instanceof ConfigFailure || err instanceof KubeApiError)) throw err;
    report.error(err.message);
    return undefined;
  }
}

function sinkFor(sink: CaptureSinkConfig, config: CaptureConfig, kube: KubeAccess, signal: AbortSignal): Promise<Sink> {
  const { timeoutMs } = config;
  if (sink.kind !== 'collector-service') return createSink(sink, INTERACTIVE_POLICY, { timeoutMs, log: silentLogger(), signal });
  const namespace = config.selection.namespaces[0] ?? kube.namespace;
  return collectorServiceSink(kube, sink.service, { namespace, timeoutMs, signal });
}

function finish(outcome: RunOutcome, report: CaptureReport, elapsedMs: number, noPods: string): void {
  const { summary, ending } = outcome;
  if (ending === 'list-failed') report.error(listErrorMessage(summary.listError));
  else if (ending === 'nothing-selected') report.error(noPods);
  else report.summary(summary, elapsedMs, ending === 'interrupted');
}

function noPodsMessage(config: CaptureConfig, contextNamespace: string, { summary }: RunOutcome): string {
  const { selection } = config;
  const namespace = selection.namespaces[0] ?? contextNamespace;
  const ignored = Object.values(summary.podsIgnored).reduce((sum, n) => sum + (n ?? 0), 0);
  const where = selection.allNamespaces ? 'in any namespace' : `in namespace "${namespace}"`;
  const selector = selection.labelSelector !== undefined ? ` matching "${selection.labelSelector}"` : '';
  const why =
    ignored > 0
      ? `${ignored} Running ${ignored === 1 ? 'pod' : 'pods'}${selector} found, none annotated profefe.com/enable="true"`
      : `no Running pod${selector} found`;
  return `nothing to capture ${where}: ${why}. Name the pods to capture them without the annotation: kubectl profefe capture -n ${namespace} POD...`;
}

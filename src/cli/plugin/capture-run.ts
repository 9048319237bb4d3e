/**
 * One `kubectl profefe capture`: the scraper's own stages (list pods → targets → scrapeRun with
 * fetchProfile → DirectorySink or ProfefeSink), with each pod reached through a port-forward
 * instead of its IP. Returns the exit status.
 */
import { DEFAULT_MAX_INFLIGHT_BYTES } from '../../run/byte-budget.js';
import { setMaxListeners } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import { discoverTargets } from '../../discover/discover-targets.js';
import type { PodInfo, Target } from '../../discover/target.js';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL } from '../../exit-codes.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import { kubeAccessFromKubeConfig } from '../../kube/kube-access-client-node.js';
import { defaultNamespace, KubeConfigError, loadKubeConfig } from '../../kube/client-node-kubeconfig.js';
import { listPods } from '../../kube/list-pods.js';
import { silentLogger } from '../../log.js';
import { ProfefeClient } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { ProfileError } from '../../profile-error.js';
import { PROFILE_TYPES } from '../../profile-types.js';
import { scrapeRun } from '../../run/scrape-run.js';
import { fetchProfile } from '../../scrape/fetch-profile.js';
import type { ScrapedProfile } from '../../scrape/scraped-profile.js';
import { DirectorySink } from '../../sink/directory-sink.js';
import { ProfefeSink } from '../../sink/profefe-sink.js';
import type { Sink } from '../../sink/sink.js';
import { PodForwards } from './capture-forwards.js';
import type { CaptureConfig } from './capture-options.js';
import { CapturePods } from './capture-pods.js';
import { CaptureReport } from './capture-report.js';

export interface CaptureIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: forwards close, nothing partial is written, the run returns 130. */
  readonly signal?: AbortSignal;
  /** Progress lines on stderr; default: whether stderr is a terminal. */
  readonly progress?: boolean;
}

/** How long the collector has to answer the check made before any pod is profiled. */
const COLLECTOR_CHECK_MS = 5_000;

export async function runCapture(config: CaptureConfig, io: CaptureIo): Promise<number> {
  const startedAt = Date.now();
  const signal = runSignal(io.signal);
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

  const sink = await createSink(config, report, signal);
  if (sink === undefined) return signal.aborted ? EXIT_INTERRUPTED : EXIT_CONFIG;

  const namespace = config.namespace ?? defaultNamespace(kc);
  const forwards = new PodForwards(kc, {
    signal,
    connectTimeoutMs: config.timeoutMs,
    onOpened: (pod, forward) => report.forwardOpened(pod, forward),
  });
  const releases: Array<Promise<void>> = [];
  const pods = new CapturePods({
    concurrency: config.concurrency,
    named: config.pods.length > 0,
    report,
    signal,
    onPodDone: (pod: PodInfo) => {
      report.podDone(pod);
      releases.push(forwards.release(pod));
    },
  });
  // The same pod listing as kprofefe's, with the credentials and TLS settings client-node computes.
  const kube = kubeAccessFromKubeConfig(kc);
  const items = discoverTargets(
    listPods(kube, {
      namespace,
      allNamespaces: config.allNamespaces,
      labelSelector: config.labelSelector,
      names: config.pods.length > 0 ? [...config.pods] : undefined,
    }),
    {
      profileTypes: config.profileTypes,
      cpuSeconds: config.cpuSeconds,
      requireEnable: config.pods.length === 0,
      portOverride: config.port,
      pathOverride: config.path,
    },
  );

  const sizes = new WeakMap<Target, number>();
  const fetch = async (target: Target, abort: AbortSignal, onBytes: (bytes: number) => void): Promise<ScrapedProfile> => {
    const { forward, agent } = await forwards.get(target);
    report.profileStarted(target);
    try {
      const profile = await fetchProfile(target, { timeoutMs: config.timeoutMs, maxBytes: config.maxProfileBytes, signal: abort, agent, onBytes });
      sizes.set(target, profile.body.length);
      return profile;
    } catch (err) {
      // A forwarded connection that failed inside the cluster reaches node:http as a closed socket;
      // the forward knows why (e.g. "nothing listens on port 6060 in pod shop/api-1").
      const why = forward.lastError();
      if (err instanceof ProfileError && err.code === 'TARGET_CONNECT' && why !== undefined) {
        throw new ProfileError('TARGET_CONNECT', why.message, { cause: err });
      }
      throw err;
    }
  };

  const summary = await scrapeRun(pods.admit(items), {
    // The pod gate (CapturePods) bounds the work: every profile of an admitted pod may run at once.
    concurrency: config.concurrency * PROFILE_TYPES.length,
    cpuConcurrency: config.concurrency,
    maxInflightBytes: DEFAULT_MAX_INFLIGHT_BYTES,
    fetch,
    sink,
    log: silentLogger(),
    signal,
    onStored: (target, location) => {
      report.profileStored(target, location, sizes.get(target));
      pods.settled(target);
    },
    onFailed: (target, error) => {
      report.profileFailed(target, error);
      pods.settled(target);
    },
  });
  await Promise.all(releases);
  await forwards.closeAll();
  await Promise.all([sink.close(), kube.close()]);

  if (signal.aborted) {
    report.summary(Date.now() - startedAt, true);
    return EXIT_INTERRUPTED;
  }
  if (summary.listError !== undefined) {
    const err = summary.listError;
    report.error(err instanceof KubeApiError ? err.message : `listing pods failed: ${err.message}`);
    return EXIT_CONFIG;
  }
  const counts = report.counts();
  if (counts.stored + counts.failed + counts.podErrors === 0) {
    report.error(noPodsMessage(config, namespace, pods.ignored));
    return EXIT_PARTIAL;
  }
  report.summary(Date.now() - startedAt, false);
  return counts.failed > 0 || counts.podErrors > 0 ? EXIT_PARTIAL : EXIT_OK;
}

/**
 * The run's own signal, following the caller's: every profile in flight listens to it (one
 * listener per request), which is more than EventTarget's default warning threshold of 10.
 */
function runSignal(parent: AbortSignal | undefined): AbortSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller.signal;
}

/** The sink for the flags; for a collector, first checks it answers, so nobody waits a CPU profile for nothing. */
async function createSink(config: CaptureConfig, report: CaptureReport, signal: AbortSignal): Promise<Sink | undefined> {
  if (config.sink.kind === 'directory') return new DirectorySink(config.sink.dir);
  const client = new ProfefeClient({ baseUrl: config.sink.url, headers: { ...config.sink.headers }, timeoutMs: config.timeoutMs });
  try {
    await client.version({ signal: AbortSignal.any([signal, AbortSignal.timeout(COLLECTOR_CHECK_MS)]) });
  } catch (err) {
    if (signal.aborted) return undefined;
    // Only "nothing answers" stops the capture: a proxy may refuse /version and still take uploads.
    if (!(err instanceof ProfefeError) || err.kind === 'network' || err.kind === 'timeout' || err.kind === 'aborted') {
      const reason = err instanceof Error ? err.message : String(err);
      report.error(`the profefe collector at ${client.baseUrl} is unreachable (${reason}); no pod was profiled. Check --profefe-hostport (or PROFEFE_HOSTPORT), or port-forward to the collector first`);
      return undefined;
    }
  }
  // Fewer, shorter retries than the scraper's: someone is waiting.
  return new ProfefeSink({ client, retry: { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 } });
}

function noPodsMessage(config: CaptureConfig, namespace: string, ignored: number): string {
  const where = config.allNamespaces ? 'in any namespace' : `in namespace "${namespace}"`;
  const selector = config.labelSelector !== undefined ? ` matching "${config.labelSelector}"` : '';
  const why =
    ignored > 0
      ? `${ignored} Running ${ignored === 1 ? 'pod' : 'pods'}${selector} found, none annotated profefe.com/enable="true"`
      : `no Running pod${selector} found`;
  return `nothing to capture ${where}: ${why}. Name the pods to capture them without the annotation: kubectl profefe capture -n ${namespace} POD...`;
}

/**
 * kprofefe: one scheduled scrape run. Flags → config → discover → scrape → sink → summary.
 * Returns the exit status; only bin/kprofefe.js calls process.exit.
 */
import { CommanderError } from 'commander';
import { Agent } from 'node:http';
import { discoverTargets, type PodSourceItem } from '../discover/discover-targets.js';
import { inShard } from '../discover/shard.js';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL } from '../exit-codes.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { KubeAccess } from '../kube/kube-access.js';
import { loadKubeAccess } from '../kube/load-kube-access.js';
import { KubeConfigError } from '../kube/kubeconfig-resolve.js';
import { listPods } from '../kube/list-pods.js';
import { createLogger, type Logger } from '../log.js';
import { ProfefeClient } from '../profefe/profefe-client.js';
import { scrapeRun } from '../run/scrape-run.js';
import { fetchProfile } from '../scrape/fetch-profile.js';
import { CircuitBreakerSink } from '../sink/circuit-breaker-sink.js';
import { DirectorySink } from '../sink/directory-sink.js';
import { ProfefeSink } from '../sink/profefe-sink.js';
import type { Sink } from '../sink/sink.js';
import { printTargets } from './print-targets.js';
import { parseKprofefeArgs, type KprofefeConfig } from './kprofefe-options.js';
import { UsageError } from './usage-error.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the entry point. */
  readonly signal?: AbortSignal;
}

export async function runKprofefe(args: readonly string[], io: CliIo): Promise<number> {
  let config: KprofefeConfig;
  try {
    config = parseKprofefeArgs(args, io.env);
  } catch (err) {
    return usageFailure(err, io);
  }
  const log = createLogger({ level: config.logLevel, name: 'kprofefe' });

  // Without @kubernetes/client-node (~80 MiB) unless the kubeconfig user needs it (exec, auth-provider).
  let kube: KubeAccess;
  try {
    kube = await loadKubeAccess({ kubeconfig: config.kubeconfig, context: config.context, env: io.env });
  } catch (err) {
    if (err instanceof KubeConfigError) {
      log.fatal(err.message);
      return EXIT_CONFIG;
    }
    throw err;
  }

  try {
    return await runWith(kube, config, io, log);
  } finally {
    await kube.close();
  }
}

async function runWith(kube: KubeAccess, config: KprofefeConfig, io: CliIo, log: Logger): Promise<number> {
  const signal = io.signal ?? new AbortController().signal;
  const items = discoverTargets(podSource(kube, config), {
    profileTypes: config.profileTypes,
    cpuSeconds: config.cpuSeconds,
    requireEnable: config.selection.names.length === 0,
    keep: config.shard.count > 1 ? (pod) => inShard(pod.metadata?.uid ?? '', config.shard.count, config.shard.index) : undefined,
  });

  if (config.dryRun) return dryRun(items, io, log);

  const sink = createSink(config, log);
  log.info(
    {
      cluster: kube.describe(),
      sink: sink.description,
      namespaces: config.selection.allNamespaces ? 'all' : config.selection.namespaces.length > 0 ? config.selection.namespaces : [kube.namespace],
      selector: config.selection.labelSelector,
      pods: config.selection.names.length > 0 ? config.selection.names : undefined,
      profileTypes: config.profileTypes,
      cpuSeconds: config.cpuSeconds,
      shard: config.shard.count > 1 ? config.shard : undefined,
    },
    'run started',
  );
  // Pods are many origins used once per run: a pod's profiles may share a connection, but idle
  // ones close after a second (the agent's `timeout` only destroys free sockets), so a large run
  // does not hold thousands of sockets open.
  const pods = new Agent({ keepAlive: true, keepAliveMsecs: 1000, timeout: 1000, maxFreeSockets: 1 });
  const summary = await scrapeRun(items, {
    concurrency: config.concurrency,
    cpuConcurrency: config.cpuConcurrency,
    maxInflightBytes: config.maxInflightBytes,
    sink,
    log,
    signal,
    fetch: (target, abort, onBytes) =>
      fetchProfile(target, { timeoutMs: config.timeoutMs, maxBytes: config.maxProfileBytes, signal: abort, agent: pods, onBytes }),
  });
  pods.destroy();
  await sink.close();

  const report = summary.toJSON();
  if (summary.listError) {
    log.fatal({ summary: report }, listErrorMessage(summary.listError));
    return EXIT_CONFIG;
  }
  if (signal.aborted) {
    log.warn({ summary: report }, 'run interrupted');
    return EXIT_INTERRUPTED;
  }
  if (!summary.clean) {
    log.warn({ summary: report }, `run finished with failures: ${report.profilesStored} of ${report.profilesAttempted} profiles stored, ${report.profilesFailed} failed, ${report.podsSkipped} pods skipped`);
    return EXIT_PARTIAL;
  }
  log.info({ summary: report }, `run finished: ${report.profilesStored} profiles stored from ${report.podsSelected} pods`);
  return EXIT_OK;
}

function podSource(kube: KubeAccess, config: KprofefeConfig): AsyncIterable<PodSourceItem> {
  const { selection } = config;
  if (selection.allNamespaces) return listPods(kube, { allNamespaces: true, labelSelector: selection.labelSelector });
  const namespaces = selection.namespaces.length > 0 ? selection.namespaces : [kube.namespace];
  return (async function* () {
    for (const namespace of namespaces) {
      yield* listPods(kube, {
        namespace,
        labelSelector: selection.labelSelector,
        names: selection.names.length > 0 ? [...selection.names] : undefined,
      });
    }
  })();
}

function createSink(config: KprofefeConfig, log: Logger): Sink {
  if (config.sink.kind === 'profefe') {
    const profefe = new ProfefeSink({ client: new ProfefeClient({ baseUrl: config.sink.url, headers: { ...config.sink.headers } }), log });
    return new CircuitBreakerSink(profefe);
  }
  return new DirectorySink(config.sink.dir);
}

async function dryRun(items: ReturnType<typeof discoverTargets>, io: CliIo, log: Logger): Promise<number> {
  try {
    const { invalid, missing } = await printTargets(items, io.stdout, log);
    return invalid + missing > 0 ? EXIT_PARTIAL : EXIT_OK;
  } catch (err) {
    log.fatal(listErrorMessage(err));
    return EXIT_CONFIG;
  }
}

function listErrorMessage(err: unknown): string {
  if (err instanceof KubeApiError) return err.message;
  return `listing pods failed: ${err instanceof Error ? err.message : String(err)}`;
}

function usageFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // --help and --version end with exit code 0; commander already printed what it had to.
    return err.exitCode === 0 ? EXIT_OK : EXIT_CONFIG;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`kprofefe: error: ${err.message}\n(run kprofefe --help for usage)\n`);
    return EXIT_CONFIG;
  }
  throw err;
}

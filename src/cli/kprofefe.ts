/**
 * kprofefe: one scheduled scrape run. Flags → config → the scrape job (src/run/scrape-job.ts)
 * with a direct transport to pod IPs, the sinks for the flags and a log observer → the run's
 * metrics to the Pushgateway (--pushgateway; a failed push changes nothing) → exit status.
 * Only bin/kprofefe.js calls process.exit.
 */
import { CommanderError } from 'commander';
import { inShard } from '../discover/shard.js';
import { EXIT_CONFIG, EXIT_OK, EXIT_PARTIAL } from '../exit-codes.js';
import type { KubeAccess } from '../kube/kube-access.js';
import { KubeConfigError } from '../kube/kubeconfig-resolve.js';
import { loadKubeAccess } from '../kube/load-kube-access.js';
import { createLogger, type Logger } from '../log.js';
import { pushRunMetrics } from '../metrics/push-run-metrics.js';
import { displayUrl } from '../metrics/pushgateway-target.js';
import { listErrorMessage, logObserver, logOutcome } from '../run/log-observer.js';
import { discoverSelection, runScrapeJob, type Discovery } from '../run/scrape-job.js';
import { createSinks } from '../sink/create-sinks.js';
import { SCHEDULED_POLICY } from '../sink/sink-config.js';
import { directTransport } from '../transport/direct-transport.js';
import { insecureWarning } from '../transport/target-access.js';
import { parseKprofefeArgs, type KprofefeConfig } from './kprofefe-options.js';
import type { CliIo } from './main.js';
import { printTargets } from './print-targets.js';
import { UsageError } from './usage-error.js';

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
    const discovery = discoveryOf(kube, config);
    return config.dryRun ? await dryRun(discovery, io, log) : await scrape(discovery, config, io, log);
  } finally {
    await kube.close();
  }
}

function discoveryOf(kube: KubeAccess, config: KprofefeConfig): Discovery {
  const { shard } = config;
  return {
    kube,
    selection: config.selection,
    targets: { profileTypes: config.profileTypes, cpuSeconds: config.cpuSeconds, scheme: config.target.scheme },
    keep: shard.count > 1 ? (pod) => inShard(pod.metadata?.uid ?? '', shard.count, shard.index) : undefined,
  };
}

async function scrape(discovery: Discovery, config: KprofefeConfig, io: CliIo, log: Logger): Promise<number> {
  const signal = io.signal ?? new AbortController().signal;
  const sinks = await createSinks(config.sinks, SCHEDULED_POLICY, { timeoutMs: config.timeoutMs, log, signal });
  const { selection } = config;
  log.info(
    {
      cluster: discovery.kube.describe(),
      sinks: sinks.map((sink) => sink.description),
      namespaces: selection.allNamespaces ? 'all' : selection.namespaces.length > 0 ? selection.namespaces : [discovery.kube.namespace],
      selector: selection.labelSelector,
      pods: selection.names.length > 0 ? selection.names : undefined,
      profileTypes: config.profileTypes,
      cpuSeconds: config.cpuSeconds,
      shard: config.shard.count > 1 ? config.shard : undefined,
      pushgateway: config.pushgateway === undefined ? undefined : displayUrl(config.pushgateway.url),
      targets: config.target.description,
    },
    'run started',
  );
  const insecure = insecureWarning(config.target.access);
  if (insecure !== undefined) log.warn(insecure);
  const outcome = await runScrapeJob({
    ...discovery,
    limits: { concurrency: config.concurrency, cpuConcurrency: config.cpuConcurrency, podsInFlight: Infinity, maxInflightBytes: config.maxInflightBytes },
    fetch: { timeoutMs: config.timeoutMs, maxProfileBytes: config.maxProfileBytes },
    transport: directTransport(config.target.access),
    sinks,
    observer: logObserver(log),
    signal,
  });
  // Before the outcome line, which stays the run's last; an interrupted run pushes within a shorter bound.
  if (config.pushgateway !== undefined) await pushRunMetrics(config.pushgateway, outcome, { timeoutMs: config.timeoutMs, log });
  logOutcome(log, outcome);
  return outcome.status;
}

async function dryRun(discovery: Discovery, io: CliIo, log: Logger): Promise<number> {
  try {
    const { invalid, missing } = await printTargets(discoverSelection(discovery), io.stdout, log);
    return invalid + missing > 0 ? EXIT_PARTIAL : EXIT_OK;
  } catch (err) {
    log.fatal(listErrorMessage(err));
    return EXIT_CONFIG;
  }
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

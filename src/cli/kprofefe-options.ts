/**
 * kprofefe's command line: flags → a plain config object. Every mistake is a UsageError that
 * names the flag; nothing here talks to the network.
 */
import { Command, Option } from 'commander';
import { selectionProblem, type PodSelection } from '../discover/pod-selection.js';
import type { Shard } from '../discover/shard.js';
import type { SinkConfig } from '../sink/sink-config.js';
import { parseShard, ShardOptionError } from './shard-flags.js';
import { DEFAULT_OUTPUT_DIR, sinkConfigs } from './sink-flags.js';
import { DEFAULT_MAX_INFLIGHT_BYTES } from '../run/byte-budget.js';
import { DEFAULT_PROFILE_TYPES, type ProfileType } from '../profile-types.js';
import type { LogLevel } from '../log.js';
import { DEFAULT_PUSHGATEWAY_JOB, parsePushgatewayTarget, PushgatewayOptionError, type PushgatewayTarget } from '../metrics/pushgateway-target.js';
import { VERSION } from '../version.js';
import { byteSize, collect, cpuSeconds, durationMs, httpUrl, logLevel, positiveInt, profileTypes } from './flag-values.js';
import { collectHeaders } from './headers.js';
import { addTargetTlsOptions, type RawTargetTlsOptions, type TargetTlsConfig, toTargetTlsConfig } from './target-tls-flags.js';
import { addPyroscopeOptions, type RawPyroscopeOptions, toPyroscopeSinkConfig } from './pyroscope-flags.js';
import { UsageError } from './usage-error.js';

export interface KprofefeConfig {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly selection: PodSelection;
  readonly profileTypes: readonly ProfileType[];
  readonly cpuSeconds: number;
  readonly concurrency: number;
  readonly cpuConcurrency: number;
  readonly timeoutMs: number;
  readonly maxProfileBytes: number;
  readonly maxInflightBytes: number;
  /** --target-scheme and how HTTPS targets are verified and authenticated (--target-*). */
  readonly target: TargetTlsConfig;
  /** Every profile is stored in each (sink-flags.ts). */
  readonly sinks: readonly SinkConfig[];
  readonly shard: Shard;
  /** Where the run's metrics are pushed when it ends (`--pushgateway`); none when undefined. */
  readonly pushgateway: PushgatewayTarget | undefined;
  readonly dryRun: boolean;
  readonly logLevel: LogLevel;
}

export function kprofefeCommand(): Command {
  const command = new Command('kprofefe')
    .description('Scrape Go pprof profiles from Running pods annotated profefe.com/enable="true" and store them in a profefe collector or a directory.')
    .version(VERSION, '--version', 'print the version and exit')
    .argument('[pods...]', 'pod names to scrape (in --namespace); named pods need no enable annotation')
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster service account, then $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'namespace to scrape; repeat for several (default: the context namespace)', collect)
    .option('-A, --all-namespaces', 'scrape pods in every namespace')
    .option('-l, --selector <selector>', 'label selector, e.g. app=api,tier!=batch')
    .option('--profile-types <list>', 'profile types to scrape (cpu, allocs, block, mutex cover the --cpu-duration window)', DEFAULT_PROFILE_TYPES.join(','))
    .option('--cpu-duration <duration>', 'the window of the cpu, allocs, block and mutex profiles (?seconds=N), taken together per pod', '30s')
    .option('--concurrency <n>', 'profile downloads in flight, and uploads in flight per sink', '32')
    .option('--cpu-concurrency <n>', 'pods profiling a window at once (their window profiles wait --cpu-duration on the pod)', '1024')
    .option('--timeout <duration>', 'timeout of one request to a pod or the collector; window requests get --cpu-duration on top', '10s')
    .option('--max-profile-size <size>', 'reject profiles larger than this', '64MiB')
    .option(
      '--max-inflight-bytes <size>',
      'profile bytes held in memory before new downloads wait (one profile may exceed it)',
      `${DEFAULT_MAX_INFLIGHT_BYTES / 1024 / 1024}MiB`,
    )
    .addOption(new Option('--profefe-hostport <url>', 'store profiles in this profefe collector (and in every other sink given)').env('PROFEFE_HOSTPORT'))
    .option('--profefe-header <header>', "extra request header for the collector, 'Name: value'; repeatable", collect)
    .option('--profefe-header-file <path>', 'file of extra headers, one "Name: value" per line (e.g. a mounted Secret)')
    .option('--output-dir <dir>', `also write profiles to this directory; default ${DEFAULT_OUTPUT_DIR} when no other sink is given`)
    .option('--shard-count <n>', 'split the pods between this many runs (an Indexed Job)', '1')
    .option('--shard-index <i>', 'which shard this run takes, from 0 (default: $JOB_COMPLETION_INDEX, else 0)')
    .addOption(new Option('--pushgateway <url>', "push the run's metrics to this Prometheus Pushgateway when it ends").env('PUSHGATEWAY_URL'))
    .option('--pushgateway-job <name>', `job label of the pushed group (default: ${DEFAULT_PUSHGATEWAY_JOB})`)
    .option('--pushgateway-label <name=value>', 'another label of the pushed group, e.g. cronjob=kprofefe; repeatable', collect)
    .option('--dry-run', 'list every target (pod, URL, type, service, labels) without scraping')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent', 'info')
    .showHelpAfterError('(run kprofefe --help for usage)')
    .addHelpText(
      'after',
      `
Sinks: every sink given gets every profile, fetched once: --profefe-hostport, --pyroscope-url and
--output-dir together store each profile in each. With none of them, profiles go to
${DEFAULT_OUTPUT_DIR}, as always. The summary counts stored and failed per sink.

Exit status: 0 every profile stored in every sink; 1 some profiles failed (in any sink) or enabled
pods were skipped; 2 bad flags, no cluster configuration, or the Kubernetes API refused; 130 interrupted.
A --pushgateway push that fails is logged as a warning and never changes the exit status.

Examples:
  kprofefe -A --output-dir ./profiles
  kprofefe -n shop -l app=checkout --profefe-hostport http://profefe-collector:10100
  kprofefe -A --profefe-hostport http://profefe-collector:10100 --output-dir /backup/profiles
  kprofefe -n shop checkout-7d9f8c-x2x4z --profile-types cpu,heap --cpu-duration 10s --dry-run`,
    );
  return addPyroscopeOptions(addTargetTlsOptions(command));
}

interface RawOptions extends RawTargetTlsOptions, RawPyroscopeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  profileTypes: string;
  cpuDuration: string;
  concurrency: string;
  cpuConcurrency: string;
  timeout: string;
  maxProfileSize: string;
  maxInflightBytes: string;
  profefeHostport?: string;
  profefeHeader?: string[];
  profefeHeaderFile?: string;
  outputDir?: string;
  shardCount: string;
  shardIndex?: string;
  pushgateway?: string;
  pushgatewayJob?: string;
  pushgatewayLabel?: string[];
  dryRun?: boolean;
  logLevel: string;
}

export function toConfig(pods: string[], raw: RawOptions, env: NodeJS.ProcessEnv): KprofefeConfig {
  const namespaces = raw.namespace ?? [];
  const allNamespaces = raw.allNamespaces === true;
  const selection: PodSelection = { namespaces, allNamespaces, labelSelector: raw.selector, names: pods };
  const problem = selectionProblem(selection);
  if (problem !== undefined) throw new UsageError(problem);
  let shard: Shard;
  try {
    shard = parseShard({ count: raw.shardCount, index: raw.shardIndex, env });
  } catch (err) {
    throw err instanceof ShardOptionError ? new UsageError(err.message) : err;
  }
  let pushgateway: PushgatewayTarget | undefined;
  try {
    pushgateway = parsePushgatewayTarget({ url: raw.pushgateway, job: raw.pushgatewayJob, labels: raw.pushgatewayLabel ?? [], shard });
  } catch (err) {
    throw err instanceof PushgatewayOptionError ? new UsageError(err.message) : err;
  }
  const headers = collectHeaders(raw.profefeHeader ?? [], raw.profefeHeaderFile);
  if (raw.profefeHostport === undefined && Object.keys(headers).length > 0) {
    throw new UsageError('--profefe-header and --profefe-header-file need --profefe-hostport');
  }
  const profefe: SinkConfig | undefined =
    raw.profefeHostport !== undefined && raw.profefeHostport !== ''
      ? { kind: 'profefe', url: httpUrl('--profefe-hostport', raw.profefeHostport), headers }
      : undefined;
  const sinks = sinkConfigs([profefe, toPyroscopeSinkConfig(raw, process.cwd())], raw.outputDir);
  return {
    kubeconfig: raw.kubeconfig,
    context: raw.context,
    selection,
    profileTypes: profileTypes('--profile-types', raw.profileTypes),
    cpuSeconds: cpuSeconds('--cpu-duration', raw.cpuDuration),
    concurrency: positiveInt('--concurrency', raw.concurrency, 10_000),
    cpuConcurrency: positiveInt('--cpu-concurrency', raw.cpuConcurrency, 100_000),
    timeoutMs: durationMs('--timeout', raw.timeout),
    maxProfileBytes: byteSize('--max-profile-size', raw.maxProfileSize),
    maxInflightBytes: byteSize('--max-inflight-bytes', raw.maxInflightBytes),
    target: toTargetTlsConfig(raw, process.cwd()),
    sinks,
    shard,
    pushgateway,
    dryRun: raw.dryRun === true,
    logLevel: logLevel('--log-level', raw.logLevel),
  };
}

/** Parses argv (without node and script) into a config, or throws UsageError / commander's exit. */
export function parseKprofefeArgs(args: readonly string[], env: NodeJS.ProcessEnv, command = kprofefeCommand()): KprofefeConfig {
  command.exitOverride();
  command.parse([...args], { from: 'user' });
  return toConfig(command.args, command.opts<RawOptions>(), env);
}

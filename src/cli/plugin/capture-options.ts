/**
 * `kubectl profefe capture` command line: flags → a plain config. Every mistake is a UsageError
 * naming the flag; nothing here talks to the network. Flag values are parsed by the same
 * functions kprofefe uses (../flag-values.ts, ../headers.ts).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parsePath } from '../../discover/annotations.js';
import { DEFAULT_PROFILE_TYPES, type ProfileType } from '../../profile-types.js';
import { byteSize, collect, cpuSeconds, durationMs, httpUrl, positiveInt, profileTypes } from '../flag-values.js';
import { collectHeaders } from '../headers.js';
import { addTargetTlsOptions, type RawTargetTlsOptions, type TargetTlsConfig, toTargetTlsConfig } from '../target-tls-flags.js';
import { selectionProblem, type PodSelection } from '../../discover/pod-selection.js';
import type { ServiceRef } from '../../kube/service-proxy.js';
import type { SinkConfig } from '../../sink/sink-config.js';
import { UsageError } from '../usage-error.js';
import { parseCollectorFlag } from './collector-flag.js';
import type { GlobalOptions } from './global-options.js';

/**
 * Where captured profiles go: kprofefe's choices (a collector URL, or a directory), or the
 * collector's Service through the API server's service proxy (named, or undefined: found by the
 * chart's labels).
 */
export type CaptureSinkConfig = SinkConfig | { readonly kind: 'collector-service'; readonly service: ServiceRef | undefined };

export interface CaptureConfig {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  /** `-n` (at most one; none: the kubeconfig context's namespace), `-A`, `-l` and the pods named. */
  readonly selection: PodSelection;
  /** `--port`/`--path`: used instead of the profefe.com/port and profefe.com/path annotations. */
  readonly port: string | undefined;
  readonly path: string | undefined;
  /** --target-scheme and how HTTPS targets are verified and authenticated (--target-*), as in kprofefe. */
  readonly target: TargetTlsConfig;
  readonly profileTypes: readonly ProfileType[];
  readonly cpuSeconds: number;
  /** Pods captured at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxProfileBytes: number;
  /** Every profile is stored in each: a push, files, or both. */
  readonly sinks: readonly CaptureSinkConfig[];
}

/** Interactive default: long enough for a useful CPU profile, short enough to wait for. */
export const DEFAULT_CAPTURE_CPU_DURATION = '10s';
export const DEFAULT_CAPTURE_CONCURRENCY = 4;

/**
 * The `capture` subcommand's own flags and help; the action is attached by capture.ts. The
 * kubectl flags (--kubeconfig, --context, -n, -A, -l) belong to the root command (global-options.ts).
 */
export function captureOptionsCommand(): Command {
  return addTargetTlsOptions(
    new Command('capture')
      .description(
        "Capture Go pprof profiles from pods through the API server's port-forward (like kubectl port-forward) " +
          'and save them as files or push them to a profefe collector.',
      )
      .argument('[pods...]', 'pods to capture (in --namespace); a named pod needs no profefe.com/enable annotation')
      .option('--port <port>', 'pprof port in the pod, a number or a container port name (default: profefe.com/port, else 6060)')
      .option('--path <path>', 'pprof path prefix in the pod (default: profefe.com/path, else /debug/pprof)')
      .option('--profile-types <list>', 'profile types to capture (cpu, allocs, block, mutex cover the --cpu-duration window)', DEFAULT_PROFILE_TYPES.join(','))
      .option(
        '--cpu-duration <duration>',
        "the window of the cpu, allocs, block and mutex profiles, taken together per pod; shorter than the scraper's 30s, since someone waits for it",
        DEFAULT_CAPTURE_CPU_DURATION,
      )
      .option('--concurrency <n>', 'pods captured at once (one port-forward each)', String(DEFAULT_CAPTURE_CONCURRENCY))
      .option('--timeout <duration>', 'timeout of one request to a pod or the collector; window requests get --cpu-duration on top', '10s')
      .option('--max-profile-size <size>', 'reject profiles larger than this', '64MiB')
      .option('--output-dir <dir>', 'directory to write profiles to (DIR/<namespace>/<service>/<type>/<pod>-<time>.pb.gz); with a push too', '.')
      .option(
        '--push',
        "push profiles to the profefe collector instead of writing files (or as well, with --output-dir): --profefe-hostport's, --collector's, else the collector Service found in the cluster",
      )
      .option(
        '--profefe-hostport <url>',
        'push profiles to this profefe collector instead of writing files, or as well with --output-dir (env PROFEFE_HOSTPORT)',
      )
      .option('--collector <ns/service[:port]>', "push profiles to this collector Service, through the API server's service proxy (port default 10100)")
      .option('--profefe-header <header>', "extra request header for a proxy in front of --profefe-hostport, 'Name: value'; repeatable", collect)
      .option('--profefe-header-file <path>', 'file of extra headers for --profefe-hostport, one "Name: value" per line')
      // --kubeconfig, --context, -n, -A, -l are the root's: list them in this command's help too.
      .configureHelp({ showGlobalOptions: true })
      .addHelpText(
        'after',
        `
Output: the path (or collector URL) of every stored profile on stdout, one per line (both, with a
push and --output-dir); progress on
stderr when it is a terminal, errors always. Through the API server's service proxy (--push
without a URL, --collector) the URL is the API path, for kubectl get --raw.
Exit status: 0 every profile stored; 1 some profile failed or a pod could not be captured;
2 bad flags, no cluster configuration, no collector, or the Kubernetes API refused; 130 interrupted (Ctrl-C).
Permissions: "get" on pods (and "list" with -l/-A), "get" and "create" on pods/portforward; to push
through the API server, "create" on services/proxy (and "list" on services to find the collector).

Examples:
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z --port 8080 --profile-types cpu,heap --cpu-duration 30s
  kubectl profefe capture -n shop -l app=checkout --output-dir ./profiles
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z --push
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z --collector kube-profefe/kube-profefe-collector
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z --profefe-hostport http://localhost:10100
  kubectl profefe capture -n shop checkout-7d9f8c-x2x4z --target-scheme https --target-ca-file ca.crt --target-server-name pprof.shop.svc`,
      ),
  );
}

export interface RawCaptureOptions extends RawTargetTlsOptions {
  port?: string;
  path?: string;
  profileTypes: string;
  cpuDuration: string;
  concurrency: string;
  timeout: string;
  maxProfileSize: string;
  outputDir: string;
  push?: boolean;
  profefeHostport?: string;
  collector?: string;
  profefeHeader?: string[];
  profefeHeaderFile?: string;
}

export interface CaptureConfigInput {
  readonly pods: readonly string[];
  readonly raw: RawCaptureOptions;
  readonly globals: GlobalOptions;
  /** --output-dir was on the command line (not its default). */
  readonly outputDirGiven: boolean;
  /** PROFEFE_HOSTPORT and friends. */
  readonly env: NodeJS.ProcessEnv;
  /** Relative --output-dir is resolved here. */
  readonly cwd: string;
}

export function toCaptureConfig({ pods, raw, globals, outputDirGiven, env, cwd }: CaptureConfigInput): CaptureConfig {
  const { namespace, allNamespaces, selector } = globals;
  const selection: PodSelection = {
    namespaces: namespace === undefined ? [] : [namespace],
    allNamespaces,
    labelSelector: selector,
    names: [...new Set(pods)],
  };
  const problem = selectionProblem(selection);
  if (problem !== undefined) throw new UsageError(problem);
  if (raw.port !== undefined) checkPort(raw.port);
  if (raw.path !== undefined) {
    const path = parsePath(raw.path, '--path');
    if (!path.ok) throw new UsageError(`--path "${raw.path}": ${path.problem.reason}`);
  }
  const sinks = captureSinks(raw, { outputDirGiven, env, cwd });
  return {
    kubeconfig: globals.kubeconfig,
    context: globals.context,
    selection,
    port: raw.port,
    path: raw.path,
    target: toTargetTlsConfig(raw, cwd),
    profileTypes: profileTypes('--profile-types', raw.profileTypes),
    cpuSeconds: cpuSeconds('--cpu-duration', raw.cpuDuration),
    concurrency: positiveInt('--concurrency', raw.concurrency, 256),
    timeoutMs: durationMs('--timeout', raw.timeout),
    maxProfileBytes: byteSize('--max-profile-size', raw.maxProfileSize),
    sinks,
  };
}

/** A port number, or a container port name (IANA_SVC_NAME: up to 15 of a-z, 0-9 and "-", a letter included). */
function checkPort(value: string): void {
  if (/^[0-9]+$/.test(value)) {
    if (Number(value) < 1 || Number(value) > 65535) throw new UsageError(`--port "${value}": a port must be between 1 and 65535`);
    return;
  }
  if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(value) || !/[a-z]/.test(value)) {
    throw new UsageError(`--port "${value}": expected a port number (1-65535) or the name of a container port, e.g. pprof`);
  }
}

/**
 * A push, files, or both: the push of pushSink; files with --output-dir, and in the current
 * directory when there is no push. --output-dir with a push flag stores each profile in both.
 * Extra headers only go with a URL.
 */
function captureSinks(raw: RawCaptureOptions, where: { outputDirGiven: boolean; env: NodeJS.ProcessEnv; cwd: string }): CaptureSinkConfig[] {
  const headers = collectHeaders(raw.profefeHeader ?? [], raw.profefeHeaderFile === undefined ? undefined : resolve(where.cwd, raw.profefeHeaderFile));
  const push = pushSink(raw, where);
  if (push?.kind !== 'profefe' && Object.keys(headers).length > 0) {
    throw new UsageError('--profefe-header and --profefe-header-file need --profefe-hostport (or PROFEFE_HOSTPORT): they are for a proxy in front of that URL');
  }
  const sinks: CaptureSinkConfig[] = [];
  if (push !== undefined) sinks.push(push.kind === 'profefe' ? { ...push, headers } : push);
  if (where.outputDirGiven || push === undefined) sinks.push({ kind: 'directory', dir: resolve(where.cwd, raw.outputDir) });
  return sinks;
}

/** --profefe-hostport; --collector; PROFEFE_HOSTPORT (unless --output-dir is given); --push (to the collector found in the cluster); else none. */
function pushSink(raw: RawCaptureOptions, where: { outputDirGiven: boolean; env: NodeJS.ProcessEnv }): CaptureSinkConfig | undefined {
  if (raw.profefeHostport !== undefined && raw.collector !== undefined) {
    throw new UsageError('give --collector (a Service, through the API server) or --profefe-hostport (a URL), not both');
  }
  const fromEnv = where.env.PROFEFE_HOSTPORT === '' || where.outputDirGiven ? undefined : where.env.PROFEFE_HOSTPORT;
  if (raw.profefeHostport !== undefined) return { kind: 'profefe', url: httpUrl('--profefe-hostport', raw.profefeHostport), headers: {} };
  if (raw.collector !== undefined) return { kind: 'collector-service', service: parseCollectorFlag(raw.collector) };
  if (fromEnv !== undefined) return { kind: 'profefe', url: httpUrl('PROFEFE_HOSTPORT', fromEnv), headers: {} };
  if (raw.push) return { kind: 'collector-service', service: undefined };
  return undefined;
}

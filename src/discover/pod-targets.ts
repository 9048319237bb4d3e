/**
 * From one Pod to its scrape targets: a pure function, so every rule about annotations,
 * defaults and labels is tested in a table without a cluster.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { PROFILE_TYPE_SPECS, type ProfileType } from '../profile-types.js';
import {
  isEnabled,
  parseLabelsAnnotation,
  parsePath,
  parsePort,
  parseProfileTypesAnnotation,
  parseScheme,
  parseService,
  podIp,
  type AnnotationProblem,
  LABELS,
  PATH,
  PORT,
  PROFILE_TYPES_ANNOTATION,
  SCHEME,
  SERVICE,
  type TargetScheme,
} from './annotations.js';
import type { PodInfo, Target } from './target.js';
import { owningWorkload } from './workload.js';

export interface TargetOptions {
  /** Types this run scrapes; the profile-types annotation can only narrow them. */
  readonly profileTypes: readonly ProfileType[];
  /** `seconds` of the CPU profile. */
  readonly cpuSeconds: number;
  /** Pods named explicitly on the command line need no enable annotation. */
  readonly requireEnable: boolean;
  /** `--port` / `--path` of the plugin: used instead of the annotations when set. */
  readonly portOverride?: string;
  readonly pathOverride?: string;
  /** `--target-scheme`: the scheme of pods without a profefe.com/scheme annotation. Default http. */
  readonly scheme?: TargetScheme;
}

export type IgnoredWhy = 'not-enabled' | 'not-running' | 'no-ip' | 'no-types';

export type PodTargets =
  | { readonly kind: 'targets'; readonly pod: PodInfo; readonly targets: readonly Target[] }
  /** Not a target, and not a mistake: not enabled, not Running, no IP yet, no type left. */
  | { readonly kind: 'ignored'; readonly namespace: string; readonly name: string; readonly why: IgnoredWhy; readonly reason: string }
  /** Enabled but misconfigured: skipped, reported, and the run is not clean. */
  | { readonly kind: 'invalid'; readonly namespace: string; readonly name: string; readonly problem: AnnotationProblem };

/** The log line for a skipped pod: names the pod, the annotation, its value and what to do. */
export function skippedPodMessage(item: Extract<PodTargets, { kind: 'invalid' }>): string {
  const { annotation, value, reason } = item.problem;
  return `pod ${item.namespace}/${item.name} skipped: annotation ${annotation}="${value}": ${reason}`;
}

/** Labels every profile carries, and `delta` (the sinks set it: window or cumulative); extra labels from the annotation cannot override them. */
export const BUILTIN_LABELS = ['namespace', 'pod', 'node', 'container', 'workload_kind', 'workload', 'delta'] as const;

export function podTargets(pod: V1Pod, options: TargetOptions): PodTargets {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const annotations = pod.metadata?.annotations ?? {};
  const ignored = (why: IgnoredWhy, reason: string): PodTargets => ({ kind: 'ignored', namespace, name, why, reason });

  if (options.requireEnable && !isEnabled(annotations)) {
    return ignored(
      'not-enabled',
      annotations['profefe.com/enable'] === undefined
        ? 'no profefe.com/enable annotation'
        : `profefe.com/enable is "${annotations['profefe.com/enable']}", not "true"`,
    );
  }
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') return ignored('not-running', `phase is ${phase}, not Running`);
  const ip = podIp(pod);
  if (ip === undefined) return ignored('no-ip', 'the pod has no IP address yet');

  const port = parsePort(options.portOverride ?? annotations[PORT], pod, options.portOverride !== undefined ? '--port' : PORT);
  if (!port.ok) return { kind: 'invalid', namespace, name, problem: port.problem };
  const path = parsePath(options.pathOverride ?? annotations[PATH], options.pathOverride !== undefined ? '--path' : PATH);
  if (!path.ok) return { kind: 'invalid', namespace, name, problem: path.problem };
  const scheme = parseScheme(annotations[SCHEME], options.scheme ?? 'http');
  if (!scheme.ok) return { kind: 'invalid', namespace, name, problem: scheme.problem };
  const service = parseService(annotations[SERVICE]);
  if (!service.ok) return { kind: 'invalid', namespace, name, problem: service.problem };
  const narrowed = parseProfileTypesAnnotation(annotations[PROFILE_TYPES_ANNOTATION]);
  if (!narrowed.ok) return { kind: 'invalid', namespace, name, problem: narrowed.problem };
  const extraLabels = parseLabelsAnnotation(annotations[LABELS]);
  if (!extraLabels.ok) return { kind: 'invalid', namespace, name, problem: extraLabels.problem };

  const types = narrowed.value ? options.profileTypes.filter((t) => narrowed.value?.includes(t)) : options.profileTypes;
  if (types.length === 0) {
    return ignored(
      'no-types',
      `${PROFILE_TYPES_ANNOTATION} "${annotations[PROFILE_TYPES_ANNOTATION]}" keeps none of this run's types (${options.profileTypes.join(',')})`,
    );
  }

  const workload = owningWorkload(pod);
  const info: PodInfo = { namespace, name, uid: pod.metadata?.uid ?? '', ip, node: pod.spec?.nodeName, workload };
  const labels: Record<string, string> = { ...extraLabels.value };
  for (const key of BUILTIN_LABELS) delete labels[key];
  labels.namespace = namespace;
  labels.pod = name;
  if (info.node) labels.node = info.node;
  if (port.value.container) labels.container = port.value.container;
  if (workload) {
    labels.workload_kind = workload.kind;
    labels.workload = workload.name;
  }
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const prefix = path.value === '/' ? '' : path.value;
  const serviceName = service.value ?? workload?.name ?? name;

  const targets = types.map((type): Target => {
    const spec = PROFILE_TYPE_SPECS[type];
    const seconds = spec.timed ? options.cpuSeconds : undefined;
    const requestPath = `${prefix}/${spec.endpoint}${seconds !== undefined ? `?seconds=${seconds}` : ''}`;
    return {
      pod: info,
      type,
      service: serviceName,
      scheme: scheme.value,
      port: port.value.port,
      path: requestPath,
      url: `${scheme.value}://${host}:${port.value.port}${requestPath}`,
      seconds,
      labels,
    };
  });
  return { kind: 'targets', pod: info, targets };
}

/** Assertions shared by the chart tests: what every rendering must satisfy. */
import { expect } from 'vitest';
import { kubeProblems } from './kube-validate.js';
import type { KubeObject, Rendered } from './render-chart.js';

/** Rendered objects are walked as plain JSON. */
type Json = any;

export function ofKind(rendered: Rendered, kind: string): Json[] {
  return rendered.objects.filter(({ object }) => object.kind === kind).map(({ object }) => object);
}

export function objectNamed(rendered: Rendered, kind: string, name: string): Json {
  const found = ofKind(rendered, kind).find((o) => o.metadata.name === name);
  if (found === undefined)
    throw new Error(
      `no ${kind} ${name}; have ${ofKind(rendered, kind)
        .map((o) => o.metadata.name)
        .join(', ')}`,
    );
  return found;
}

export function cronJobNamed(rendered: Rendered, name: string): Json {
  return objectNamed(rendered, 'CronJob', name);
}

export function podSpecOf(cronJob: Json): Json {
  return cronJob.spec.jobTemplate.spec.template.spec;
}

export function containerOf(cronJob: Json): Json {
  const containers = podSpecOf(cronJob).containers as Json[];
  expect(containers).toHaveLength(1);
  return containers[0];
}

/** Every object validates against the Kubernetes schemas, with no unknown field. */
export function expectValidObjects(rendered: Rendered): void {
  expect(rendered.objects.length).toBeGreaterThan(0);
  const problems = rendered.objects.flatMap(({ object }) => kubeProblems(object));
  expect(problems.join('\n')).toBe('');
  for (const { object } of rendered.objects) {
    expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(object.metadata.labels?.['app.kubernetes.io/name']).toBe('kube-profefe');
    expect(object.metadata.labels?.['app.kubernetes.io/managed-by']).toBeTruthy();
  }
  const ids = rendered.objects.map(({ object }) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`);
  expect(new Set(ids).size, `duplicate objects: ${ids.join(', ')}`).toBe(ids.length);
  for (const cronJob of ofKind(rendered, 'CronJob')) {
    // The CronJob controller appends 11 characters to make Job names, which may have 63.
    expect(cronJob.metadata.name.length).toBeLessThanOrEqual(52);
  }
}

/** Volume types the `restricted` Pod Security Standard allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** A CronJob's pods meet the `restricted` Pod Security Standard. */
export function expectRestricted(cronJob: Json): void {
  expectRestrictedPod(podSpecOf(cronJob));
}

/** The `restricted` Pod Security Standard, as the admission controller checks it, on a pod spec. */
export function expectRestrictedPod(pod: Json): void {
  const podContext = pod.securityContext ?? {};
  expect(pod.hostNetwork ?? false).toBe(false);
  expect(pod.hostPID ?? false).toBe(false);
  expect(pod.hostIPC ?? false).toBe(false);
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    expect(
      types.every((t) => RESTRICTED_VOLUMES.includes(t)),
      `volume ${volume.name}: ${types.join()}`,
    ).toBe(true);
  }
  expect(podContext.runAsUser ?? 1).not.toBe(0);
  for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const context = container.securityContext ?? {};
    expect(context.privileged ?? false).toBe(false);
    expect(context.allowPrivilegeEscalation).toBe(false);
    expect(context.runAsNonRoot ?? podContext.runAsNonRoot).toBe(true);
    expect(context.runAsUser ?? podContext.runAsUser ?? 1).not.toBe(0);
    expect(context.readOnlyRootFilesystem).toBe(true);
    expect(context.capabilities?.drop).toContain('ALL');
    expect(context.capabilities?.add ?? []).toEqual([]);
    expect((context.seccompProfile ?? podContext.seccompProfile)?.type).toBe('RuntimeDefault');
    for (const port of container.ports ?? []) expect(port.hostPort ?? 0).toBe(0);
  }
}

/** The only rule the chart may grant: pods, list, plus get when pods are named. */
export function podRule(withGet: boolean): Json[] {
  return [{ apiGroups: [''], resources: ['pods'], verbs: withGet ? ['get', 'list'] : ['list'] }];
}

/** Role + RoleBinding per namespace, nothing cluster-wide; `get` only where named. */
export function expectNamespacedRbac(rendered: Rendered, namespaces: Record<string, boolean>, serviceAccount: { name: string; namespace: string }): void {
  expect(ofKind(rendered, 'ClusterRole')).toEqual([]);
  expect(ofKind(rendered, 'ClusterRoleBinding')).toEqual([]);
  const roles = ofKind(rendered, 'Role');
  const bindings = ofKind(rendered, 'RoleBinding');
  expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(Object.keys(namespaces).sort());
  expect(bindings.map((r) => r.metadata.namespace).sort()).toEqual(Object.keys(namespaces).sort());
  for (const role of roles) expect(role.rules, `Role in ${role.metadata.namespace}`).toEqual(podRule(namespaces[role.metadata.namespace] === true));
  for (const binding of bindings) {
    const role = roles.find((r) => r.metadata.namespace === binding.metadata.namespace);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', ...serviceAccount }]);
  }
}

export function expectClusterRbac(rendered: Rendered, withGet: boolean, serviceAccount: { name: string; namespace: string }): void {
  expect(ofKind(rendered, 'Role')).toEqual([]);
  expect(ofKind(rendered, 'RoleBinding')).toEqual([]);
  const [role, ...moreRoles] = ofKind(rendered, 'ClusterRole');
  const [binding, ...moreBindings] = ofKind(rendered, 'ClusterRoleBinding');
  expect(moreRoles).toEqual([]);
  expect(moreBindings).toEqual([]);
  expect(role.rules).toEqual(podRule(withGet));
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', ...serviceAccount }]);
}

/** A job's settings as the values give them (the defaults overridden by a `jobs` entry). */
export interface JobSettings {
  namespaces?: string[];
  allNamespaces?: boolean;
  selector?: string;
  pods?: string[];
  profileTypes: string[];
  cpuDuration: string;
  concurrency: number;
  cpuConcurrency: number;
  timeout: string;
  maxProfileSize: string;
  maxInflightBytes: string;
  logLevel: string;
  dryRun?: boolean;
  extraArgs?: string[];
  shards?: number;
}

/** The kprofefe command line (see the brief) that a job's settings mean. */
export interface JobOutput {
  readonly collectorUrl?: string;
  readonly headersFile?: string;
  readonly outputDir?: string;
  /** --pushgateway, and the CronJob's name for --pushgateway-label cronjob=<name>. */
  readonly pushgateway?: { readonly url: string; readonly cronJob: string };
}

export function expectedArgs(job: JobSettings, output: JobOutput): string[] {
  const args: string[] = [];
  if (job.allNamespaces === true) args.push('--all-namespaces');
  else for (const ns of job.namespaces ?? []) args.push(`--namespace=${ns}`);
  if (job.selector) args.push(`--selector=${job.selector}`);
  args.push(
    `--profile-types=${job.profileTypes.join(',')}`,
    `--cpu-duration=${job.cpuDuration}`,
    `--concurrency=${job.concurrency}`,
    `--cpu-concurrency=${job.cpuConcurrency}`,
    `--timeout=${job.timeout}`,
    `--max-profile-size=${job.maxProfileSize}`,
    `--max-inflight-bytes=${job.maxInflightBytes}`,
    `--log-level=${job.logLevel}`,
  );
  if (output.collectorUrl !== undefined) {
    args.push(`--profefe-hostport=${output.collectorUrl}`);
    if (output.headersFile !== undefined) args.push(`--profefe-header-file=${output.headersFile}`);
  } else {
    args.push(`--output-dir=${output.outputDir}`);
  }
  if ((job.shards ?? 1) > 1) args.push(`--shard-count=${job.shards}`);
  if (output.pushgateway !== undefined) args.push(`--pushgateway=${output.pushgateway.url}`, `--pushgateway-label=cronjob=${output.pushgateway.cronJob}`);
  if (job.dryRun === true) args.push('--dry-run');
  args.push(...(job.extraArgs ?? []), ...(job.pods ?? []));
  return args;
}

/** The interval in seconds of a `*\/N * * * *` schedule. */
export function minutesInterval(schedule: string): number {
  const match = /^\*\/(\d+) \* \* \* \*$/.exec(schedule);
  if (match?.[1] === undefined) throw new Error(`not an every-N-minutes schedule: ${schedule}`);
  return Number(match[1]) * 60;
}

export type { KubeObject };

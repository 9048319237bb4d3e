import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  containerOf,
  cronJobNamed,
  expectClusterRbac,
  expectedArgs,
  expectNamespacedRbac,
  expectRestricted,
  expectValidObjects,
  minutesInterval,
  ofKind,
  podSpecOf,
  type JobSettings,
} from './chart-expect.js';
import { kubeProblems } from './kube-validate.js';
import { buildRenderer, CHART_DIR, ChartRenderError, renderChart, type Rendered } from './render-chart.js';

const valuesFile = (name: string): string => fileURLToPath(new URL(`./values/${name}`, import.meta.url));
const chartValues = parse(readFileSync(`${CHART_DIR}/values.yaml`, 'utf8')) as {
  scrape: JobSettings;
  cronJob: Record<string, number | string | boolean>;
};
const SA = { name: 'kube-profefe', namespace: 'kube-profefe' };
/** The chart's collector Service, as the scraper reaches it by default. */
const COLLECTOR_URL = 'http://kube-profefe-collector.kube-profefe.svc:10100';

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

describe('default values', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer);
  });

  it('renders the collector (Deployment, PersistentVolumeClaim, Service), a ServiceAccount, a ClusterRole and binding, and one CronJob, all valid', () => {
    expectValidObjects(rendered);
    expect(rendered.objects.map(({ object }) => object.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'CronJob',
      'Deployment',
      'PersistentVolumeClaim',
      'Service',
      'ServiceAccount',
    ]);
    const [serviceAccount] = ofKind(rendered, 'ServiceAccount');
    expect(serviceAccount.metadata).toMatchObject(SA);
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
  });

  it('lets the ServiceAccount list pods in every namespace, and nothing else: a ClusterRole with list on pods', () => {
    expectClusterRbac(rendered, false, SA);
    const [clusterRole] = ofKind(rendered, 'ClusterRole');
    expect(clusterRole.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
  });

  it('schedules every 10 minutes, never overlapping, and stops a stuck run before the next', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    expect(cronJob.spec.schedule).toBe('*/10 * * * *');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronJob.spec.startingDeadlineSeconds).toBe(chartValues.cronJob.startingDeadlineSeconds);
    expect(cronJob.spec.successfulJobsHistoryLimit).toBe(3);
    expect(cronJob.spec.failedJobsHistoryLimit).toBe(3);
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(job.activeDeadlineSeconds).toBeLessThan(minutesInterval(cronJob.spec.schedule));
    expect(job.completionMode).toBeUndefined();
    expect(podSpecOf(cronJob).restartPolicy).toBe('Never');
    expect(podSpecOf(cronJob).serviceAccountName).toBe(SA.name);
    expect(podSpecOf(cronJob).automountServiceAccountToken).toBe(true);
  });

  it('runs kprofefe restricted: non-root, read-only root, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    expectRestricted(cronJobNamed(rendered, 'kube-profefe'));
  });

  it('passes every scrape value as its flag, scrapes all namespaces, and pushes to the collector Service: no volume', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    const container = containerOf(cronJob);
    expect(container.image).toBe('ghcr.io/kube-profefe/kube-profefe:0.1.0');
    expect(container.args).toEqual(expectedArgs(chartValues.scrape, { collectorUrl: COLLECTOR_URL }));
    expect(container.args).toContain('--all-namespaces');
    expect(container.args).toContain(`--profefe-hostport=${COLLECTOR_URL}`);
    expect(container.args.some((a: string) => a.startsWith('--namespace') || a.startsWith('--output-dir'))).toBe(false);
    expect(container.volumeMounts).toBeUndefined();
    expect(podSpecOf(cronJob).volumes).toBeUndefined();
  });

  it('says in NOTES where profiles go, how to look at them and how to start a run', () => {
    expect(rendered.notes).toContain('CronJob kube-profefe: "*/10 * * * *", all namespaces');
    expect(rendered.notes).toContain("pushed to the chart's profefe collector, Service kube-profefe-collector");
    expect(rendered.notes).toContain('kept 120h on the PersistentVolumeClaim kube-profefe-collector');
    expect(rendered.notes).toContain('kubectl profefe get profiles --service <service>');
    expect(rendered.notes).toContain('kubectl create job --namespace kube-profefe --from=cronjob/kube-profefe kube-profefe-manual');
  });
});

describe('all namespaces, with a collector and headers from a Secret', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('all-namespaces.yaml')] });
  });

  it('renders valid objects with a ClusterRole that only lists pods', () => {
    expectValidObjects(rendered);
    expectClusterRbac(rendered, false, SA);
  });

  it('passes --all-namespaces, the selector and the collector; mounts the Secret read-only; no output volume', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    const headersFile = '/etc/kprofefe/profefe-headers/header-lines';
    expect(containerOf(cronJob).args).toEqual(
      expectedArgs(
        {
          ...chartValues.scrape,
          allNamespaces: true,
          selector: 'profiling=on,tier!=batch',
          profileTypes: ['cpu', 'heap', 'allocs'],
          cpuDuration: '10s',
          concurrency: 8,
          logLevel: 'debug',
        },
        { collectorUrl: 'http://profefe-collector.profefe.svc:10100', headersFile },
      ),
    );
    expect(containerOf(cronJob).volumeMounts).toEqual([{ name: 'profefe-headers', mountPath: '/etc/kprofefe/profefe-headers', readOnly: true }]);
    const [volume] = podSpecOf(cronJob).volumes;
    expect(volume).toEqual({
      name: 'profefe-headers',
      secret: { secretName: 'profefe-auth', defaultMode: 0o440, items: [{ key: 'header-lines', path: 'header-lines' }] },
    });
    // The group may read the Secret: the pod's fsGroup.
    expect(podSpecOf(cronJob).securityContext.fsGroup).toBe(65532);
    expectRestricted(cronJob);
    expect(rendered.notes).toContain('all namespaces');
    expect(rendered.notes).toContain('pushed to the profefe collector at http://profefe-collector.profefe.svc:10100');
  });
});

describe('a list of namespaces', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('namespace-list.yaml')] });
  });

  it('renders a Role and RoleBinding in each listed namespace, bound to the release ServiceAccount', () => {
    expectValidObjects(rendered);
    expectNamespacedRbac(rendered, { 'team-a': false, 'team-b': false, 'team-c': false }, SA);
  });

  it('repeats --namespace in one run and passes the pod settings through', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    const container = containerOf(cronJob);
    expect(container.args).toEqual(
      expectedArgs(
        {
          ...chartValues.scrape,
          allNamespaces: false,
          namespaces: ['team-a', 'team-b', 'team-c'],
          cpuDuration: '1m',
          timeout: '5s',
          maxProfileSize: '16MiB',
          extraArgs: ['--cpu-concurrency=64'],
        },
        { collectorUrl: COLLECTOR_URL },
      ),
    );
    expect(container.env).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=512' }]);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } });
    const pod = podSpecOf(cronJob);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'tools', effect: 'NoSchedule' }]);
    expect(cronJob.spec.jobTemplate.spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expectRestricted(cronJob);
  });
});

describe('several jobs from one release', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('several-jobs.yaml')] });
  });

  it('renders one valid CronJob per job, named <fullname>-<job>', () => {
    expectValidObjects(rendered);
    expect(ofKind(rendered, 'CronJob').map((c) => c.metadata.name)).toEqual(['kube-profefe-payments', 'kube-profefe-search', 'kube-profefe-shared']);
    for (const cronJob of ofKind(rendered, 'CronJob')) {
      expectRestricted(cronJob);
      expect(cronJob.spec.jobTemplate.spec.template.metadata.labels['profefe.com/scrape-job']).toBe(cronJob.metadata.name.replace('kube-profefe-', ''));
    }
  });

  it('gives each job its own namespaces, selector, schedule and settings over the defaults', () => {
    const output = { collectorUrl: 'https://profefe.example.internal' };
    const payments = cronJobNamed(rendered, 'kube-profefe-payments');
    expect(payments.spec.schedule).toBe('*/5 * * * *');
    expect(payments.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(240);
    expect(payments.spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThan(minutesInterval(payments.spec.schedule));
    expect(containerOf(payments).args).toEqual(
      expectedArgs({ ...chartValues.scrape, allNamespaces: false, namespaces: ['payments', 'payments-staging'], profileTypes: ['cpu', 'heap'] }, output),
    );

    const search = cronJobNamed(rendered, 'kube-profefe-search');
    expect(search.spec.schedule).toBe('*/10 * * * *');
    expect(search.spec.timeZone).toBe('Europe/Paris');
    expect(containerOf(search).args).toEqual(
      expectedArgs(
        {
          ...chartValues.scrape,
          allNamespaces: false,
          namespaces: ['search'],
          selector: 'app.kubernetes.io/part-of=search',
          pods: ['search-indexer-0', 'search-indexer-1'],
          cpuDuration: '20s',
        },
        output,
      ),
    );

    const shared = cronJobNamed(rendered, 'kube-profefe-shared');
    expect(shared.spec.suspend).toBe(true);
    expect(containerOf(shared).args).toEqual(
      expectedArgs({ ...chartValues.scrape, allNamespaces: false, namespaces: ['payments', 'tools'], dryRun: true }, output),
    );
    // With a collector, nothing is written locally: no volume at all.
    expect(podSpecOf(shared).volumes).toBeUndefined();
  });

  it('grants list in the union of the namespaces, and get only where a job names pods', () => {
    expectNamespacedRbac(rendered, { payments: false, 'payments-staging': false, search: true, tools: false }, SA);
  });

  it('turns to one ClusterRole when any job scrapes all namespaces, with get if any job names pods', () => {
    const mixed = renderChart(renderer, {
      valuesFiles: [valuesFile('several-jobs.yaml')],
      values: {
        jobs: [
          { name: 'everything', allNamespaces: true },
          { name: 'one', namespaces: ['a'], pods: ['p-0'] },
        ],
      },
    });
    expectValidObjects(mixed);
    expectClusterRbac(mixed, true, SA);
    expect(containerOf(cronJobNamed(mixed, 'kube-profefe-everything')).args[0]).toBe('--all-namespaces');
  });

  it('takes all namespaces from the defaults for an entry that sets neither namespaces nor allNamespaces', () => {
    const mixed = renderChart(renderer, { values: { jobs: [{ name: 'everywhere' }, { name: 'payments', namespaces: ['payments'] }] } });
    expectValidObjects(mixed);
    expect(containerOf(cronJobNamed(mixed, 'kube-profefe-everywhere')).args[0]).toBe('--all-namespaces');
    expect(containerOf(cronJobNamed(mixed, 'kube-profefe-payments')).args[0]).toBe('--namespace=payments');
    expectClusterRbac(mixed, false, SA);
  });

  it('fails with a clear message on two jobs whose CronJob names collide, or a job with both namespace settings', () => {
    expect(() => renderChart(renderer, { values: { jobs: [{ name: 'a' }, { name: 'a' }] } })).toThrow(ChartRenderError);
    expect(() => renderChart(renderer, { values: { jobs: [{ name: 'a' }, { name: 'a' }] } })).toThrow(
      /jobs\[1\] \(a\): its CronJob name "kube-profefe-a" is already used by job "a"/,
    );
    expect(() => renderChart(renderer, { values: { jobs: [{ name: 'a', allNamespaces: true, namespaces: ['x'] }] } })).toThrow(
      /jobs\[0\] \(a\): set allNamespaces or namespaces, not both/,
    );
  });
});

describe('shards', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('shards.yaml')] });
  });

  it('renders an Indexed Job with one pod per shard, and passes --shard-count', () => {
    expectValidObjects(rendered);
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.completionMode).toBe('Indexed');
    expect(job.completions).toBe(4);
    expect(job.parallelism).toBe(4);
    // A failed shard must not fail the Job, which would stop the other shards mid-run.
    expect(job.backoffLimitPerIndex).toBe(0);
    expect(job.backoffLimit).toBeUndefined();
    const args: string[] = containerOf(cronJob).args;
    expect(args).toEqual(expectedArgs({ ...chartValues.scrape, shards: 4 }, { outputDir: '/profiles' }));
    // The index comes from JOB_COMPLETION_INDEX, which the Job controller sets in each pod.
    expect(args.some((a) => a.startsWith('--shard-index'))).toBe(false);
    expectClusterRbac(rendered, false, SA);
    expectRestricted(cronJob);
  });

  it('pins the image by digest, mounts the PVC and uses the pull secret', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    expect(containerOf(cronJob).image).toBe('ghcr.io/kube-profefe/kube-profefe@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(podSpecOf(cronJob).volumes).toEqual([{ name: 'profiles', persistentVolumeClaim: { claimName: 'profiles-archive' } }]);
    expect(podSpecOf(cronJob).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(rendered.notes).toContain('split over 4 pods');
    expect(rendered.notes).toContain('the PersistentVolumeClaim profiles-archive');
  });

  it('lets a job override the shard count', () => {
    const perJob = renderChart(renderer, {
      valuesFiles: [valuesFile('shards.yaml')],
      values: {
        jobs: [
          { name: 'big', shards: 7 },
          { name: 'small', shards: 1 },
        ],
      },
    });
    expectValidObjects(perJob);
    expect(cronJobNamed(perJob, 'kube-profefe-big').spec.jobTemplate.spec).toMatchObject({ completionMode: 'Indexed', completions: 7, parallelism: 7 });
    const small = cronJobNamed(perJob, 'kube-profefe-small');
    expect(small.spec.jobTemplate.spec.completionMode).toBeUndefined();
    expect(small.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(small.spec.jobTemplate.spec.backoffLimitPerIndex).toBeUndefined();
    expect(containerOf(small).args.some((a: string) => a.startsWith('--shard-count'))).toBe(false);
  });
});

describe('names and other settings', () => {
  it('cuts a long release name to 63 characters, and CronJob names to 52, without a trailing dash', () => {
    // 65 characters whose 63rd is a dash.
    const release = { name: `profiling-${'x'.repeat(52)}-yy`, namespace: 'profiling' };
    const rendered = renderChart(renderer, { release, values: { jobs: [{ name: 'payments' }] } });
    expectValidObjects(rendered);
    const [serviceAccount] = ofKind(rendered, 'ServiceAccount');
    expect(serviceAccount.metadata.name).toBe(`profiling-${'x'.repeat(52)}`);
    expect(ofKind(rendered, 'CronJob')[0].metadata.name).toBe(`profiling-${'x'.repeat(42)}`);
    // The collector's name is a 63-character DNS label too, and so is the host in the scraper's URL.
    expect(ofKind(rendered, 'Service')[0].metadata.name).toBe(`profiling-${'x'.repeat(43)}-collector`);
    expect(containerOf(ofKind(rendered, 'CronJob')[0]).args).toContain(`--profefe-hostport=http://profiling-${'x'.repeat(43)}-collector.profiling.svc:10100`);
  });

  it('renders for the oldest supported Kubernetes and refuses older ones, as Helm does with kubeVersion', () => {
    expectValidObjects(renderChart(renderer, { valuesFiles: [valuesFile('shards.yaml')], kubeVersion: 'v1.29.0' }));
    expect(() => renderChart(renderer, { kubeVersion: 'v1.28.9' })).toThrow(
      /chart requires kubeVersion: >=1.29.0-0 which is incompatible with Kubernetes v1.28.9/,
    );
  });

  it('uses an existing ServiceAccount, and can leave RBAC to the user', () => {
    const rendered = renderChart(renderer, { values: { serviceAccount: { create: false, name: 'profiler' }, rbac: { create: false } } });
    expectValidObjects(rendered);
    expect(rendered.objects.map(({ object }) => object.kind)).toEqual(['Deployment', 'PersistentVolumeClaim', 'Service', 'CronJob']);
    expect(podSpecOf(cronJobNamed(rendered, 'kube-profefe')).serviceAccountName).toBe('profiler');
    expect(() => renderChart(renderer, { values: { serviceAccount: { create: false } } })).toThrow(
      /serviceAccount.name is required when serviceAccount.create is false/,
    );
  });

  it('refuses a headers Secret without a collector', () => {
    expect(() =>
      renderChart(renderer, { values: { collector: { enabled: false, headersSecret: { name: 'auth' } }, output: { existingClaim: 'profiles' } } }),
    ).toThrow(/collector.headersSecret.name is set but there is no collector \(collector.enabled is false and collector.url is empty\)/);
  });

  it('mounts the output claim at output.dir, extra volumes, and adds pod labels', () => {
    const rendered = renderChart(renderer, {
      values: {
        collector: { enabled: false },
        output: { dir: '/data/profiles', existingClaim: 'profiles' },
        extraVolumes: [{ name: 'ca', configMap: { name: 'ca-bundle' } }],
        extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/ssl/custom', readOnly: true }],
        podLabels: { team: 'platform' },
        priorityClassName: 'low',
      },
    });
    expectValidObjects(rendered);
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    expect(podSpecOf(cronJob).volumes).toEqual([
      { name: 'profiles', persistentVolumeClaim: { claimName: 'profiles' } },
      { name: 'ca', configMap: { name: 'ca-bundle' } },
    ]);
    expect(containerOf(cronJob).volumeMounts).toEqual([
      { name: 'profiles', mountPath: '/data/profiles' },
      { name: 'ca', mountPath: '/etc/ssl/custom', readOnly: true },
    ]);
    expect(containerOf(cronJob).args).toContain('--output-dir=/data/profiles');
    expect(cronJob.spec.jobTemplate.spec.template.metadata.labels.team).toBe('platform');
    expect(podSpecOf(cronJob).priorityClassName).toBe('low');
    expectRestricted(cronJob);
  });

  it('catches a rendering that breaks the restricted profile (the check can fail)', () => {
    const rendered = renderChart(renderer, { values: { securityContext: { allowPrivilegeEscalation: true, readOnlyRootFilesystem: true } } });
    expect(() => expectRestricted(cronJobNamed(rendered, 'kube-profefe'))).toThrow();
  });

  it('catches an object the API would reject (the check can fail)', () => {
    const rendered = renderChart(renderer, { values: { resources: { limit: { memory: '1Gi' } } } });
    expect(() => expectValidObjects(rendered)).toThrow();
    expect(kubeProblems(cronJobNamed(rendered, 'kube-profefe'))).toEqual([
      'CronJob/kube-profefe: unknown field spec.jobTemplate.spec.template.spec.containers[0].resources.limit',
    ]);
    const wrongType = renderChart(renderer, { values: { podSecurityContext: { runAsUser: 'nobody' } } });
    expect(kubeProblems(cronJobNamed(wrongType, 'kube-profefe')).join()).toMatch(/securityContext\/runAsUser must be integer/);
  });
});

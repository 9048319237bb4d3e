import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { containerOf, cronJobNamed, expectRestrictedPod, expectValidObjects, objectNamed, ofKind, podSpecOf } from './chart-expect.js';
import { buildRenderer, ChartRenderError, renderChart, type Rendered } from './render-chart.js';

/** Rendered objects are walked as plain JSON. */
type Json = any;

const valuesFile = (name: string): string => fileURLToPath(new URL(`./values/${name}`, import.meta.url));
const NAME = 'kube-profefe-collector';
/** The labels kubectl profefe finds the collector Service by. */
const PLUGIN_LABELS = { 'app.kubernetes.io/name': 'kube-profefe', 'app.kubernetes.io/component': 'collector' };

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

function collectorContainer(deployment: Json): Json {
  const containers = deployment.spec.template.spec.containers as Json[];
  expect(containers.map((c) => c.name)).toEqual(['profefe']);
  return containers[0];
}

describe('the collector, with default values', () => {
  let rendered: Rendered;
  let deployment: Json;
  beforeAll(() => {
    rendered = renderChart(renderer);
    deployment = objectNamed(rendered, 'Deployment', NAME);
  });

  it('runs profefe as one pod at a time (Recreate: badger is single-writer)', () => {
    expectValidObjects(rendered);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const container = collectorContainer(deployment);
    expect(container.image).toBe('profefe/profefe:latest');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  it('stores badger data on its PersistentVolumeClaim, kept 120h, with profefe flags', () => {
    const container = collectorContainer(deployment);
    expect(container.args).toEqual([
      '-addr=:10100',
      '-storage-type=badger',
      '-badger.dir=/var/lib/profefe/badger',
      '-badger.data-ttl=120h',
      '-badger.gc-interval=5m',
    ]);
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/profefe' }]);
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: NAME } }]);
    const claim = objectNamed(rendered, 'PersistentVolumeClaim', NAME);
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(claim.metadata.labels['app.kubernetes.io/component']).toBe('collector');
  });

  it('probes readiness, liveness and startup on /api/0/version', () => {
    const container = collectorContainer(deployment);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 10100, protocol: 'TCP' }]);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(container[probe].httpGet, probe).toEqual({ path: '/api/0/version', port: 'http' });
    }
    // Startup may take a while on a large badger directory; liveness only counts after it.
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  it('runs restricted: non-root, fsGroup for the volume, read-only root, no capabilities, RuntimeDefault seccomp; no API token', () => {
    const pod = deployment.spec.template.spec;
    expectRestrictedPod(pod);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(collectorContainer(deployment).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(collectorContainer(deployment).resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' } });
  });

  it('serves port 10100 from a ClusterIP Service labelled for kubectl profefe, selecting only the collector pod', () => {
    const service = objectNamed(rendered, 'Service', NAME);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 10100, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.metadata.labels).toMatchObject({ ...PLUGIN_LABELS, 'app.kubernetes.io/instance': 'kube-profefe' });
    const selector = { 'app.kubernetes.io/name': 'kube-profefe', 'app.kubernetes.io/instance': 'kube-profefe', 'app.kubernetes.io/component': 'collector' };
    expect(service.spec.selector).toEqual(selector);
    expect(deployment.spec.selector.matchLabels).toEqual(selector);
    expect(deployment.spec.template.metadata.labels).toEqual(selector);
    // The scraper pods do not match it.
    const scraperLabels = cronJobNamed(rendered, 'kube-profefe').spec.jobTemplate.spec.template.metadata.labels;
    expect(Object.entries(selector).every(([k, v]) => scraperLabels[k] === v)).toBe(false);
    // Exactly one Service carries the labels the plugin looks for.
    const found = ofKind(rendered, 'Service').filter((s) => Object.entries(PLUGIN_LABELS).every(([k, v]) => s.metadata.labels[k] === v));
    expect(found.map((s) => s.metadata.name)).toEqual([NAME]);
  });

  it('points the scraper at the Service by its cluster DNS name', () => {
    expect(containerOf(cronJobNamed(rendered, 'kube-profefe')).args).toContain(`--profefe-hostport=http://${NAME}.kube-profefe.svc:10100`);
  });
});

describe('collector settings', () => {
  it('passes the retention, GC interval and extra arguments, pins the image by digest, and schedules the pod', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const rendered = renderChart(renderer, {
      values: {
        collector: {
          retention: '720h',
          gcInterval: '15m',
          extraArgs: ['-log.level=debug'],
          image: { digest },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
          podAnnotations: { 'sidecar.istio.io/inject': 'false' },
          podLabels: { team: 'platform' },
          resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '4Gi' } },
        },
        imagePullSecrets: [{ name: 'regcred' }],
      },
    });
    expectValidObjects(rendered);
    const deployment = objectNamed(rendered, 'Deployment', NAME);
    const container = collectorContainer(deployment);
    expect(container.args).toContain('-badger.data-ttl=720h');
    expect(container.args).toContain('-badger.gc-interval=15m');
    expect(container.args.at(-1)).toBe('-log.level=debug');
    expect(container.image).toBe(`profefe/profefe@${digest}`);
    expect(container.resources.limits).toEqual({ memory: '4Gi' });
    const pod = deployment.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expect(deployment.spec.template.metadata.labels.team).toBe('platform');
    // Extra pod labels never enter the selector, which a Deployment cannot change.
    expect(deployment.spec.selector.matchLabels.team).toBeUndefined();
  });

  it('sizes the claim and names its storage class; "-" asks for no dynamic provisioning', () => {
    const sized = renderChart(renderer, { values: { collector: { persistence: { size: '50Gi', storageClass: 'fast-ssd' } } } });
    expectValidObjects(sized);
    expect(objectNamed(sized, 'PersistentVolumeClaim', NAME).spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '50Gi' } },
    });
    const static_ = renderChart(renderer, { values: { collector: { persistence: { storageClass: '-' } } } });
    expect(objectNamed(static_, 'PersistentVolumeClaim', NAME).spec.storageClassName).toBe('');
  });

  it('keeps the claim and its profiles on helm uninstall unless persistence.keep is false', () => {
    const kept = renderChart(renderer, {});
    expect(objectNamed(kept, 'PersistentVolumeClaim', NAME).metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    const dropped = renderChart(renderer, { values: { collector: { persistence: { keep: false } } } });
    expectValidObjects(dropped);
    expect(objectNamed(dropped, 'PersistentVolumeClaim', NAME).metadata.annotations).toBeUndefined();
  });

  it('mounts an existing claim instead of creating one', () => {
    const rendered = renderChart(renderer, { values: { collector: { persistence: { existingClaim: 'profefe-data' } } } });
    expectValidObjects(rendered);
    expect(ofKind(rendered, 'PersistentVolumeClaim')).toEqual([]);
    expect(objectNamed(rendered, 'Deployment', NAME).spec.template.spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'profefe-data' } },
    ]);
    expect(rendered.notes).toContain('on the PersistentVolumeClaim profefe-data');
  });

  it('sends the headers Secret to the chart collector too', () => {
    const rendered = renderChart(renderer, { values: { collector: { headersSecret: { name: 'profefe-auth' } } } });
    expectValidObjects(rendered);
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    expect(containerOf(cronJob).args).toContain('--profefe-header-file=/etc/kprofefe/profefe-headers/headers');
    expect(podSpecOf(cronJob).volumes.map((v: Json) => v.secret?.secretName)).toEqual(['profefe-auth']);
  });

  it('labels the Service with the overridden name when nameOverride is set', () => {
    const rendered = renderChart(renderer, { values: { nameOverride: 'profiling' } });
    const [service] = ofKind(rendered, 'Service');
    expect(service.metadata.name).toBe('kube-profefe-profiling-collector');
    expect(service.metadata.labels['app.kubernetes.io/name']).toBe('profiling');
    expect(service.metadata.labels['app.kubernetes.io/component']).toBe('collector');
  });
});

describe('an external collector (collector.enabled=false, collector.url)', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(renderer, { valuesFiles: [valuesFile('external-collector.yaml')] });
  });

  it('renders no collector objects, only the scraper and its RBAC, all valid', () => {
    expectValidObjects(rendered);
    expect(rendered.objects.map(({ object }) => object.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'CronJob', 'ServiceAccount']);
  });

  it('pushes to that URL, with no volume', () => {
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    expect(containerOf(cronJob).args).toContain('--profefe-hostport=http://profefe-collector.profefe:10100');
    expect(containerOf(cronJob).args).toContain('--all-namespaces');
    expect(podSpecOf(cronJob).volumes).toBeUndefined();
    expect(rendered.notes).toContain('pushed to the profefe collector at http://profefe-collector.profefe:10100');
  });
});

describe('where profiles go: values that would lose them, or contradict each other, fail the render', () => {
  it('fails with neither a collector nor an output claim, naming the values to set', () => {
    const render = (): Rendered => renderChart(renderer, { values: { collector: { enabled: false } } });
    expect(render).toThrow(ChartRenderError);
    expect(render).toThrow(
      'nowhere to keep profiles: collector.enabled is false, collector.url is empty and output.existingClaim is empty. ' +
        "Set collector.enabled=true (the chart's profefe collector), collector.url=<URL of an existing profefe collector>, " +
        "output.existingClaim=<an existing PersistentVolumeClaim> to write profiles to output.dir, or pyroscope.url=<Grafana Pyroscope's URL>",
    );
  });

  it('fails on collector.url with the chart collector still enabled', () => {
    expect(() => renderChart(renderer, { values: { collector: { url: 'http://profefe:10100' } } })).toThrow(
      /collector.url is set \(http:\/\/profefe:10100\) while collector.enabled is true: set collector.enabled=false/,
    );
  });

  it('keeps profiles in the collector and on an output claim at once (two sinks), saying so in NOTES', () => {
    const rendered = renderChart(renderer, { values: { output: { dir: '/data/profiles', existingClaim: 'profiles' } } });
    expectValidObjects(rendered);
    const cronJob = cronJobNamed(rendered, 'kube-profefe');
    const args = containerOf(cronJob).args;
    expect(args).toContain(`--profefe-hostport=http://${NAME}.kube-profefe.svc:10100`);
    expect(args).toContain('--output-dir=/data/profiles');
    expect(podSpecOf(cronJob).volumes).toEqual([{ name: 'profiles', persistentVolumeClaim: { claimName: 'profiles' } }]);
    expect(containerOf(cronJob).volumeMounts).toEqual([{ name: 'profiles', mountPath: '/data/profiles' }]);
    expect(rendered.notes).toContain('Each profile is also written to /data/profiles on the PersistentVolumeClaim profiles.');
  });

  it('fails on a namespace list while all namespaces is still on, saying which value to change', () => {
    expect(() => renderChart(renderer, { values: { scrape: { namespaces: ['payments'] } } })).toThrow(
      'scrape.namespaces is set (payments) while scrape.allNamespaces is true (the default): set scrape.allNamespaces=false to scrape only those namespaces',
    );
  });
});

/**
 * The W1 world, all on loopback in the harness process: N fake Go pods on distinct 127.0.x.y
 * addresses (6 profile types each, real profile bytes, every 10th pod serving the 3.8 MB
 * heap-large fixture as its heap), a paginated fake Kubernetes API listing them, and the test
 * collector as the sink (bodies not kept).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeKubeApi, type FakeKubeApi } from '../test/doubles/fake-kube-api.js';
import { startFakePods, type FakePodFleet } from '../test/doubles/fake-pod.js';
import { fixture } from '../test/doubles/fixtures.js';
import { enabled, makePod } from '../test/doubles/make-pod.js';
import { makeTestCa } from '../test/doubles/test-ca.js';
import { startTestCollector, type TestCollector } from '../test/doubles/test-collector.js';

export interface W1World {
  readonly fleet: FakePodFleet;
  readonly api: FakeKubeApi;
  readonly collector: TestCollector;
  readonly kubeconfig: string;
  readonly largeHeapPods: number;
  /** What kprofefe needs to reach these pods (the CA and server name with `https`). */
  readonly kprofefeArgs: readonly string[];
  close(): Promise<void>;
}

const NAMESPACES = 10;
const PODS_PER_DEPLOYMENT = 50;

/** Which pods serve heap-large: spread evenly, `share` of them (every 10th for 0.1). */
export function servesLargeHeap(index: number, share: number): boolean {
  if (share <= 0) return false;
  return Math.floor((index + 1) * share) > Math.floor(index * share);
}

export async function startW1World(pods: number, largeHeapShare: number, options: { https?: boolean } = {}): Promise<W1World> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kprofefe-w1-'));
  const ca = options.https ? await makeTestCa('W1 bench CA') : undefined;
  const tls = ca === undefined ? undefined : await ca.issue('pprof-bench', { dns: ['pprof.bench'] });
  const fleet = await startFakePods(pods, { tls });
  const kprofefeArgs = ca === undefined ? [] : ['--target-ca-file', ca.certFile, '--target-server-name', 'pprof.bench'];
  let largeHeapPods = 0;
  const heapLarge = fixture('heap-large');
  const podObjects = fleet.pods.map((pod, i) => {
    if (servesLargeHeap(i, largeHeapShare)) {
      pod.setProfile('heap', heapLarge);
      largeHeapPods += 1;
    }
    const deployment = `svc-${Math.floor(i / PODS_PER_DEPLOYMENT)}`;
    const hash = '5d8f7c9b4';
    return makePod({
      name: `${deployment}-${hash}-${String(i).padStart(5, '0')}`,
      namespace: `bench-${i % NAMESPACES}`,
      ip: pod.ip,
      labels: { app: deployment, 'pod-template-hash': hash },
      owner: { kind: 'ReplicaSet', name: `${deployment}-${hash}` },
      node: `node-${i % 20}`,
      annotations: enabled({ 'profefe.com/port': String(pod.port), ...(tls === undefined ? {} : { 'profefe.com/scheme': 'https' }) }),
    });
  });
  const api = await startFakeKubeApi({ pods: podObjects });
  const collector = await startTestCollector({ storeBodies: false, logRequests: false });
  const kubeconfig = await api.writeKubeconfig(dir);
  return {
    fleet,
    api,
    collector,
    kubeconfig,
    largeHeapPods,
    kprofefeArgs,
    async close() {
      await Promise.all([fleet.close(), api.close(), collector.close()]);
      await rm(dir, { recursive: true, force: true });
      if (ca !== undefined) await rm(ca.dir, { recursive: true, force: true });
    },
  };
}

export interface PodRequestStats {
  /** Requests the pods received, by endpoint (`profile`, `heap`, ...). */
  byEndpoint: Record<string, number>;
  /** Requests whose connection closed before the answer was complete. */
  closedEarly: number;
  /** When requests reached the pods, ms after `sinceEpochMs`: CPU (`/profile`) and the others. */
  arrivalMs: { cpuFirst?: number; cpuLast?: number; dataFirst?: number; dataLast?: number };
}

export function podRequestStats(fleet: FakePodFleet, sinceEpochMs: number): PodRequestStats {
  const byEndpoint: Record<string, number> = {};
  let closedEarly = 0;
  const cpu = { first: Infinity, last: -Infinity };
  const data = { first: Infinity, last: -Infinity };
  for (const pod of fleet.pods) {
    for (const request of pod.requests) {
      const endpoint = request.path.slice(request.path.lastIndexOf('/') + 1);
      byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
      if (request.closedEarly) closedEarly += 1;
      const t = request.at.getTime() - sinceEpochMs;
      const span = endpoint === 'profile' ? cpu : data;
      span.first = Math.min(span.first, t);
      span.last = Math.max(span.last, t);
    }
  }
  const finite = (n: number) => (Number.isFinite(n) ? n : undefined);
  return {
    byEndpoint,
    closedEarly,
    arrivalMs: { cpuFirst: finite(cpu.first), cpuLast: finite(cpu.last), dataFirst: finite(data.first), dataLast: finite(data.last) },
  };
}

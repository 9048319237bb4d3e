/**
 * Ctrl-C during `kubectl profefe capture`: SIGINT to the process group (as a terminal sends it)
 * while the pod is running its CPU profile. The plugin must close its forwards and listeners,
 * leave no partial or temporary file behind, and exit 130 without waiting for the profile.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { makePod } from '../doubles/make-pod.js';
import { tempDir } from '../cli/run-cli.js';
import { filesUnder, startPluginCluster, waitFor, type PluginCluster } from './capture-cluster.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

let cluster: PluginCluster;
let pod: FakePod;
const CPU_SECONDS = 30;

beforeAll(async () => {
  cluster = await startPluginCluster();
  pod = await startFakePod({ host: '127.0.0.61' });
});
afterEach(() => {
  pod.requests.length = 0;
});
afterAll(async () => {
  await pod.close();
  await cluster.close();
});

async function interruptDuringCpuProfile(profileTypes: string, out: string, storedFirst: number) {
  cluster.api.setPods([makePod({ name: 'api-0', namespace: 'shop', ip: pod.ip })]);
  const run = cluster.spawnKubectl([
    'profefe',
    'capture',
    '--kubeconfig',
    cluster.kubeconfig,
    '-n',
    'shop',
    'api-0',
    '--port',
    String(pod.port),
    '--profile-types',
    profileTypes,
    '--cpu-duration',
    `${CPU_SECONDS}s`,
    '--output-dir',
    out,
  ]);
  await waitFor('the pod to start its CPU profile', () => pod.requests.some((r) => r.path === '/debug/pprof/profile'));
  // Let the other types be stored first (their paths are printed once their files are complete).
  await waitFor(
    'the other profiles to be stored',
    () =>
      run
        .output()
        .stdout.split('\n')
        .filter((l) => l !== '').length === storedFirst,
  );
  const sentAt = Date.now();
  run.signalGroup('SIGINT');
  const result = await run.done;
  return { result, elapsedMs: Date.now() - sentAt, cpu: pod.requests.find((r) => r.path === '/debug/pprof/profile')! };
}

describe('kubectl profefe capture: Ctrl-C', () => {
  it('mid-CPU-profile: exit 130 without waiting for the profile, forwards closed, no file and no temporary file left', async () => {
    const out = await tempDir('capture-out-');
    const { result, elapsedMs, cpu } = await interruptDuringCpuProfile('cpu', out, 0);
    expect(result.code).toBe(130);
    // Not the rest of the 30 s profile.
    expect(elapsedMs).toBeLessThan((CPU_SECONDS * 1000) / 3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('interrupted: 0 profiles stored before the interruption; the rest were cancelled and nothing partial was written\n');
    expect(await filesUnder(out)).toEqual([]);
    // The request inside the pod was torn down with the forward, and no forward is left open at the API server.
    await waitFor('the pod to see its connection close', () => cpu.closedEarly);
    await waitFor('every port-forward session to end', () => cluster.portForward.openSessions() === 0);
  });

  it('profiles finished before Ctrl-C are kept whole; the interrupted one leaves nothing', async () => {
    const out = await tempDir('capture-out-');
    const { result, cpu } = await interruptDuringCpuProfile('cpu,heap,goroutine', out, 2);
    expect(result.code).toBe(130);
    const files = await filesUnder(out);
    expect(files.map((f) => f.split('/').slice(0, 3).join('/')).sort()).toEqual(['shop/api-0/goroutine', 'shop/api-0/heap']);
    expect(files.every((f) => f.endsWith('.pb.gz') && !f.split('/').at(-1)!.startsWith('.'))).toBe(true);
    expect(
      result.stdout
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    ).toEqual(files.map((f) => join(out, f)).sort());
    const heap = files.find((f) => f.includes('/heap/'))!;
    expect(await readFile(join(out, heap))).toEqual(fixture('heap'));
    expect(await goToolPprof(['-top', join(out, heap)])).toMatch(/flat%/);
    expect(result.stderr).toBe('interrupted: 2 profiles stored before the interruption; the rest were cancelled and nothing partial was written\n');
    await waitFor('the pod to see its connection close', () => cpu.closedEarly);
    await waitFor('every port-forward session to end', () => cluster.portForward.openSessions() === 0);
  });
});

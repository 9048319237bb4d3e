/**
 * The whole product against a real Go program: kprofefe lists two instances of a stdlib-only
 * net/http/pprof app through the fake Kubernetes API (one serving under a custom path), scrapes
 * them, stores every profile, and `go tool pprof -top` opens every stored profile.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { goBuild, goToolPprof, startListening, type RunningProgram } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { cleanEnv, runCli, summaryOf, tempDir } from '../cli/run-cli.js';

const APP = fileURLToPath(new URL('./go-pprof-app/main.go', import.meta.url));
const ALL_TYPES = 'cpu,heap,allocs,goroutine,block,mutex,threadcreate';

let api: FakeKubeApi;
let collector: TestCollector;
let apps: RunningProgram[] = [];
let home: string;
let kubeconfig: string;

beforeAll(async () => {
  const binary = await goBuild(APP);
  apps = await Promise.all([
    startListening(binary, ['-listen', '127.0.0.31:0']),
    startListening(binary, ['-listen', '127.0.0.32:0', '-prefix', '/custom/pprof']),
  ]);
  const [plain, custom] = apps.map((a) => a.address.split(':')) as [[string, string], [string, string]];
  api = await startFakeKubeApi({
    pods: [
      makePod({
        name: 'go-app-1',
        namespace: 'prod',
        ip: plain[0],
        annotations: enabled({ 'profefe.com/port': plain[1] }),
        labels: { 'pod-template-hash': 'x1' },
        owner: { kind: 'ReplicaSet', name: 'go-app-x1' },
      }),
      makePod({
        name: 'go-custom-0',
        namespace: 'prod',
        ip: custom[0],
        annotations: enabled({ 'profefe.com/port': custom[1], 'profefe.com/path': '/custom/pprof', 'profefe.com/service': 'custom' }),
      }),
    ],
  });
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
  collector = await startTestCollector();
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await api?.close();
  await collector?.close();
});

describe('kprofefe against a real Go program', () => {
  it('stores every profile type in a directory, and go tool pprof opens each one', async () => {
    const out = await tempDir('kprofefe-go-');
    const result = await runCli(
      'kprofefe.js',
      ['--kubeconfig', kubeconfig, '-n', 'prod', '--profile-types', ALL_TYPES, '--cpu-duration', '1s', '--output-dir', out],
      { env: cleanEnv(home) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ podsSelected: 2, profilesAttempted: 14, profilesStored: 14 });

    const files: string[] = [];
    for (const service of ['go-app', 'custom']) {
      for (const type of ALL_TYPES.split(',')) {
        const dir = join(out, 'prod', service, type);
        const entries = await readdir(dir);
        expect(entries, dir).toHaveLength(1);
        files.push(join(dir, entries[0] as string));
      }
    }
    for (const file of files) {
      const top = await goToolPprof(['-top', file]);
      expect(top, file).toMatch(/Showing nodes accounting for/);
    }
    const cpuTop = await goToolPprof(['-top', files[0] as string]);
    expect(cpuTop).toContain('Type: cpu');
    expect(cpuTop).toMatch(/sha256/);
  });

  it('pushes to the collector; each stored profile, downloaded back, opens in go tool pprof', async () => {
    const result = await runCli(
      'kprofefe.js',
      ['--kubeconfig', kubeconfig, '-n', 'prod', '--profile-types', ALL_TYPES, '--cpu-duration', '1s', '--profefe-hostport', collector.url],
      { env: cleanEnv(home) },
    );
    expect(result.code, result.stderr).toBe(0);
    const stored = collector.profiles();
    expect(stored).toHaveLength(14);
    expect(stored.filter((p) => p.type === 'other').every((p) => p.labels.pprof_type === 'allocs')).toBe(true);
    const dir = await tempDir('collector-dl-');
    for (const item of stored) {
      const response = await fetch(`${collector.url}/api/0/profiles/${item.id}`);
      expect(response.status).toBe(200);
      const file = join(dir, `${item.id}.pb.gz`);
      await writeFile(file, Buffer.from(await response.arrayBuffer()));
      expect(await goToolPprof(['-top', file])).toMatch(/Showing nodes accounting for/);
    }
  });
});

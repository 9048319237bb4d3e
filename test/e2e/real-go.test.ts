/**
 * The whole product against a real Go program: kprofefe lists two instances of a stdlib-only
 * net/http/pprof app through the fake Kubernetes API (one serving under a custom path), scrapes
 * them, stores every profile, and `go tool pprof -top` opens every stored profile. In namespace
 * `old`, two that give no window: one whose WriteTimeout is not above it (400 to `?seconds`), one
 * serving its profiles as Go before 1.16 did (`seconds` ignored).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { goBuild, goToolPprof, pprofDuration, startListening, type RunningProgram } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import type { ProfileType } from '../../src/profile-types.js';
import { PYROSCOPE_PROFILE_NAMES } from '../../src/sink/pyroscope-labels.js';
import { startPyroscopeDouble } from '../doubles/pyroscope-double.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { cleanEnv, runCli, summaryOf, tempDir } from '../cli/run-cli.js';

const APP = fileURLToPath(new URL('./go-pprof-app/main.go', import.meta.url));
const ALL_TYPES = 'cpu,heap,allocs,goroutine,block,mutex,threadcreate';
/**
 * The shortest DurationNanos a 1 s window may carry. Go measures a CPU profile from when its
 * profile-writer goroutine starts (runtime/pprof newProfileBuilder), which on a loaded machine is
 * some milliseconds after the window began: 0.988 s was seen in a full parallel run.
 */
const SHORTEST_WINDOW_S = 0.9;

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
    startListening(binary, ['-listen', '127.0.0.33:0', '-write-timeout', '4s']),
    startListening(binary, ['-listen', '127.0.0.34:0', '-before-go116']),
  ]);
  const [plain, custom, strict, legacy] = apps.map((a) => a.address.split(':')) as [[string, string], [string, string], [string, string], [string, string]];
  const oldTypes = { 'profefe.com/profile-types': 'allocs,block,mutex,heap' };
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
      makePod({ name: 'strict-0', namespace: 'old', ip: strict[0], annotations: enabled({ 'profefe.com/port': strict[1], ...oldTypes }) }),
      makePod({ name: 'legacy-0', namespace: 'old', ip: legacy[0], annotations: enabled({ 'profefe.com/port': legacy[1], ...oldTypes }) }),
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
    expect(summaryOf(result)).toMatchObject({ podsSelected: 2, profilesAttempted: 14, profilesStored: 14, profilesCumulative: 0 });

    const files: string[] = [];
    const durations: Record<string, number | undefined> = {};
    for (const service of ['go-app', 'custom']) {
      for (const type of ALL_TYPES.split(',')) {
        const dir = join(out, 'prod', service, type);
        const entries = await readdir(dir);
        expect(entries, dir).toHaveLength(1);
        files.push(join(dir, entries[0] as string));
      }
    }
    for (const [index, file] of files.entries()) {
      const top = await goToolPprof(['-top', file]);
      expect(top, file).toMatch(/Showing nodes accounting for/);
      durations[`${index < 7 ? 'go-app' : 'custom'} ${ALL_TYPES.split(',')[index % 7]}`] = pprofDuration(top);
    }
    // The window profiles cover the 1 s window (Go's DurationNanos, as go tool pprof reads it); the snapshots have no duration.
    for (const service of ['go-app', 'custom']) {
      for (const type of ['cpu', 'allocs', 'block', 'mutex']) {
        expect(durations[`${service} ${type}`], `${service} ${type}`).toBeGreaterThanOrEqual(SHORTEST_WINDOW_S);
        expect(durations[`${service} ${type}`], `${service} ${type}`).toBeLessThan(2);
      }
      for (const type of ['heap', 'goroutine', 'threadcreate']) expect(durations[`${service} ${type}`], `${service} ${type}`).toBeUndefined();
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

describe('kprofefe against a real Go program, three sinks in one run', () => {
  it('stores each profile, fetched once, in profefe, Pyroscope and a directory; the windows last the window in all three', async () => {
    const pyroscope = await startPyroscopeDouble();
    const out = await tempDir('kprofefe-three-');
    const before = collector.profiles().length;
    try {
      const args = ['--kubeconfig', kubeconfig, '-n', 'prod', '--profile-types', ALL_TYPES, '--cpu-duration', '1s'];
      const sinks = ['--profefe-hostport', collector.url, '--pyroscope-url', pyroscope.url, '--output-dir', out];
      const result = await runCli('kprofefe.js', [...args, ...sinks], { env: cleanEnv(home) });
      expect(result.code, result.stderr).toBe(0);
      expect(summaryOf(result)).toMatchObject({
        profilesAttempted: 14,
        profilesStored: 14,
        profilesFailed: 0,
        sinks: [
          { sink: `profefe ${collector.url}`, stored: 14, failed: 0 },
          { sink: `pyroscope ${pyroscope.url}`, stored: 14, failed: 0 },
          { sink: `directory ${out}`, stored: 14, failed: 0 },
        ],
      });
      const inCollector = collector.profiles().slice(before);
      expect(inCollector).toHaveLength(14);
      expect(pyroscope.profiles).toHaveLength(14);

      // The same bytes everywhere: one fetch per profile, whatever the number of sinks.
      const pushed = new Map(pyroscope.profiles.map((p) => [`${p.labels.pod} ${p.labels.__name__}`, p]));
      for (const pod of ['go-app-1', 'go-custom-0']) {
        const service = pod === 'go-app-1' ? 'go-app' : 'custom';
        for (const type of ALL_TYPES.split(',')) {
          const what = `${pod} ${type}`;
          const dir = join(out, 'prod', service, type);
          const [file] = await readdir(dir);
          const onDisk = await readFile(join(dir, file as string));
          const viaPyroscope = pyroscope.profiles.find((p) => p.labels.pod === pod && p.rawProfile.equals(onDisk));
          expect(viaPyroscope?.labels.__name__, what).toBe(PYROSCOPE_PROFILE_NAMES[type as ProfileType]);
          const stored = inCollector.find((p) => p.labels.pod === pod && (p.type === type || p.labels.pprof_type === type));
          const response = await fetch(`${collector.url}/api/0/profiles/${stored?.id}`);
          expect(Buffer.from(await response.arrayBuffer()).equals(onDisk), what).toBe(true);

          // Window profiles: the window in the bytes (DurationNanos), delta=true in profefe, __delta__="false" in Pyroscope.
          const seconds = Number(viaPyroscope?.profile.durationNanos ?? 0) / 1e9;
          const window = ['cpu', 'allocs', 'block', 'mutex'].includes(type);
          if (window) {
            expect(seconds, what).toBeGreaterThanOrEqual(SHORTEST_WINDOW_S);
            expect(seconds, what).toBeLessThan(2);
          } else expect(seconds, what).toBe(0);
          expect(viaPyroscope?.labels.__delta__, what).toBe(window && type !== 'cpu' ? 'false' : undefined);
          expect(stored?.labels.delta, what).toBe(window && type !== 'cpu' ? 'true' : undefined);
        }
      }
      expect(pushed.size).toBe(12); // allocs and heap share __name__="memory", told apart by pprof_type
    } finally {
      await pyroscope.close();
    }
  });
});

describe('kprofefe against Go programs that give no window', () => {
  it('stores their allocs, block and mutex as cumulative with delta=false, counted in the summary; each opens in go tool pprof', async () => {
    const result = await runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'old', '--cpu-duration', '4s', '--profefe-hostport', collector.url], {
      env: cleanEnv(home),
    });
    // A 4 s window: the program before 1.16 answers well within half of it, even on a loaded machine.
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ podsSelected: 2, profilesAttempted: 8, profilesStored: 8, profilesFailed: 0, profilesCumulative: 6 });

    const said = result.logs.filter((l) => String(l.msg).includes('is cumulative, not a window'));
    expect(said.filter((l) => l.pod === 'strict-0').map((l) => String(l.msg))).toEqual(
      Array(3).fill(expect.stringContaining('HTTP 400 "profile duration exceeds server\'s WriteTimeout"')),
    );
    expect(said.filter((l) => l.pod === 'legacy-0').map((l) => String(l.msg))).toEqual(Array(3).fill(expect.stringContaining('it ignores seconds')));

    const dir = await tempDir('windows-dl-');
    for (const item of collector.profiles().filter((p) => p.labels.namespace === 'old')) {
      const what = `${item.labels.pod} ${item.type}`;
      expect(item.labels.delta, what).toBe(item.type === 'heap' ? undefined : 'false');
      const response = await fetch(`${collector.url}/api/0/profiles/${item.id}`);
      const file = join(dir, `${item.id}.pb.gz`);
      await writeFile(file, Buffer.from(await response.arrayBuffer()));
      const top = await goToolPprof(['-top', file]);
      expect(top, what).toMatch(/Showing nodes accounting for/);
      // Counters since the process started: Go gives them no duration, unlike a window.
      expect(pprofDuration(top), what).toBeUndefined();
    }
  });
});

/**
 * `kubectl profefe get|merge|top --profiles-dir DIR` through the real kubectl, on directories the
 * scraper wrote: kprofefe --output-dir against a fake pod (fake Kubernetes API) once, and the
 * real DirectorySink for the rest. No collector, no cluster: a clean environment without
 * kubeconfig or PROFEFE_HOSTPORT. Merged numbers are those of go tool pprof on the same files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from '../cli/run-cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { goPprofTop, parsePprofTop } from '../pprof/go-pprof.js';
import { goMergedTopLines, pprofTopLines } from '../source/go-reference.js';
import { writeProfiles, type StoredFile } from '../source/sink-written-dir.js';
import { kubectlProfefe } from './plugin-harness.js';

const RANGE = ['--from', '2026-03-01T09:00:00Z', '--to', '2026-03-01T13:00:00Z'];
const cpu = (pod: string, at: string, profile: StoredFile['profile'] = 'cpu'): StoredFile => ({
  namespace: 'shop',
  service: 'api',
  pod,
  type: 'cpu',
  at,
  profile,
});

describe('--profiles-dir on what kprofefe --output-dir wrote', () => {
  let api: FakeKubeApi;
  let pod: FakePod;
  let dir: string;
  beforeAll(async () => {
    api = await startFakeKubeApi();
    pod = await startFakePod({ host: '127.0.0.91' });
    api.setPods([
      makePod({
        name: 'api-7d9f8c-x2x4z',
        namespace: 'shop',
        ip: pod.ip,
        annotations: enabled({ 'profefe.com/port': String(pod.port), 'profefe.com/service': 'api' }),
      }),
    ]);
    const home = await tempDir();
    dir = join(home, 'profiles');
    const args = [
      '--kubeconfig',
      await api.writeKubeconfig(home),
      '-n',
      'shop',
      '--profile-types',
      'heap,goroutine,allocs',
      '--cpu-duration',
      '1s',
      '--output-dir',
      dir,
    ];
    const run = await runCli('kprofefe.js', args, { env: cleanEnv(home) });
    expect(run.code, run.stderr).toBe(0);
  });
  afterAll(async () => {
    await pod?.close();
    await api?.close();
  });

  it('get services and get profiles list them as the collector would: allocs as other + pprof_type=allocs, labels namespace and pod', async () => {
    const services = await kubectlProfefe(['get', 'services', '--profiles-dir', dir]);
    expect(services.code, services.stderr).toBe(0);
    expect(services.stdout).toBe('SERVICE\napi\n');
    const listed = await kubectlProfefe(['get', 'profiles', '--service', 'api', '--from', '1h', '--profiles-dir', dir, '-o', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const items = JSON.parse(listed.stdout) as Array<{ id: string; type: string; labels: Array<{ key: string; value: string }> }>;
    expect(items.map((p) => p.type).sort()).toEqual(['goroutine', 'heap', 'other']);
    for (const item of items) expect(item.id).toMatch(/^shop\/api\/(heap|goroutine|allocs)\/api-7d9f8c-x2x4z-\d{8}T\d{6}\.\d{3}Z\.pb\.gz$/);
    const allocs = items.find((p) => p.type === 'other');
    expect(allocs?.labels).toEqual([
      { key: 'namespace', value: 'shop' },
      { key: 'pod', value: 'api-7d9f8c-x2x4z' },
      { key: 'pprof_type', value: 'allocs' },
    ]);
    const wide = await kubectlProfefe(['get', 'profiles', '--service', 'api', '--type', 'allocs', '--from', '1h', '--profiles-dir', dir, '-o', 'wide']);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout.split('\n')[1]).toMatch(/^shop\/api\/allocs\/\S+\s+other\s+api\s+\S+Z\s+namespace=shop,pod=api-7d9f8c-x2x4z,pprof_type=allocs$/);
  });

  it('top --service --type heap: the report go tool pprof -top gives for the stored file', async () => {
    const [file] = readdirSync(join(dir, 'shop', 'api', 'heap'));
    const [ours, pprof] = await Promise.all([
      kubectlProfefe(['top', '--service', 'api', '--type', 'heap', '--from', '1h', '--profiles-dir', dir]),
      goPprofTop(join(dir, 'shop', 'api', 'heap', file ?? '')),
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(parsePprofTop(ours.stdout).rows).toEqual(pprof.rows);
    expect(pprof.rows.length).toBeGreaterThan(0);
    const bytes = await kubectlProfefe(['merge', '--service', 'api', '--type', 'allocs', '--from', '1h', '--profiles-dir', dir, '-O', '-']);
    expect(bytes.code, bytes.stderr).toBe(0);
    expect(bytes.stdoutBytes.equals(fixture('allocs'))).toBe(true); // one profile: the stored bytes
  });
});

describe('--profiles-dir on directories the DirectorySink wrote', () => {
  it('merge: named after service, type and range; the numbers of go tool pprof -proto merging the same files', async () => {
    const { dir, written } = await writeProfiles([
      cpu('api-1', '2026-03-01T10:00:00.000Z'),
      cpu('api-2', '2026-03-01T11:00:00.000Z', 'cpu-large'),
      { namespace: 'web', service: 'api', pod: 'api-9', type: 'cpu', at: '2026-03-01T12:00:00.000Z' },
      cpu('api-1', '2026-03-01T08:00:00.000Z'), // before --from
      { namespace: 'shop', service: 'db', pod: 'db-1', type: 'cpu', at: '2026-03-01T10:00:00.000Z' }, // another service
    ]);
    const cwd = await tempDir('profiles-dir-merge-');
    const result = await kubectlProfefe(['merge', '--service', 'api', '--type', 'cpu', ...RANGE, '--profiles-dir', dir], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const file = 'api-cpu-20260301T090000Z-20260301T130000Z.pb.gz';
    expect(result.stdout).toBe(`${file}\n`);
    const ours = await pprofTopLines(join(cwd, file));
    expect(ours).toEqual(await goMergedTopLines(written.slice(0, 3).map((w) => w.path)));

    const namespaced = await kubectlProfefe([
      'merge',
      '--service',
      'api',
      '--type',
      'cpu',
      ...RANGE,
      '--labels',
      'namespace=web',
      '--profiles-dir',
      dir,
      '-O',
      '-',
    ]);
    expect(namespaced.code, namespaced.stderr).toBe(0);
    expect(namespaced.stdoutBytes.equals(written[2]?.bytes ?? Buffer.alloc(0))).toBe(true);
  });

  it('top --service: the numbers of go tool pprof -top on go tool pprof -proto of the same files; a relative --profiles-dir is read from the current directory', async () => {
    const { dir, written } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z'), cpu('api-2', '2026-03-01T11:00:00.000Z', 'cpu-large')]);
    const result = await kubectlProfefe(['top', '--service', 'api', '--type', 'cpu', ...RANGE, '--profiles-dir', '.'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const reference = await goMergedTopLines(written.map((w) => w.path));
    const pprof = parsePprofTop(reference.join('\n'));
    expect(parsePprofTop(result.stdout).rows).toEqual(pprof.rows);
    expect(pprof.rows.length).toBeGreaterThan(0);
  });

  it('an empty range: "No profiles found." on stderr, exit 0, for get profiles, merge and top; an empty directory has no services', async () => {
    const { dir } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z')]);
    const cwd = await tempDir('profiles-dir-empty-');
    const late = ['--service', 'api', '--from', '2026-03-02T00:00:00Z', '--to', '2026-03-02T01:00:00Z', '--profiles-dir', dir];
    for (const args of [
      ['get', 'profiles', ...late],
      ['merge', '--type', 'cpu', ...late],
      ['top', '--type', 'cpu', ...late],
    ]) {
      const result = await kubectlProfefe(args, { cwd });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toContain('No profiles found. (service api');
    }
    expect(readdirSync(cwd)).toEqual([]);
    const empty = await tempDir('profiles-dir-none-');
    const services = await kubectlProfefe(['get', 'services', '--profiles-dir', empty]);
    expect([services.code, services.stdout, services.stderr]).toEqual([0, '', `No services found in directory ${empty}.\n`]);
  });

  it('a corrupt file among good ones: skipped with its path on stderr, the rest merged, exit 0 (as a profile deleted from the collector is)', async () => {
    const { dir, written } = await writeProfiles([
      cpu('api-1', '2026-03-01T10:00:00.000Z'),
      cpu('api-2', '2026-03-01T10:30:00.000Z', fixture('cpu').subarray(0, 300)),
      cpu('api-3', '2026-03-01T11:00:00.000Z', 'cpu-large'),
    ]);
    const cwd = await tempDir('profiles-dir-corrupt-');
    const result = await kubectlProfefe(['merge', '--service', 'api', '--type', 'cpu', ...RANGE, '--profiles-dir', dir, '-O', 'm.pb.gz'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const bad = written[1]?.id ?? '';
    expect(result.stderr.startsWith(`merged 2 of 3 profiles; 1 skipped: ${bad}: ${bad} `)).toBe(true);
    expect(result.stderr.split('\n')).toHaveLength(2);
    const ours = await pprofTopLines(join(cwd, 'm.pb.gz'));
    expect(ours).toEqual(await goMergedTopLines([written[0]?.path ?? '', written[2]?.path ?? '']));
  });

  it('a missing directory: an error naming it, exit 2, nothing written', async () => {
    const parent = await tempDir('profiles-dir-missing-');
    const cwd = await tempDir('profiles-dir-cwd-');
    for (const args of [
      ['get', 'services'],
      ['get', 'profiles', '--service', 'api'],
      ['merge', '--service', 'api', '--type', 'cpu'],
      ['top', '--service', 'api', '--type', 'cpu'],
    ]) {
      const result = await kubectlProfefe([...args, '--profiles-dir', 'nope'], { cwd: parent });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toBe(
        `error: --profiles-dir nope: profiles directory ${join(parent, 'nope')} does not exist: give the directory kprofefe --output-dir (or capture) wrote\n`,
      );
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('usage errors, exit 2: --profiles-dir with a collector flag, with --server-merge, with top FILE', async () => {
    const { dir } = await writeProfiles([cpu('api-1', '2026-03-01T10:00:00.000Z')]);
    const cases: Array<[string[], string]> = [
      [
        ['get', 'profiles', '--service', 'api', '--profefe-hostport', 'http://127.0.0.1:1'],
        'give --profiles-dir (a directory) or --profefe-hostport (the collector), not both',
      ],
      [
        ['merge', '--service', 'api', '--type', 'cpu', '--collector', 'kube-profefe/collector'],
        'give --profiles-dir (a directory) or --collector (the collector), not both',
      ],
      [['merge', '--service', 'api', '--type', 'cpu', '--server-merge'], '--server-merge asks the collector to merge: it does not apply to --profiles-dir'],
      [['top', 'shop/api/cpu/x.pb.gz'], '--profiles-dir is for --service and --type: give "shop/api/cpu/x.pb.gz" as a file path instead'],
    ];
    for (const [args, message] of cases) {
      const result = await kubectlProfefe([...args, '--profiles-dir', dir]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: ${message}`);
    }
  });
});

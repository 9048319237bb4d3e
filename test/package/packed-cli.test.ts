import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/discover/shard.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { readImageRuntime } from './image-runtime.js';
import { npm, packFromDockerContext, removeScratchDirs, REPO, scratchDir } from './pack.js';

const execFileP = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
/** Packages only development needs (typescript, vitest, kubernetes-models, ...), per package-lock.json. */
const DEV_ONLY = Object.entries(lock.packages)
  .filter(([path, entry]) => entry.dev === true && path.lastIndexOf('node_modules/') === 0)
  .map(([path]) => path.slice('node_modules/'.length));

function installedPackages(dir: string): Set<string> {
  const root = join(dir, 'node_modules');
  return new Set(readdirSync(root).flatMap((n) => (n.startsWith('@') ? readdirSync(join(root, n)).map((s) => `${n}/${s}`) : [n])));
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with only PATH and a scratch HOME: no KUBECONFIG, no ~/.kube, no PROFEFE_HOSTPORT. */
async function runIsolated(file: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  const home = await scratchDir('kube-profefe-home-');
  try {
    const { stdout, stderr } = await execFileP(file, args, { env: { PATH: process.env.PATH, HOME: home, ...env }, cwd: home, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const SHOP_PODS = Array.from({ length: 12 }, (_, i) => makePod({ name: `shop-api-${i}`, namespace: 'shop', annotations: enabled(), ip: '127.0.0.1' }));
const OTHER_PODS = [
  makePod({ name: 'shop-batch', namespace: 'shop', ip: '127.0.0.1' }), // not enabled
  makePod({ name: 'billing-api', namespace: 'billing', annotations: enabled(), ip: '127.0.0.1' }), // another namespace
];

/** The POD column of a --dry-run table. */
function podsListed(stdout: string): string[] {
  const [header, ...rows] = stdout.trim().split('\n');
  expect(header).toMatch(/^NAMESPACE\s+POD\s+TYPE/);
  return rows.map((row) => row.trim().split(/\s+/)[1] as string);
}

let tarball: string;
let api: FakeKubeApi;
let kubeconfig: string;

beforeAll(async () => {
  tarball = await packFromDockerContext();
  api = await startFakeKubeApi({ pods: [...SHOP_PODS, ...OTHER_PODS] });
  kubeconfig = await api.writeKubeconfig(await scratchDir('kube-profefe-kubeconfig-'));
}, 180_000);

afterAll(async () => {
  await api?.close();
  removeScratchDirs();
});

describe('the packed npm package', () => {
  it('holds bin/, dist/ built by prepare, README and package.json only', async () => {
    const { stdout } = await execFileP('tar', ['-tzf', tarball]);
    const entries = stdout.trim().split('\n');
    expect(entries).toContain('package/bin/kprofefe.js');
    expect(entries).toContain('package/dist/cli/kprofefe.js');
    expect(entries).toContain('package/dist/discover/shard.js');
    const topLevel = new Set(entries.map((e) => e.split('/')[1]));
    for (const name of topLevel) expect(['bin', 'dist', 'README.md', 'package.json', 'LICENSE']).toContain(name);
    expect(entries.some((e) => e.endsWith('.ts') && !e.endsWith('.d.ts'))).toBe(false);
  });

  describe('installed with `npm install --omit=dev <tarball>` into an empty directory', () => {
    let bin: string;
    let dir: string;
    beforeAll(async () => {
      dir = await scratchDir('kube-profefe-install-');
      await npm(['install', '--omit=dev', tarball], dir);
      bin = join(dir, 'node_modules', '.bin', 'kprofefe');
    }, 180_000);

    it('has the production dependencies and none of the development ones', () => {
      const installed = installedPackages(dir);
      for (const name of Object.keys(pkg.dependencies)) expect(installed.has(name), name).toBe(true);
      expect(DEV_ONLY).toContain('typescript');
      expect(DEV_ONLY.filter((name) => installed.has(name))).toEqual([]);
    });

    it('kprofefe --version prints the package version', async () => {
      const result = await runIsolated(bin, ['--version']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(pkg.version);
    });

    it('kprofefe --dry-run lists the enabled pods of the namespace from the Kubernetes API', async () => {
      const result = await runIsolated(bin, ['--kubeconfig', kubeconfig, '-n', 'shop', '--dry-run', '--profile-types', 'heap']);
      expect(result.code, result.stderr).toBe(0);
      expect(podsListed(result.stdout).sort()).toEqual(SHOP_PODS.map((p) => p.metadata?.name).sort());
      expect(api.requests.some((r) => r.path === '/api/v1/namespaces/shop/pods' && r.status === 200)).toBe(true);
    });

    it('splits the pods between the shards of an Indexed Job (index from JOB_COMPLETION_INDEX)', async () => {
      const seen = new Map<string, number>();
      for (const index of [0, 1, 2]) {
        const result = await runIsolated(bin, ['--kubeconfig', kubeconfig, '-n', 'shop', '--dry-run', '--profile-types', 'heap', '--shard-count', '3'], {
          JOB_COMPLETION_INDEX: String(index),
        });
        expect(result.code, result.stderr).toBe(0);
        for (const name of podsListed(result.stdout)) {
          expect(seen.has(name), `${name} listed by shards ${seen.get(name)} and ${index}`).toBe(false);
          seen.set(name, index);
        }
      }
      expect([...seen.keys()].sort()).toEqual(SHOP_PODS.map((p) => p.metadata?.name).sort());
      for (const pod of SHOP_PODS) expect(seen.get(pod.metadata?.name as string)).toBe(shardOf(pod.metadata?.uid as string, 3));
    });
  });

  describe('installed as the Dockerfile does (tarball files + locked production dependencies)', () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

    it('runs `node [options] /app/bin/kprofefe.js` as the non-root numeric user, exec form, on a Node 20 base', () => {
      expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
      expect(dockerfile).toMatch(/RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs20-debian12:nonroot/);
      expect(dockerfile).toMatch(/^USER 65532:65532$/m);
      expect(dockerfile).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", ("--[a-z-]+=\w+", )*"\/app\/bin\/kprofefe\.js"\]$/m);
      // What the benchmark reads to run kprofefe as the image does (BENCHMARKS.md).
      expect(readImageRuntime(dockerfile)).toEqual({
        env: { NODE_ENV: 'production', MALLOC_ARENA_MAX: '2' },
        nodeOptions: ['--max-semi-space-size=4', '--heap-growing-percent=50'],
      });
      expect(dockerfile).toMatch(/npm ci --omit=dev/);
    });

    it('kprofefe runs from the unpacked tarball with `npm ci --omit=dev` against package-lock.json', async () => {
      const app = await scratchDir('kube-profefe-app-');
      await execFileP('tar', ['-xzf', tarball, '--strip-components=1', '-C', app]);
      cpSync(join(REPO, 'package-lock.json'), join(app, 'package-lock.json'));
      await npm(['ci', '--omit=dev', '--ignore-scripts'], app);
      const installed = installedPackages(app);
      for (const name of Object.keys(pkg.dependencies)) expect(installed.has(name), name).toBe(true);
      expect(DEV_ONLY.filter((name) => installed.has(name))).toEqual([]);
      // With the image's environment and node options: node must accept every one of them.
      const { env, nodeOptions } = readImageRuntime(dockerfile);
      const kprofefe = [...nodeOptions, join(app, 'bin', 'kprofefe.js')];
      const version = await runIsolated(process.execPath, [...kprofefe, '--version'], { ...env });
      expect(version.stderr).toBe('');
      expect(version.stdout.trim()).toBe(pkg.version);
      const dryRun = await runIsolated(process.execPath, [...kprofefe, '--kubeconfig', kubeconfig, '-A', '--dry-run', '--profile-types', 'cpu'], { ...env });
      expect(dryRun.code, dryRun.stderr).toBe(0);
      expect(podsListed(dryRun.stdout).sort()).toEqual([...SHOP_PODS.map((p) => p.metadata?.name), 'billing-api'].sort());
    }, 180_000);
  });
});

/**
 * Shell completion through the real kubectl: `kubectl __complete profefe ...` is what bash, zsh and
 * fish run; kubectl finds `kubectl_complete-profefe` on PATH and relays its cobra-style answer.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFakeKubeconfig } from '../doubles/fake-kube-api/kubeconfig-file.js';
import { makePod } from '../doubles/make-pod.js';
import { BIN_DIR } from '../cli/run-cli.js';
import { startPluginCluster, type PluginCluster } from './capture-cluster.js';

let cluster: PluginCluster;

interface Completion {
  /** Candidate values (descriptions dropped). */
  values: string[];
  /** Candidate → description. */
  descriptions: Map<string, string>;
  directive: number;
}

/** `kubectl __complete profefe WORDS...`, parsed as the shell scripts parse it. */
async function completeWith(words: string[], env: Record<string, string> = {}): Promise<Completion> {
  const result = await cluster.kubectl(['__complete', 'profefe', ...words], { env });
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  const last = lines.pop() ?? '';
  expect(last).toMatch(/^:\d+$/);
  const descriptions = new Map<string, string>();
  for (const line of lines) {
    const [value, description] = line.split('\t');
    descriptions.set(value ?? '', description ?? '');
  }
  return { values: [...descriptions.keys()], descriptions, directive: Number(last.slice(1)) };
}

const NO_FILE_COMP = 4;
const NO_SPACE = 2;
const FILTER_DIRS = 16;
const ERROR = 1;

beforeAll(async () => {
  cluster = await startPluginCluster();
  cluster.api.setPods([
    makePod({ name: 'checkout-7d9f8c-x2x4z', namespace: 'shop' }),
    makePod({ name: 'cart-0', namespace: 'shop' }),
    makePod({ name: 'cart-1', namespace: 'shop' }),
    makePod({ name: 'migrate-1', namespace: 'shop', phase: 'Succeeded' }),
    makePod({ name: 'coredns-0', namespace: 'kube-system' }),
    makePod({ name: 'web-0', namespace: 'default' }),
  ]);
});
beforeEach(() => {
  cluster.api.requests.length = 0;
});
afterAll(async () => {
  await cluster.close();
});

describe('kubectl __complete profefe', () => {
  it('completes the plugin commands, with their descriptions, and no file names', async () => {
    const all = await completeWith(['']);
    expect(all.values).toEqual(expect.arrayContaining(['capture', 'get', 'merge', 'load', 'top']));
    expect(all.descriptions.get('capture')).toMatch(/^Capture Go pprof profiles from pods/);
    expect(all.directive).toBe(NO_FILE_COMP);
    const cap = await completeWith(['cap']);
    expect(cap.values).toEqual(['capture']);
    const get = await completeWith(['get', 'pro']);
    expect(get.values.sort()).toEqual(['profile', 'profile-types', 'profiles']);
  });

  it('completes the flags of the command being typed, the kubectl flags included', async () => {
    const flags = await completeWith(['capture', '--']);
    expect(flags.values).toEqual(
      expect.arrayContaining([
        '--port',
        '--path',
        '--profile-types',
        '--cpu-duration',
        '--concurrency',
        '--output-dir',
        '--profefe-hostport',
        '--kubeconfig',
        '--namespace',
        '--help',
      ]),
    );
    expect(flags.values).not.toContain('--version');
    expect(flags.descriptions.get('--cpu-duration')).toBe('the window of the cpu, allocs, block and mutex profiles, taken together per pod');
    expect(flags.directive).toBe(NO_FILE_COMP);
    // A flag already given is not offered again.
    const again = await completeWith(['capture', '--port', '8080', '--po']);
    expect(again.values).toEqual([]);
    const short = await completeWith(['capture', '-']);
    expect(short.values).toEqual(expect.arrayContaining(['-n', '-A', '-l', '-h']));
  });

  it('completes namespaces after -n from the API (GET /api/v1/namespaces), with the kubeconfig typed on the line', async () => {
    const namespaces = await completeWith(['capture', '--kubeconfig', cluster.kubeconfig, '-n', '']);
    expect(namespaces.values).toEqual(['default', 'kube-system', 'shop']);
    expect(namespaces.directive).toBe(NO_FILE_COMP);
    expect(cluster.api.requests.map((r) => r.path)).toContain('/api/v1/namespaces');
    const typed = await completeWith(['capture', '--kubeconfig', cluster.kubeconfig, '--namespace=k']);
    expect(typed.values).toEqual(['kube-system']);
  });

  it('completes the Running pods of the chosen namespace for capture, leaving out pods already named', async () => {
    const pods = await completeWith(['capture', '--kubeconfig', cluster.kubeconfig, '-n', 'shop', '']);
    expect(pods.values).toEqual(['cart-0', 'cart-1', 'checkout-7d9f8c-x2x4z']);
    expect(pods.directive).toBe(NO_FILE_COMP);
    const list = cluster.api.requests.find((r) => r.path === '/api/v1/namespaces/shop/pods');
    expect(list?.query.fieldSelector).toBe('status.phase=Running');
    const more = await completeWith(['capture', '--kubeconfig', cluster.kubeconfig, '-n', 'shop', 'cart-0', 'ca']);
    expect(more.values).toEqual(['cart-1']);
  });

  it('reads KUBECONFIG and the context namespace when no flag is typed', async () => {
    const pods = await completeWith(['capture', ''], { KUBECONFIG: cluster.kubeconfig });
    expect(pods.values).toEqual(['web-0']);
    const contexts = await completeWith(['capture', '--context', ''], { KUBECONFIG: cluster.kubeconfig });
    expect(contexts.values).toEqual(['fake']);
  });

  it('completes flag values: a comma list of profile types, directories for --output-dir', async () => {
    const types = await completeWith(['capture', '--profile-types', 'cpu,h']);
    expect(types.values).toEqual(['cpu,heap']);
    expect(types.directive).toBe(NO_FILE_COMP | NO_SPACE);
    const next = await completeWith(['capture', '--profile-types', 'cpu,heap,']);
    expect(next.values).toEqual(['allocs', 'goroutine', 'block', 'mutex', 'threadcreate'].map((t) => `cpu,heap,${t}`));
    const dirs = await completeWith(['capture', '--output-dir', '']);
    expect(dirs).toMatchObject({ values: [], directive: FILTER_DIRS });
  });

  it('offers the --target-* flags of capture, and leaves the CA and token files to the shell', async () => {
    const flags = await completeWith(['capture', '--target-']);
    expect(flags.values.sort()).toEqual([
      '--target-bearer-token-file',
      '--target-ca-file',
      '--target-insecure-skip-verify',
      '--target-scheme',
      '--target-server-name',
    ]);
    for (const flag of ['--target-ca-file', '--target-bearer-token-file']) {
      expect(await completeWith(['capture', flag, ''])).toMatchObject({ values: [], directive: 0 });
    }
  });

  it('an API that cannot be reached, or no kubeconfig: nothing completed, nothing printed into the prompt', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await writeFakeKubeconfig(cluster.home, { url: `http://127.0.0.1:${port}`, token: 't', fileName: 'unreachable.yaml' });
    for (const kubeconfig of [unreachable, join(cluster.home, 'missing.yaml')]) {
      // The executable kubectl runs, called the way kubectl calls it.
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(join(BIN_DIR, 'kubectl_complete-profefe'), ['capture', '-n', ''], { env: cluster.env({ KUBECONFIG: kubeconfig }) });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
      });
      expect(code).toBe(0);
      expect(stdout).toBe(`:${ERROR}\n`);
      expect(stderr).toBe('');
    }
    const viaKubectl = await completeWith(['capture', '--kubeconfig', unreachable, '-n', 'shop', '']);
    expect(viaKubectl).toMatchObject({ values: [], directive: ERROR });
  });
});

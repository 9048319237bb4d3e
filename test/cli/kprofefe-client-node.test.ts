import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeExecCredentialPlugin } from '../doubles/exec-credential-plugin.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { cleanEnv, runCli, tempDir } from './run-cli.js';

// kprofefe must not load @kubernetes/client-node (~80 MiB) for a kubeconfig it serves natively.
// The CLI runs as a subprocess with a preload that records every module URL the ESM loader
// resolves (test/doubles/record-imports.mjs); client-node is ESM, so any import of it shows up.
const RECORD_IMPORTS = fileURLToPath(new URL('../doubles/record-imports.mjs', import.meta.url));
const CLIENT_NODE = '/node_modules/@kubernetes/client-node/';

let api: FakeKubeApi;
let home: string;

beforeAll(async () => {
  api = await startFakeKubeApi({ pods: [makePod({ name: 'web', namespace: 'shop', annotations: enabled() })] });
  home = await tempDir();
});
afterAll(async () => {
  await api.close();
});

/** Runs `kprofefe --dry-run -n shop` with `user` and returns its result and the modules it loaded. */
async function dryRun(name: string, user: Record<string, unknown>) {
  const kubeconfig = join(home, `${name}.kubeconfig`);
  await writeFile(
    kubeconfig,
    stringify({
      clusters: [{ name: 'fake', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: name } }],
      'current-context': 'fake',
    }),
  );
  const record = join(home, `${name}.imports`);
  await writeFile(record, '');
  const result = await runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'shop', '--dry-run', '--profile-types', 'heap'], {
    env: cleanEnv(home, { NODE_OPTIONS: `--import=${RECORD_IMPORTS}`, RECORD_IMPORTS: record }),
  });
  const modules = (await readFile(record, 'utf8')).split('\n').filter((l) => l !== '');
  return { result, modules };
}

describe('kprofefe and @kubernetes/client-node', () => {
  it('a token user: pods are listed and client-node is never loaded', async () => {
    const { result, modules } = await dryRun('token', { token: api.token });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^shop\s+web\s+heap\s/m);
    // The recording works: the modules kprofefe needs are in it.
    expect(modules.some((m) => m.endsWith('/dist/kube/list-pods.js'))).toBe(true);
    expect(modules.some((m) => m.includes('/node_modules/undici/'))).toBe(true);
    expect(modules.filter((m) => m.includes(CLIENT_NODE) || m.endsWith('/dist/kube/client-node-kubeconfig.js'))).toEqual([]);
  });

  it('an exec credential plugin user: client-node is loaded, and the plugin token lists the pods', async () => {
    const { result, modules } = await dryRun('exec', { exec: await writeExecCredentialPlugin(home, api.token) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^shop\s+web\s+heap\s/m);
    expect(modules.some((m) => m.includes(CLIENT_NODE))).toBe(true);
  });
});

/**
 * kprofefe against HTTPS pods, as a subprocess: fake Kubernetes API → fake pods serving real Go
 * profiles over TLS with certificates from a CA made by openssl for this file. The flags, the
 * profefe.com/scheme annotation, the errors a person sees, and a bearer token that never shows
 * in anything a run prints.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { makeTestCa, type Issued, type TestCa } from '../doubles/test-ca.js';
import { cleanEnv, runCli, summaryOf, tempDir, type CliResult } from './run-cli.js';

const TOKEN = 'kprofefe-tls-secret-7b2e91c4d05a';
const FAST = ['--profile-types', 'heap,goroutine', '--timeout', '3s', '--log-level', 'trace'];

let api: FakeKubeApi;
let home: string;
let kubeconfig: string;
let ca: TestCa;
let ipCert: Issued;
let nameCert: Issued;
let tokenFile: string;
const pods: FakePod[] = [];

async function fakePod(opts: Parameters<typeof startFakePod>[0]): Promise<FakePod> {
  const pod = await startFakePod(opts);
  pods.push(pod);
  return pod;
}

function podFor(name: string, pod: FakePod, annotations: Record<string, string> = {}) {
  return makePod({ name, namespace: 'shop', ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port), ...annotations }) });
}

async function kprofefe(args: string[]): Promise<CliResult & { out: string }> {
  const out = await tempDir('kprofefe-tls-out-');
  const result = await runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', 'shop', '--output-dir', out, ...FAST, ...args], { env: cleanEnv(home) });
  return { ...result, out };
}

async function storedUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const messages = (result: CliResult): string[] => result.logs.map((l) => String(l.msg ?? ''));

beforeAll(async () => {
  ca = await makeTestCa();
  [ipCert, nameCert] = await Promise.all([ca.issue('ip-61', { ips: ['127.0.0.61'] }), ca.issue('pprof', { dns: ['pprof.shop.svc'] })]);
  api = await startFakeKubeApi();
  home = await tempDir();
  kubeconfig = await api.writeKubeconfig(home);
  tokenFile = join(home, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
}, 60_000);
afterEach(async () => {
  api.setPods([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await api?.close();
});

describe('kprofefe: https pods', () => {
  it('scrapes an https pod with --target-ca-file and the token, an http pod without the token, and skips profefe.com/scheme: ftp', async () => {
    const secure = await fakePod({ host: '127.0.0.61', tls: ipCert });
    const plain = await fakePod({ host: '127.0.0.62' });
    api.setPods([
      podFor('secure-0', secure, { 'profefe.com/scheme': 'https' }),
      podFor('plain-0', plain),
      podFor('ftp-0', plain, { 'profefe.com/scheme': 'ftp' }),
    ]);
    const result = await kprofefe(['--target-ca-file', ca.certFile, '--target-bearer-token-file', tokenFile]);

    expect(result.code, result.stderr).toBe(1); // the ftp pod was skipped
    expect(summaryOf(result)).toMatchObject({ podsSelected: 2, podsSkipped: 1, profilesAttempted: 4, profilesStored: 4, profilesFailed: 0 });
    expect(messages(result)).toContain(
      'pod shop/ftp-0 skipped: annotation profefe.com/scheme="ftp": the scheme must be http or https (the host is always the pod IP)',
    );
    expect((await storedUnder(result.out)).map((f) => f.split('/').slice(0, 3).join('/')).sort()).toEqual([
      'shop/plain-0/goroutine',
      'shop/plain-0/heap',
      'shop/secure-0/goroutine',
      'shop/secure-0/heap',
    ]);
    expect(secure.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(plain.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    // The first line says how pods are spoken to: the files, never the token.
    expect(result.logs.find((l) => l.msg === 'run started')?.targets).toEqual({ scheme: 'http', caFile: ca.certFile, bearerTokenFile: tokenFile });
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('fails the profiles of a pod whose CA is unknown: "certificate not trusted; pass --target-ca-file"', async () => {
    const secure = await fakePod({ host: '127.0.0.61', tls: ipCert });
    api.setPods([podFor('secure-0', secure, { 'profefe.com/scheme': 'https' })]);
    const result = await kprofefe(['--target-bearer-token-file', tokenFile]);

    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ profilesAttempted: 2, profilesStored: 0, profilesFailed: 2, failedByReason: { TARGET_TLS: 2 } });
    const failed = result.logs.filter((l) => l.reason === 'TARGET_TLS').map((l) => String(l.msg));
    expect(failed).toHaveLength(2);
    for (const line of failed) expect(line).toContain('certificate not trusted; pass --target-ca-file');
    expect(secure.requests).toHaveLength(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('--target-scheme https scrapes unannotated pods over TLS; --target-server-name checks a certificate for a DNS name', async () => {
    const named = await fakePod({ host: '127.0.0.63', tls: nameCert });
    api.setPods([podFor('named-0', named)]);
    const withoutName = await kprofefe(['--target-scheme', 'https', '--target-ca-file', ca.certFile]);
    expect(withoutName.code).toBe(1);
    expect(withoutName.stderr).toContain('pass --target-server-name');

    const result = await kprofefe(['--target-scheme', 'https', '--target-ca-file', ca.certFile, '--target-server-name', 'pprof.shop.svc']);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 2 });
    expect(named.requests.at(-1)?.headers.host).toBe(`127.0.0.63:${named.port}`);
  });

  it('--target-insecure-skip-verify takes any certificate, and says so once', async () => {
    const named = await fakePod({ host: '127.0.0.63', tls: nameCert });
    api.setPods([podFor('named-0', named, { 'profefe.com/scheme': 'https' })]);
    const result = await kprofefe(['--target-insecure-skip-verify', '--target-bearer-token-file', tokenFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ profilesStored: 2 });
    const warnings = result.logs.filter((l) => String(l.msg).includes('--target-insecure-skip-verify'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toBe(
      '--target-insecure-skip-verify: certificates of HTTPS targets are not verified: anything on the pod network can pose as a pod, and the bearer token goes to whoever answers',
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('the token shows nowhere: trace logs, failed profiles (TLS and HTTP), a dry run, --help', async () => {
    const secure = await fakePod({ host: '127.0.0.61', tls: ipCert });
    const plain = await fakePod({ host: '127.0.0.62', faults: { heap: 'status404' } });
    api.setPods([podFor('secure-0', secure, { 'profefe.com/scheme': 'https' }), podFor('plain-0', plain)]);
    const runs = [
      await kprofefe(['--target-ca-file', ca.certFile, '--target-bearer-token-file', tokenFile]),
      await kprofefe(['--target-bearer-token-file', tokenFile]),
      await kprofefe(['--target-ca-file', ca.certFile, '--target-bearer-token-file', tokenFile, '--dry-run']),
      await kprofefe(['--target-bearer-token-file', tokenFile, '--help']),
    ];
    expect(runs.map((r) => r.code)).toEqual([1, 1, 0, 0]);
    expect(runs[2]?.stdout).toContain(`https://127.0.0.61:${secure.port}/debug/pprof/heap`);
    expect(runs[3]?.stdout).toContain('--target-bearer-token-file <path>');
    for (const run of runs) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
      expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN.slice(0, 16));
    }
  });
});

describe('kprofefe: bad --target-* flags stop before any scrape (exit 2), naming the flag', () => {
  async function usage(args: string[]): Promise<string> {
    const result = await kprofefe(args);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain(TOKEN);
    return result.stderr;
  }

  it('--target-scheme ftp', async () => {
    expect(await usage(['--target-scheme', 'ftp'])).toContain('kprofefe: error: --target-scheme "ftp": expected http or https');
  });

  it('a --target-ca-file that does not exist', async () => {
    expect(await usage(['--target-ca-file', join(home, 'missing.crt')])).toContain(`--target-ca-file ${join(home, 'missing.crt')}: cannot read it (ENOENT)`);
  });

  it('a --target-ca-file without a certificate (the token file by mistake)', async () => {
    expect(await usage(['--target-ca-file', tokenFile])).toContain(`--target-ca-file ${tokenFile}: no PEM certificate in it`);
  });

  it('an empty --target-bearer-token-file', async () => {
    const empty = join(home, 'empty-token');
    await writeFile(empty, '\n');
    expect(await usage(['--target-bearer-token-file', empty])).toContain(`--target-bearer-token-file ${empty}: the file is empty`);
  });

  it('a token file of two lines', async () => {
    const twoLines = join(home, 'two-line-token');
    await writeFile(twoLines, `${TOKEN}\n${TOKEN}\n`);
    expect(await usage(['--target-bearer-token-file', twoLines])).toContain('the token contains whitespace or control characters (its value is not shown)');
  });

  it('--target-insecure-skip-verify with --target-ca-file', async () => {
    expect(await usage(['--target-insecure-skip-verify', '--target-ca-file', ca.certFile])).toContain(
      '--target-insecure-skip-verify checks no certificate: give it, or --target-ca-file / --target-server-name, not both',
    );
  });

  it('an IP address as --target-server-name', async () => {
    expect(await usage(['--target-server-name', '10.0.0.1'])).toContain('--target-server-name "10.0.0.1": give a DNS name');
  });
});

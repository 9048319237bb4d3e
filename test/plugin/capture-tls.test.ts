/**
 * `kubectl profefe capture` of HTTPS pods through the real kubectl and the API server's
 * port-forward: TLS over the forwarded stream, the certificate checked against the pod IP (or
 * --target-server-name) with a CA made by openssl for this file, the token sent to the pod and
 * shown nowhere.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { makeTestCa, type Issued, type TestCa } from '../doubles/test-ca.js';
import { startPluginCluster, type PluginCluster } from './capture-cluster.js';

const TOKEN = 'capture-tls-secret-0d1e2f3a4b5c';
const TYPES = ['--profile-types', 'heap,goroutine', '--timeout', '5s'];

let cluster: PluginCluster;
let ca: TestCa;
let ipCert: Issued;
let nameCert: Issued;
let tokenFile: string;
const pods: FakePod[] = [];

async function httpsPod(host: string, cert: Issued): Promise<FakePod> {
  const pod = await startFakePod({ host, tls: cert });
  pods.push(pod);
  return pod;
}

function annotated(name: string, pod: FakePod, annotations: Record<string, string>) {
  return makePod({ name, namespace: 'shop', ip: pod.ip, annotations: enabled({ 'profefe.com/port': String(pod.port), ...annotations }) });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

beforeAll(async () => {
  cluster = await startPluginCluster();
  ca = await makeTestCa();
  [ipCert, nameCert] = await Promise.all([ca.issue('ip-71', { ips: ['127.0.0.71'] }), ca.issue('pprof', { dns: ['pprof.shop.svc'] })]);
  tokenFile = join(cluster.home, 'pprof-token');
  await writeFile(tokenFile, TOKEN);
}, 60_000);
afterEach(async () => {
  cluster.api.setPods([]);
  await Promise.all(pods.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await cluster?.close();
});

describe('kubectl profefe capture: https pods through port-forward', () => {
  it('captures over TLS checked against the pod IP with --target-ca-file, sending the token', async () => {
    const pod = await httpsPod('127.0.0.71', ipCert);
    cluster.api.setPods([annotated('api-0', pod, { 'profefe.com/scheme': 'https' })]);
    const out = await tempDir('capture-tls-');
    const forwardsBefore = cluster.portForward.requests().length;
    const result = await cluster.capture([
      '-n',
      'shop',
      '--output-dir',
      out,
      ...TYPES,
      '--target-ca-file',
      ca.certFile,
      '--target-bearer-token-file',
      tokenFile,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const saved = lines(result.stdout);
    expect(saved.map((p) => relative(out, p).split('/').slice(0, 3).join('/')).sort()).toEqual(['shop/api-0/goroutine', 'shop/api-0/heap']);
    const heap = saved.find((p) => p.includes('/heap/'))!;
    expect(await readFile(heap)).toEqual(fixture('heap'));
    expect(await goToolPprof(['-top', heap])).toMatch(/Showing nodes accounting for/);
    expect(pod.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(cluster.portForward.requests().length).toBeGreaterThan(forwardsBefore);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('fails a pod whose certificate comes from an unknown CA: "certificate not trusted; pass --target-ca-file"', async () => {
    const pod = await httpsPod('127.0.0.71', ipCert);
    cluster.api.setPods([annotated('api-0', pod, { 'profefe.com/scheme': 'https' })]);
    const out = await tempDir('capture-tls-');
    const result = await cluster.capture(['-n', 'shop', '--output-dir', out, ...TYPES, '--target-bearer-token-file', tokenFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('certificate not trusted; pass --target-ca-file');
    expect(pod.requests).toHaveLength(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('checks a certificate for a DNS name with --target-server-name (--target-scheme https for an unannotated pod)', async () => {
    const pod = await httpsPod('127.0.0.72', nameCert);
    cluster.api.setPods([annotated('named-0', pod, {})]);
    const out = await tempDir('capture-tls-');
    const args = ['-n', 'shop', '--output-dir', out, ...TYPES, '--target-scheme', 'https', '--target-ca-file', ca.certFile];
    const withoutName = await cluster.capture(args);
    expect(withoutName.code).toBe(1);
    expect(withoutName.stderr).toContain('pass --target-server-name');

    const result = await cluster.capture([...args, '--target-server-name', 'pprof.shop.svc']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(2);
  });

  it('--target-insecure-skip-verify captures from any certificate, with one warning', async () => {
    const pod = await httpsPod('127.0.0.72', nameCert);
    cluster.api.setPods([annotated('named-0', pod, { 'profefe.com/scheme': 'https' })]);
    const out = await tempDir('capture-tls-');
    const result = await cluster.capture(['-n', 'shop', '--output-dir', out, ...TYPES, '--target-insecure-skip-verify']);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(2);
    expect(lines(result.stderr)).toEqual([
      'warning: --target-insecure-skip-verify: certificates of HTTPS targets are not verified: anything on the pod network can pose as a pod',
    ]);
  });

  it('skips a pod annotated profefe.com/scheme: ftp, naming the annotation and the value', async () => {
    const pod = await httpsPod('127.0.0.71', ipCert);
    cluster.api.setPods([annotated('api-0', pod, { 'profefe.com/scheme': 'ftp' })]);
    const out = await tempDir('capture-tls-');
    const result = await cluster.capture(['-n', 'shop', 'api-0', '--output-dir', out, ...TYPES]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: pod shop/api-0: skipped: profefe.com/scheme="ftp": the scheme must be http or https (the host is always the pod IP)',
    );
    expect(pod.requests).toHaveLength(0);
  });

  it('refuses a bad --target-* flag before capturing anything (exit 2), naming it', async () => {
    const forwardsBefore = cluster.portForward.requests().length;
    const scheme = await cluster.capture(['-n', 'shop', 'api-0', '--target-scheme', 'ftp']);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('--target-scheme "ftp": expected http or https');
    const missing = await cluster.capture(['-n', 'shop', 'api-0', '--target-bearer-token-file', 'no-such-token']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--target-bearer-token-file ${join(cluster.home, 'no-such-token')}: cannot read it (ENOENT)`);
    expect(cluster.portForward.requests()).toHaveLength(forwardsBefore);
  });

  it('an https pod port where nothing listens: the forward says why, through the TLS socket', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.73', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    cluster.api.setPods([
      makePod({
        name: 'silent-0',
        namespace: 'shop',
        ip: '127.0.0.73',
        annotations: enabled({ 'profefe.com/port': String(closedPort), 'profefe.com/scheme': 'https' }),
      }),
    ]);
    const result = await cluster.capture(['-n', 'shop', '--output-dir', await tempDir('capture-tls-'), ...TYPES, '--target-ca-file', ca.certFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`nothing listens on port ${closedPort} in pod shop/silent-0`);
  });
});

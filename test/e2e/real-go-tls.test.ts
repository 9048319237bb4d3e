/**
 * kprofefe against the real Go program serving net/http/pprof over HTTPS (http.ServeTLS) behind a
 * bearer token, with a certificate from a CA made by openssl for this file: every profile type
 * stored and opened by `go tool pprof`; and what Go itself answers when the scheme, the CA or the
 * token is wrong, explained.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, summaryOf, tempDir } from '../cli/run-cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { goBuild, goToolPprof, startListening, type RunningProgram } from '../doubles/go-tools.js';
import { enabled, makePod } from '../doubles/make-pod.js';
import { makeTestCa, type TestCa } from '../doubles/test-ca.js';

const APP = fileURLToPath(new URL('./go-pprof-app/main.go', import.meta.url));
const ALL_TYPES = 'cpu,heap,allocs,goroutine,block,mutex,threadcreate';
const TOKEN = 'real-go-tls-token-5e6f7a8b9c0d';
const IP = '127.0.0.34';

let api: FakeKubeApi;
let app: RunningProgram;
let ca: TestCa;
let home: string;
let kubeconfig: string;
let tokenFile: string;
let port: string;

beforeAll(async () => {
  ca = await makeTestCa();
  const cert = await ca.issue('go-app', { ips: [IP] });
  home = await tempDir();
  tokenFile = join(home, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const binary = await goBuild(APP);
  app = await startListening(binary, ['-listen', `${IP}:0`, '-tls-cert', cert.certFile, '-tls-key', cert.keyFile, '-bearer-token-file', tokenFile]);
  port = app.address.split(':')[1] as string;
  api = await startFakeKubeApi({
    pods: [
      makePod({
        name: 'go-tls-0',
        namespace: 'secure',
        ip: IP,
        annotations: enabled({ 'profefe.com/port': port, 'profefe.com/scheme': 'https', 'profefe.com/service': 'go-tls' }),
      }),
      // The same program, annotated as if it spoke plain HTTP.
      makePod({ name: 'go-tls-0', namespace: 'unannotated', ip: IP, annotations: enabled({ 'profefe.com/port': port }) }),
    ],
  });
  kubeconfig = await api.writeKubeconfig(home);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await api?.close();
});

function kprofefe(args: string[], namespace = 'secure') {
  return runCli('kprofefe.js', ['--kubeconfig', kubeconfig, '-n', namespace, '--cpu-duration', '1s', '--log-level', 'debug', ...args], { env: cleanEnv(home) });
}

describe('kprofefe against a real Go program serving pprof over HTTPS with a bearer token', () => {
  it('stores every profile type with --target-ca-file and --target-bearer-token-file; go tool pprof opens each; the token shows nowhere', async () => {
    const out = await tempDir('kprofefe-go-tls-');
    const result = await kprofefe([
      '--profile-types',
      ALL_TYPES,
      '--output-dir',
      out,
      '--target-ca-file',
      ca.certFile,
      '--target-bearer-token-file',
      tokenFile,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ podsSelected: 1, profilesAttempted: 7, profilesStored: 7 });
    for (const type of ALL_TYPES.split(',')) {
      const dir = join(out, 'secure', 'go-tls', type);
      const entries = await readdir(dir);
      expect(entries, dir).toHaveLength(1);
      expect(await goToolPprof(['-top', join(dir, entries[0] as string)]), type).toMatch(/Showing nodes accounting for/);
    }
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('without the CA: "certificate not trusted; pass --target-ca-file", the token not shown', async () => {
    const result = await kprofefe(['--profile-types', 'heap', '--output-dir', await tempDir(), '--target-bearer-token-file', tokenFile]);
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ profilesFailed: 1, failedByReason: { TARGET_TLS: 1 } });
    expect(result.stderr).toContain('certificate not trusted; pass --target-ca-file');
    expect(result.stderr).not.toContain(TOKEN);
  });

  it('without the token: Go answers 401, and the message says to pass --target-bearer-token-file', async () => {
    const result = await kprofefe(['--profile-types', 'heap', '--output-dir', await tempDir(), '--target-ca-file', ca.certFile]);
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ profilesFailed: 1, failedByReason: { TARGET_HTTP_STATUS: 1 } });
    expect(result.stderr).toContain('HTTP 401');
    expect(result.stderr).toContain('pass --target-bearer-token-file');
  });

  it('plain HTTP to Go serving TLS: Go answers 400 "Client sent an HTTP request to an HTTPS server", explained', async () => {
    const result = await kprofefe(['--profile-types', 'heap', '--output-dir', await tempDir(), '--target-bearer-token-file', tokenFile], 'unannotated');
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ profilesFailed: 1, failedByReason: { TARGET_HTTP_STATUS: 1 } });
    expect(result.stderr).toContain('HTTP 400');
    expect(result.stderr).toContain('Client sent an HTTP request to an HTTPS server');
    expect(result.stderr).toContain('annotate it profefe.com/scheme: https');
    expect(result.stderr).not.toContain(TOKEN);
  });
});

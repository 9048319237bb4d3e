/**
 * The doubles of HTTPS tests, checked against real clients: test-ca.ts's certificates as openssl
 * and Node's X509Certificate read them, and a fake pod with `tls` serving the same bytes over
 * HTTPS to Node's own https client, refusing clients that do not trust its CA.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePod, type FakePod } from './fake-pod.js';
import { fixture } from './fixtures.js';
import { makeTestCa, type Issued, type TestCa } from './test-ca.js';

const run = promisify(execFile);

let ca: TestCa;
let issued: Issued;
let pod: FakePod;

beforeAll(async () => {
  ca = await makeTestCa('doubles CA');
  issued = await ca.issue('pod', { ips: ['127.0.0.81'], dns: ['pprof.shop.svc'] });
  pod = await startFakePod({ host: '127.0.0.81', tls: issued });
}, 60_000);
afterAll(async () => {
  await pod?.close();
});

function httpsGet(url: string, options: { ca?: string; servername?: string }): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { ca: options.ca, servername: options.servername, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('test-ca', () => {
  it('makes a CA and a server certificate that openssl verifies, for the names and IPs asked', async () => {
    const { stdout } = await run('openssl', ['verify', '-CAfile', ca.certFile, issued.certFile]);
    expect(stdout).toContain(': OK');
    const cert = new X509Certificate(issued.cert);
    const root = new X509Certificate(ca.cert);
    expect(root.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(root)).toBe(true);
    expect(cert.checkIP('127.0.0.81')).toBe('127.0.0.81');
    expect(cert.checkHost('pprof.shop.svc')).toBe('pprof.shop.svc');
    expect(cert.checkIP('127.0.0.82')).toBeUndefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
  });

  it('issues an expired certificate when asked (days: -1)', async () => {
    const expired = new X509Certificate((await ca.issue('expired', { ips: ['127.0.0.81'], days: -1 })).cert);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now());
  });

  it('gives every CA its own key: one does not verify the other one’s certificates', async () => {
    const other = await makeTestCa('other CA');
    await expect(run('openssl', ['verify', '-CAfile', other.certFile, issued.certFile])).rejects.toThrow();
  });
});

describe('fake pod with tls', () => {
  it('serves the real profile bytes over HTTPS to a client trusting the CA', async () => {
    expect(pod.url('heap')).toBe(`https://127.0.0.81:${pod.port}/debug/pprof/heap`);
    const answer = await httpsGet(pod.url('heap'), { ca: ca.cert });
    expect(answer.status).toBe(200);
    expect(answer.body.equals(fixture('heap'))).toBe(true);
    expect(pod.requests.at(-1)?.path).toBe('/debug/pprof/heap');
  });

  it('is refused by a client that does not trust the CA, and by one checking another name', async () => {
    await expect(httpsGet(pod.url('heap'), {})).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(httpsGet(pod.url('heap'), { ca: ca.cert, servername: 'other.shop.svc' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const named = await httpsGet(pod.url('goroutine'), { ca: ca.cert, servername: 'pprof.shop.svc' });
    expect(named.body.equals(fixture('goroutine'))).toBe(true);
  });
});

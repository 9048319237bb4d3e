/**
 * HTTPS targets, fetched through kprofefe's direct transport from real TLS servers on loopback,
 * with certificates from a CA made by openssl for this test: trusted with the CA, refused
 * without it ("certificate not trusted; pass --target-ca-file"), checked against the pod IP or
 * --target-server-name, not checked at all when asked, and the bearer token sent over HTTPS only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/discover/target.js';
import { ProfileError } from '../../src/profile-error.js';
import { fetchProfile } from '../../src/scrape/fetch-profile.js';
import { directTransport } from '../../src/transport/direct-transport.js';
import { BearerToken, PLAIN_TARGET_ACCESS, type TargetAccess, type TargetTls } from '../../src/transport/target-access.js';
import { rejectionOf } from '../expect-rejection.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { makeTarget } from '../doubles/make-target.js';
import { makeTestCa, type TestCa } from '../doubles/test-ca.js';

const TOKEN = 'tls-test-token-3f9c1d0e';
const limits = { timeoutMs: 5000, maxBytes: 8 * 1024 * 1024 };

let ca: TestCa;
let otherCa: TestCa;
/** Certificate for its IP (127.0.0.51). */
let byIp: FakePod;
/** Certificate for pprof.shop.svc only (127.0.0.52). */
let byName: FakePod;
/** Plain HTTP (127.0.0.53). */
let plain: FakePod;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([makeTestCa(), makeTestCa('another CA')]);
  const [ipCert, nameCert] = await Promise.all([ca.issue('pod-ip', { ips: ['127.0.0.51'] }), ca.issue('pod-name', { dns: ['pprof.shop.svc'] })]);
  [byIp, byName, plain] = await Promise.all([
    startFakePod({ host: '127.0.0.51', tls: ipCert }),
    startFakePod({ host: '127.0.0.52', tls: nameCert }),
    startFakePod({ host: '127.0.0.53' }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([byIp, byName, plain].map((pod) => pod?.close()));
});

const access = (tls: Partial<TargetTls>, token?: string): TargetAccess => ({
  tls: { ...PLAIN_TARGET_ACCESS.tls, ...tls },
  bearerToken: token === undefined ? undefined : new BearerToken(token),
});

/** Fetches the heap profile of `pod` through a direct transport with `targetAccess`, as a run does. */
async function fetchHeap(pod: FakePod, targetAccess: TargetAccess, scheme: 'http' | 'https' = 'https') {
  const url = pod.url('heap').replace(/^https?:/, `${scheme}:`);
  const target: Target = makeTarget('heap', { ip: pod.ip, url });
  const transport = directTransport(targetAccess);
  try {
    const connection = await transport.connect(target, new AbortController().signal);
    return await fetchProfile(target, { ...limits, agent: connection.agent, headers: connection.headers });
  } finally {
    await transport.close();
  }
}

const failure = (promise: Promise<unknown>): Promise<ProfileError> => rejectionOf(promise, ProfileError);

describe('https targets', () => {
  it('fetches from a pod whose certificate is for its IP, trusting --target-ca-file, and sends the bearer token', async () => {
    const scraped = await fetchHeap(byIp, access({ ca: ca.cert }, TOKEN));
    expect(scraped.body.equals(fixture('heap'))).toBe(true);
    const request = byIp.requests.at(-1)!;
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers.host).toBe(`127.0.0.51:${byIp.port}`);
  });

  it('refuses a certificate from an unknown CA: "certificate not trusted; pass --target-ca-file"', async () => {
    const before = byIp.requests.length;
    const err = await failure(fetchHeap(byIp, access({}, TOKEN)));
    expect(err.code).toBe('TARGET_TLS');
    expect(err.message).toContain('certificate not trusted; pass --target-ca-file');
    expect(err.message).toContain(`127.0.0.51:${byIp.port}`);
    expect(err.message).toContain('heap profile of pod shop/checkout-7d9f');
    expect(err.message).not.toContain(TOKEN);
    // The token never left: no request reached the pod.
    expect(byIp.requests.length).toBe(before);
  });

  it('refuses a certificate signed by another CA than --target-ca-file', async () => {
    const err = await failure(fetchHeap(byIp, access({ ca: otherCa.cert })));
    expect(err.code).toBe('TARGET_TLS');
    expect(err.message).toContain('certificate not trusted; pass --target-ca-file');
  });

  it('checks a certificate for a DNS name against --target-server-name, still connecting to the pod IP', async () => {
    const err = await failure(fetchHeap(byName, access({ ca: ca.cert })));
    expect(err.code).toBe('TARGET_TLS');
    expect(err.message).toMatch(/is not for the name checked .*pass --target-server-name/);

    const scraped = await fetchHeap(byName, access({ ca: ca.cert, serverName: 'pprof.shop.svc' }));
    expect(scraped.body.equals(fixture('heap'))).toBe(true);
    expect(byName.requests.at(-1)!.headers.host).toBe(`127.0.0.52:${byName.port}`);

    const wrongName = await failure(fetchHeap(byName, access({ ca: ca.cert, serverName: 'other.shop.svc' })));
    expect(wrongName.message).toContain('pass --target-server-name');
  });

  it('never follows a redirect over https either', async () => {
    byIp.setFault('heap', 'redirect');
    try {
      const before = byIp.requests.length;
      const err = await failure(fetchHeap(byIp, access({ ca: ca.cert }, TOKEN)));
      expect(err.code).toBe('TARGET_HTTP_STATUS');
      expect(err.message).toMatch(/^redirect to .*\/login\?next=.* not followed/);
      expect(byIp.requests.length).toBe(before + 1);
    } finally {
      byIp.setFault('heap', undefined);
    }
  });

  it('says an expired certificate is not valid now', async () => {
    const expired = await startFakePod({ host: '127.0.0.54', tls: await ca.issue('expired', { ips: ['127.0.0.54'], days: -1 }) });
    try {
      const err = await failure(fetchHeap(expired, access({ ca: ca.cert })));
      expect(err.code).toBe('TARGET_TLS');
      expect(err.message).toContain(`the certificate of 127.0.0.54:${expired.port} is not valid now`);
      expect(err.message).toContain('CERT_HAS_EXPIRED');
    } finally {
      await expired.close();
    }
  });

  it('with --target-insecure-skip-verify, takes any certificate', async () => {
    const scraped = await fetchHeap(byName, access({ insecureSkipVerify: true }));
    expect(scraped.body.equals(fixture('heap'))).toBe(true);
  });

  it('says a pod that speaks plain HTTP does not speak TLS', async () => {
    const err = await failure(fetchHeap(plain, access({ ca: ca.cert }, TOKEN)));
    expect(err.code).toBe('TARGET_TLS');
    expect(err.message).toContain(`127.0.0.53:${plain.port} does not speak TLS`);
    expect(err.message).toContain('profefe.com/scheme: http');
    expect(plain.requests.length).toBe(0);
  });

  it('never sends the bearer token to an http target', async () => {
    const scraped = await fetchHeap(plain, access({ ca: ca.cert }, TOKEN), 'http');
    expect(scraped.body.equals(fixture('heap'))).toBe(true);
    const request = plain.requests.at(-1)!;
    expect(request.headers.authorization).toBeUndefined();
  });
});

describe('BearerToken', () => {
  it('shows [redacted] wherever it is printed, and the token only as the header value', async () => {
    const token = new BearerToken(TOKEN);
    const { inspect } = await import('node:util');
    for (const shown of [String(token), `${token}`, JSON.stringify({ token }), inspect({ token }, { depth: 5 })]) {
      expect(shown).not.toContain(TOKEN);
      expect(shown).toContain('[redacted]');
    }
    expect(token.authorization()).toBe(`Bearer ${TOKEN}`);
  });
});

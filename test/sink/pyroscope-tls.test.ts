/**
 * An https:// Pyroscope with a certificate from a private CA (test-ca.ts), through createSink as
 * kprofefe builds it: with the CA (--pyroscope-ca-file) the profile is stored; without it, or with
 * a certificate for another host, an expired one or no TLS at all, the profile fails after one
 * attempt (a certificate does not fix itself between retries) with a reason saying what to change.
 */
import { rootCertificates } from 'node:tls';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProfileError } from '../../src/profile-error.js';
import { createSink } from '../../src/sink/create-sink.js';
import { PyroscopeClient } from '../../src/sink/pyroscope-client.js';
import { SCHEDULED_POLICY, type PyroscopeSinkConfig } from '../../src/sink/sink-config.js';
import type { Sink } from '../../src/sink/sink.js';
import { fixture } from '../doubles/fixtures.js';
import { scrapedProfile } from '../doubles/make-target.js';
import { type PyroscopeDouble, type PyroscopeDoubleOptions, startPyroscopeDouble } from '../doubles/pyroscope-double.js';
import { makeTestCa, type Issued, type TestCa } from '../doubles/test-ca.js';
import { rejectionOf } from '../expect-rejection.js';

let ca: TestCa;
let localCert: Issued;
let otherHostCert: Issued;
let expiredCert: Issued;
const doubles: PyroscopeDouble[] = [];
const sinks: Sink[] = [];

beforeAll(async () => {
  ca = await makeTestCa('pyroscope CA');
  [localCert, otherHostCert, expiredCert] = await Promise.all([
    ca.issue('pyroscope', { ips: ['127.0.0.1'], dns: ['localhost'] }),
    ca.issue('elsewhere', { dns: ['pyroscope.monitoring.svc'] }),
    ca.issue('expired', { ips: ['127.0.0.1'], days: -1 }),
  ]);
}, 60_000);
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function pyroscope(options: PyroscopeDoubleOptions): Promise<PyroscopeDouble> {
  const d = await startPyroscopeDouble(options);
  doubles.push(d);
  return d;
}

/** The sink kprofefe builds (scheduled policy: 4 attempts, circuit breaker), and its log lines. */
async function sinkFor(url: string, caPem?: string) {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const config: PyroscopeSinkConfig = { kind: 'pyroscope', url, tenant: undefined, auth: undefined, headers: {}, ca: caPem };
  const sink = await createSink(config, SCHEDULED_POLICY, { timeoutMs: 5_000, log, signal: new AbortController().signal });
  sinks.push(sink);
  return { sink, retries: () => lines.filter((l) => l.includes('will retry')) };
}

const cpu = () => scrapedProfile('cpu', fixture('cpu'));

describe('Pyroscope over HTTPS with a private CA', () => {
  it('with the CA: the profile is stored', async () => {
    const d = await pyroscope({ tls: localCert });
    const { sink } = await sinkFor(d.url, ca.cert);
    const location = await sink.store(cpu());
    expect(location).toMatch(/^https:\/\/127\.0\.0\.1:\d+ \{__name__="process_cpu"/);
    expect(d.profiles).toHaveLength(1);
    expect(d.connections).toBe(1);
  });

  it("the CA is trusted besides Node's bundled roots, not instead of them (a public certificate still verifies)", () => {
    const client = new PyroscopeClient({ baseUrl: 'https://pyroscope:4040', ca: ca.cert, timeoutMs: 1_000 });
    try {
      const trusted = (client as unknown as { agent: { options: { ca?: string[] } } }).agent.options.ca;
      expect(trusted).toEqual([...rootCertificates, ca.cert]);
    } finally {
      client.close();
    }
  });

  it('without the CA: the profile fails after 1 attempt, the reason says the certificate is not trusted and to pass --pyroscope-ca-file', async () => {
    const d = await pyroscope({ tls: localCert });
    const { sink, retries } = await sinkFor(d.url);
    const err = await rejectionOf(sink.store(cpu()), ProfileError);
    expect(err.code).toBe('SINK_REJECTED');
    expect(err.message).toBe(
      `the cpu profile of pod shop/checkout-7d9f was not stored: the certificate of Pyroscope at ${d.url} is not trusted ` +
        '(unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)): pass --pyroscope-ca-file with the CA that signed it',
    );
    expect(d.connections).toBe(1);
    expect(retries()).toEqual([]);
    expect(d.pushes).toHaveLength(0);
    // Each profile tries once: the next one fails the same way, with one more connection.
    expect((await rejectionOf(sink.store(cpu()), ProfileError)).code).toBe('SINK_REJECTED');
    expect(d.connections).toBe(2);
  });

  it('a certificate for another host, an expired one, or a plain-HTTP server: one attempt each, the reason says what to change', async () => {
    const elsewhere = await pyroscope({ tls: otherHostCert });
    const expired = await pyroscope({ tls: expiredCert });
    const plain = await pyroscope({});
    const httpsToPlain = plain.url.replace(/^http:/, 'https:');
    const cases = [
      [
        elsewhere,
        elsewhere.url,
        `the certificate of Pyroscope at ${elsewhere.url} is not for its host (`,
        'use a --pyroscope-url whose host name the certificate holds',
      ],
      [expired, expired.url, `the certificate of Pyroscope at ${expired.url} is not valid now (`, "renew Pyroscope's certificate"],
      [plain, httpsToPlain, `Pyroscope at ${httpsToPlain} does not speak TLS (EPROTO)`, 'use an http:// --pyroscope-url, or check its port'],
    ] as const;
    for (const [double, url, start, advice] of cases) {
      const { sink, retries } = await sinkFor(url, ca.cert);
      const err = await rejectionOf(sink.store(cpu()), ProfileError);
      expect(err.code).toBe('SINK_REJECTED');
      expect(err.message).toContain(start);
      expect(err.message.endsWith(advice), err.message).toBe(true);
      expect([double.connections, retries().length]).toEqual([1, 0]);
    }
  });
});

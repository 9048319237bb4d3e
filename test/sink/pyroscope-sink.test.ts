import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileType } from '../../src/profile-types.js';
import { ProfileError } from '../../src/profile-error.js';
import { PyroscopeAuth } from '../../src/sink/pyroscope-auth.js';
import { PyroscopeClient, type PyroscopeClientOptions } from '../../src/sink/pyroscope-client.js';
import { PyroscopeSink } from '../../src/sink/pyroscope-sink.js';
import { createSink } from '../../src/sink/create-sink.js';
import { SCHEDULED_POLICY } from '../../src/sink/sink-config.js';
import { fixture } from '../doubles/fixtures.js';
import { scrapedProfile } from '../doubles/make-target.js';
import { type PyroscopeDouble, startPyroscopeDouble } from '../doubles/pyroscope-double.js';
import { rejectionOf } from '../expect-rejection.js';

const PASSWORD = 'pyro-s3cr3t-pass';
const TOKEN = 'glc_pyro-t0ken';

function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

let double: PyroscopeDouble;
let open: PyroscopeSink[] = [];
beforeEach(async () => {
  double = await startPyroscopeDouble();
});
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
  await double.close();
});

function sink(options: Partial<PyroscopeClientOptions> & { attempts?: number; log?: pino.Logger } = {}) {
  const client = new PyroscopeClient({ baseUrl: double.url, timeoutMs: 5_000, ...options });
  const s = new PyroscopeSink({ client, retry: { attempts: options.attempts ?? 4, baseDelayMs: 5, maxDelayMs: 20 }, log: options.log });
  open.push(s);
  return s;
}

function windowed(type: ProfileType, window: { kind: 'window'; seconds: number } | { kind: 'cumulative'; reason: string }) {
  return { ...scrapedProfile(type, fixture(type)), window };
}

const rejection = (p: Promise<unknown>) => rejectionOf(p, ProfileError);

describe('PyroscopeSink: what is pushed', () => {
  it('pushes the bytes as scraped, with __name__, service_name and the target labels; resolves to the series', async () => {
    const location = await sink().store(scrapedProfile('cpu', fixture('cpu')));
    expect(double.profiles).toHaveLength(1);
    const [stored] = double.profiles;
    expect(stored?.labels).toEqual({ __name__: 'process_cpu', service_name: 'checkout', namespace: 'shop', pod: 'checkout-7d9f' });
    expect(stored?.rawProfile.equals(fixture('cpu'))).toBe(true);
    expect(stored?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(location).toBe(`${double.url} {__name__="process_cpu", service_name="checkout", namespace="shop", pod="checkout-7d9f"}`);
    // The Connect protocol, binary, with the push timeout as Connect's header.
    expect(double.pushes[0]?.headers).toMatchObject({ 'content-type': 'application/proto', 'connect-protocol-version': '1', 'connect-timeout-ms': '5000' });
  });

  it('names each type as Alloy does: heap and allocs are memory, allocs with pprof_type=allocs', async () => {
    const s = sink();
    for (const type of ['heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'] as const) await s.store(scrapedProfile(type, fixture(type)));
    expect(double.profiles.map((p) => [p.labels.__name__, p.labels.pprof_type])).toEqual([
      ['memory', undefined],
      ['memory', 'allocs'],
      ['goroutine', undefined],
      ['block', undefined],
      ['mutex', undefined],
      ['threadcreate', undefined],
    ]);
  });

  it('__delta__="false" only on counter types that cover a window', async () => {
    const s = sink();
    await s.store(windowed('block', { kind: 'window', seconds: 15 }));
    await s.store(windowed('allocs', { kind: 'window', seconds: 15 }));
    await s.store(windowed('mutex', { kind: 'cumulative', reason: 'seconds refused (400)' }));
    await s.store(scrapedProfile('heap', fixture('heap')));
    await s.store(windowed('cpu', { kind: 'window', seconds: 10 }));
    expect(double.profiles.map((p) => [p.labels.__name__, p.labels.__delta__])).toEqual([
      ['block', 'false'],
      ['memory', 'false'],
      ['mutex', undefined],
      ['memory', undefined],
      ['process_cpu', undefined],
    ]);
  });

  it('extra labels get Prometheus names; colliding and reserved ones are left out and reported once per pod', async () => {
    const { log, lines } = capturingLogger();
    const s = sink({ log });
    const labels = { 'app.kubernetes.io/name': 'checkout', 'team-name': 'a', team_name: 'b', __secret: 'x', '9lives': 'cat', empty: '' };
    await s.store(scrapedProfile('cpu', fixture('cpu'), labels));
    await s.store(scrapedProfile('heap', fixture('heap'), labels));
    expect(double.profiles[0]?.labels).toEqual({
      __name__: 'process_cpu',
      service_name: 'checkout',
      namespace: 'shop',
      pod: 'checkout-7d9f',
      _9lives: 'cat',
      app_kubernetes_io_name: 'checkout',
      team_name: 'a',
    });
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; labels?: string[] }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.labels).toEqual(['__secret', 'team_name']);
    expect(warnings[0]?.msg).toContain('team_name (its name, as a Prometheus label name team_name, is already taken)');
  });

  it('at most 30 labels: the rest are left out (and reported), so the server takes the profile', async () => {
    const { log, lines } = capturingLogger();
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`extra${String(i).padStart(2, '0')}`, 'v']));
    await sink({ log }).store(scrapedProfile('cpu', fixture('cpu'), many));
    expect(Object.keys(double.profiles[0]?.labels ?? {})).toHaveLength(30);
    expect(double.profiles[0]?.labels.extra25).toBe('v');
    expect(double.profiles[0]?.labels.extra26).toBeUndefined();
    expect(lines.join('\n')).toContain('extra39 (Pyroscope takes at most 30 labels per profile)');
  });

  it('sends the tenant, basic auth and extra headers; credentials never reach the log', async () => {
    const { log, lines } = capturingLogger();
    double.failNext(1, 'unavailable');
    await sink({ log, tenant: 'team-a', auth: PyroscopeAuth.basic('123456', PASSWORD), headers: { 'X-Proxy-Key': 'k1' } }).store(
      scrapedProfile('cpu', fixture('cpu')),
    );
    const headers = double.pushes[1]?.headers;
    expect(headers?.['x-scope-orgid']).toBe('team-a');
    expect(headers?.authorization).toBe(`Basic ${Buffer.from(`123456:${PASSWORD}`).toString('base64')}`);
    expect(headers?.['x-proxy-key']).toBe('k1');
    expect(double.profiles[0]?.tenant).toBe('team-a');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toMatch(new RegExp(`${PASSWORD}|${Buffer.from(`123456:${PASSWORD}`).toString('base64')}|k1`));
  });

  it('credentials print as [redacted] however they are shown', () => {
    const auth = PyroscopeAuth.basic('123456', PASSWORD);
    const shown = [String(auth), `${auth}`, JSON.stringify({ auth }), inspect({ auth }), inspect(PyroscopeAuth.bearer(TOKEN))].join(' ');
    expect(shown).not.toMatch(new RegExp(`${PASSWORD}|${TOKEN}|123456`));
    expect(shown).toContain('[redacted basic auth]');
  });

  it('sends a bearer token', async () => {
    await sink({ auth: PyroscopeAuth.bearer(TOKEN) }).store(scrapedProfile('cpu', fixture('cpu')));
    expect(double.pushes[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('createSink with a pyroscope SinkConfig', () => {
  it('builds the sink behind a circuit breaker under the scheduled policy, with tenant and token', async () => {
    const { log } = capturingLogger();
    const config = { kind: 'pyroscope', url: double.url, tenant: 't1', auth: PyroscopeAuth.bearer(TOKEN), headers: {} } as const;
    const created = await createSink(config, SCHEDULED_POLICY, { timeoutMs: 5_000, log, signal: new AbortController().signal });
    try {
      expect(created.description).toBe(`pyroscope ${double.url}`);
      expect(created.constructor.name).toBe('CircuitBreakerSink');
      await created.store(scrapedProfile('mutex', fixture('mutex')));
      expect(double.profiles[0]).toMatchObject({ tenant: 't1', labels: { __name__: 'mutex', service_name: 'checkout' } });
      expect(double.pushes[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      await created.close();
    }
  });
});

describe('PyroscopeSink: failures (bad-input rows)', () => {
  it('400 invalid_argument: failed with the server message, no retry', async () => {
    double.failNext(1, 'invalid_argument', 'invalid labels with error: service name is not provided');
    const err = await rejection(sink().store(scrapedProfile('goroutine', fixture('goroutine'))));
    expect(err.code).toBe('SINK_REJECTED');
    expect(err.message).toBe(
      `the goroutine profile of pod shop/checkout-7d9f was not stored: Pyroscope at ${double.url} answered 400 (invalid_argument) to Push: ` +
        'invalid labels with error: service name is not provided',
    );
    expect(double.pushes).toHaveLength(1);
  });

  it('429 twice then OK: stored after the retries, each retry logged', async () => {
    const { log, lines } = capturingLogger();
    double.failNext(2, 'resource_exhausted', 'ingestion rate limit exceeded');
    await sink({ log }).store(scrapedProfile('cpu', fixture('cpu')));
    expect(double.pushes.map((p) => p.status)).toEqual([429, 429, 200]);
    expect(double.profiles).toHaveLength(1);
    const retries = lines.map((l) => JSON.parse(l) as { msg: string; attempt?: number; status?: number }).filter((l) => l.msg.includes('will retry'));
    expect(retries.map((r) => [r.attempt, r.status])).toEqual([
      [1, 429],
      [2, 429],
    ]);
    expect(retries[0]?.msg).toContain('ingestion rate limit exceeded');
  });

  it('503 twice then OK: stored after the retries; the sample keeps its id', async () => {
    double.failNext(2, 'unavailable', 'ingester ring not ready');
    await sink().store(scrapedProfile('heap', fixture('heap')));
    expect(double.pushes.map((p) => p.status)).toEqual([503, 503, 200]);
    const ids = double.pushes.map((p) => p.series?.[0]?.samples[0]?.id);
    expect(new Set(ids).size).toBe(1);
  });

  it("over Pyroscope's size limit: failed, naming the limit to raise and both sizes, not retried", async () => {
    // A generous timeout: on a loaded machine, inflating 7 MiB must not turn the answer into a timeout.
    const err = await rejection(sink({ timeoutMs: 60_000 }).store(scrapedProfile('heap', fixture('heap-large'))));
    expect(err.code).toBe('SINK_REJECTED');
    expect(err.message).toContain('exceeds the size limit (max_profile_size_byte, actual: 7684613, limit: 4194304)');
    expect(err.message).toContain(
      "The profile is 7684613 bytes uncompressed, over the tenant's limit of 4194304: raise Pyroscope's max_profile_size_bytes for the tenant (flag -validation.max-profile-size-bytes",
    );
    expect(double.pushes).toHaveLength(1);
  });

  it("a proxy's 413 names the proxy's limit; its 400 page is not retried although Connect calls it internal", async () => {
    double.failNextRaw(1, 413, '<html>413 Request Entity Too Large</html>');
    const large = await rejection(sink().store(scrapedProfile('cpu', fixture('cpu'))));
    expect(large.message).toContain('answered 413 (unknown) to Push. A proxy in front of Pyroscope limits the request body size');
    double.failNextRaw(1, 400, '<html>bad request</html>');
    const bad = await rejection(sink().store(scrapedProfile('cpu', fixture('cpu'))));
    expect(bad.code).toBe('SINK_REJECTED');
    expect(bad.message).toMatch(/answered 400 \(internal\) to Push$/);
    expect(double.pushes).toHaveLength(0); // raw answers come before the Connect handler
  });

  it("a gateway's 502 page, and a 504, are retried", async () => {
    double.failNextRaw(1, 502, '<html>bad gateway</html>');
    double.failNext(1, 'deadline_exceeded');
    await sink().store(scrapedProfile('cpu', fixture('cpu')));
    expect(double.profiles).toHaveLength(1);
    expect(double.pushes.map((p) => p.status)).toEqual([504, 200]);
  });

  it('401 from a gateway: rejected at once, pointing at the credential flags', async () => {
    const gated = await startPyroscopeDouble({ authorization: `Bearer ${TOKEN}` });
    try {
      const client = new PyroscopeClient({ baseUrl: gated.url, timeoutMs: 5_000, auth: PyroscopeAuth.bearer('wrong') });
      const s = new PyroscopeSink({ client, retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } });
      open.push(s);
      const err = await rejection(s.store(scrapedProfile('cpu', fixture('cpu'))));
      expect(err.code).toBe('SINK_REJECTED');
      expect(err.message).toContain('answered 401 (unauthenticated) to Push. Check --pyroscope-basic-auth-file or --pyroscope-bearer-token-file');
      expect(err.message).not.toContain('wrong');
    } finally {
      await gated.close();
    }
  });

  it('Pyroscope down: SINK_UNAVAILABLE after every attempt, saying it could not be reached', async () => {
    double.setDown(true);
    const err = await rejection(sink({ attempts: 3 }).store(scrapedProfile('cpu', fixture('cpu'))));
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toMatch(
      new RegExp(`^could not store the cpu profile of pod shop/checkout-7d9f after 3 attempts: could not reach Pyroscope at ${double.url}: `),
    );
    expect(err.message).toContain('Check --pyroscope-url');
  });

  it('no answer within the timeout: retried, then SINK_UNAVAILABLE', async () => {
    double.hangNext(2);
    const client = new PyroscopeClient({ baseUrl: double.url, timeoutMs: 300 });
    const s = new PyroscopeSink({ client, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    open.push(s);
    const err = await rejection(s.store(scrapedProfile('cpu', fixture('cpu'))));
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toContain(`after 2 attempts: Pyroscope at ${double.url} did not answer Push within 0.3s`);
  });

  it('an abort stops the push: SINK_UNAVAILABLE, cancelled', async () => {
    double.hangNext(1);
    const controller = new AbortController();
    const pending = sink().store(scrapedProfile('cpu', fixture('cpu')), controller.signal);
    setTimeout(() => controller.abort(new Error('SIGTERM')), 100);
    const err = await rejection(pending);
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toBe(`storing the cpu profile of pod shop/checkout-7d9f was cancelled: the push to Pyroscope at ${double.url} was cancelled`);
  });

  it('a wrong URL (404 page) is rejected, pointing at the push path', async () => {
    const client = new PyroscopeClient({ baseUrl: `${double.url}/pyroscope`, timeoutMs: 5_000 });
    const s = new PyroscopeSink({ client, retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } });
    open.push(s);
    const err = await rejection(s.store(scrapedProfile('cpu', fixture('cpu'))));
    expect(err.message).toContain(`answered 404 (unimplemented) to Push. Check that --pyroscope-url is Pyroscope's base URL`);
  });
});

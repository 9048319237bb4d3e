import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/discover/target.js';
import { ProfileError, type ProfileErrorCode } from '../../src/profile-error.js';
import { PROFILE_TYPES, type ProfileType } from '../../src/profile-types.js';
import { fetchProfile, requestTimeoutMs, USER_AGENT } from '../../src/scrape/fetch-profile.js';
import { HUGE_BODY_BYTES, startFakePod, type Fault, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';

const MiB = 1024 * 1024;
const defaults = { timeoutMs: 5000, maxBytes: 8 * MiB };

function targetFor(pod: { ip: string; url(type: ProfileType, seconds?: number): string }, type: ProfileType, seconds?: number): Target {
  const timedSeconds = type === 'cpu' ? (seconds ?? 1) : undefined;
  const url = new URL(pod.url(type, timedSeconds));
  return {
    pod: { namespace: 'shop', name: 'orders-7d9f8-abcde', uid: 'uid-1', ip: pod.ip, node: 'node-1', workload: { kind: 'Deployment', name: 'orders' } },
    type,
    service: 'orders',
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    port: Number(url.port),
    path: `${url.pathname}${url.search}`,
    url: url.href,
    seconds: timedSeconds,
    labels: { namespace: 'shop', pod: 'orders-7d9f8-abcde' },
  };
}

async function failure(promise: Promise<unknown>): Promise<ProfileError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProfileError) return err;
    throw err;
  }
  throw new Error('the fetch succeeded');
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fetchProfile against a fake Go pod', () => {
  let pod: FakePod;
  beforeAll(async () => {
    pod = await startFakePod({ host: '127.0.0.7' });
  });
  afterAll(async () => {
    await pod.close();
  });

  it.each(PROFILE_TYPES.filter((t) => t !== 'cpu'))('fetches %s byte for byte', async (type) => {
    const before = Date.now();
    const scraped = await fetchProfile(targetFor(pod, type), defaults);
    expect(scraped.body.equals(fixture(type))).toBe(true);
    expect(scraped.target.type).toBe(type);
    expect(scraped.scrapedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('sends Accept and User-Agent, and no seconds for untimed types', async () => {
    await fetchProfile(targetFor(pod, 'heap'), defaults);
    const request = pod.requests.at(-1)!;
    expect(request.path).toBe('/debug/pprof/heap');
    expect(request.query).toEqual({});
    expect(request.headers.accept).toBe('application/octet-stream');
    expect(request.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^kube-profefe\/\d+\.\d+\.\d+/);
  });

  it('waits for the CPU profile: seconds=1 takes at least a second', async () => {
    const started = Date.now();
    const scraped = await fetchProfile(targetFor(pod, 'cpu', 1), { ...defaults, timeoutMs: 500 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(scraped.body.equals(fixture('cpu'))).toBe(true);
    expect(pod.requests.at(-1)!.query).toEqual({ seconds: '1' });
  });

  it('grows the timeout with seconds: cpu with seconds=2 and timeoutMs=500 succeeds', async () => {
    const scraped = await fetchProfile(targetFor(pod, 'cpu', 2), { ...defaults, timeoutMs: 500 });
    expect(scraped.body.equals(fixture('cpu'))).toBe(true);
    expect(requestTimeoutMs({ type: 'cpu', seconds: 2 }, 500)).toBe(2500);
    expect(requestTimeoutMs({ type: 'heap', seconds: undefined }, 500)).toBe(500);
  });
});

describe('fetchProfile failures', () => {
  let pod: FakePod;
  beforeAll(async () => {
    pod = await startFakePod({ host: '127.0.0.8' });
  });
  afterAll(async () => {
    await pod.close();
  });

  const cases: Array<[Fault, ProfileErrorCode, RegExp]> = [
    ['status404', 'TARGET_HTTP_STATUS', /^HTTP 404 .*"404 page not found"; check the profefe\.com\/path and profefe\.com\/port annotations/],
    ['status500', 'TARGET_HTTP_STATUS', /^HTTP 500 .*"failed to collect profile"/],
    ['html', 'TARGET_TEXT', /^the target returned text, not a pprof profile/],
    ['text', 'TARGET_TEXT', /^the target returned text, not a pprof profile .*goroutine profile: total/],
    ['empty', 'TARGET_EMPTY', /^the target returned an empty body/],
    ['truncated', 'TARGET_INVALID_PPROF', /^truncated gzip/],
    ['huge', 'TARGET_TOO_LARGE', /larger than the 1 MiB cap .*more than 1048576 bytes arrived; raise --max-profile-size/],
    ['huge-declared', 'TARGET_TOO_LARGE', /larger than the 1 MiB cap .*Content-Length is 1073741824 bytes; raise --max-profile-size/],
    ['hang', 'TARGET_TIMEOUT', /^no complete answer within 300 ms/],
    ['stall', 'TARGET_TIMEOUT', /^no complete answer within 300 ms/],
    [
      'redirect',
      'TARGET_HTTP_STATUS',
      /^redirect to http:\/\/127\.0\.0\.8:\d+\/login\?next=%2Fdebug%2Fpprof%2Fheap not followed .*point the annotation at the pprof endpoint itself/,
    ],
    ['reset', 'TARGET_CONNECT', /^the connection to 127\.0\.0\.8:\d+ was reset/],
  ];

  it.each(cases)('%s -> %s', async (fault, code, message) => {
    pod.setFault('heap', fault);
    try {
      const target = targetFor(pod, 'heap');
      const err = await failure(fetchProfile(target, { timeoutMs: 300, maxBytes: MiB }));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).toContain('heap profile of pod shop/orders-7d9f8-abcde');
      expect(err.message).toContain(target.url);
    } finally {
      pod.setFault('heap', undefined);
    }
  });

  it('aborts a huge streamed body early instead of reading it all', async () => {
    pod.setFault('goroutine', 'huge');
    const err = await failure(fetchProfile(targetFor(pod, 'goroutine'), { ...defaults, maxBytes: MiB }));
    expect(err.code).toBe('TARGET_TOO_LARGE');
    const request = pod.requests.findLast((r) => r.path === '/debug/pprof/goroutine')!;
    await until(() => request.closedEarly);
    // What was written is the cap plus what socket buffers absorbed: far below the body's size.
    expect(request.bytesSent).toBeGreaterThan(MiB);
    expect(request.bytesSent).toBeLessThan(64 * MiB);
    expect(request.bytesSent).toBeLessThan(HUGE_BODY_BYTES / 16);
    expect(request.finished).toBe(false);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    pod.setFault('block', 'huge-declared');
    const err = await failure(fetchProfile(targetFor(pod, 'block'), { ...defaults, maxBytes: MiB }));
    expect(err.code).toBe('TARGET_TOO_LARGE');
    const request = pod.requests.findLast((r) => r.path === '/debug/pprof/block')!;
    await until(() => request.closedEarly);
    expect(request.bytesSent).toBeLessThan(64 * MiB);
  });

  it('accepts a body exactly at the cap and refuses one byte more', async () => {
    const size = fixture('mutex').length;
    await expect(fetchProfile(targetFor(pod, 'mutex'), { ...defaults, maxBytes: size })).resolves.toBeDefined();
    const err = await failure(fetchProfile(targetFor(pod, 'mutex'), { ...defaults, maxBytes: size - 1 }));
    expect(err.code).toBe('TARGET_TOO_LARGE');
    expect(err.message).toContain(`Content-Length is ${size} bytes`);
  });

  it('times out a hanging cpu target after seconds + timeoutMs, naming both', async () => {
    pod.setFault('cpu', 'hang');
    try {
      const started = Date.now();
      const err = await failure(fetchProfile(targetFor(pod, 'cpu', 1), { ...defaults, timeoutMs: 200 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
      expect(err.code).toBe('TARGET_TIMEOUT');
      expect(err.message).toMatch(
        /^no complete answer within 1200 ms \(1 s of profiling \+ 200 ms\) \(cpu profile of pod shop\/orders-7d9f8-abcde, GET http:\/\/127\.0\.0\.8:\d+\/debug\/pprof\/profile\?seconds=1\)/,
      );
    } finally {
      pod.setFault('cpu', undefined);
    }
  });

  it('answers a closed port with TARGET_CONNECT naming ip:port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.9', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const closed = { ip: '127.0.0.9', url: (type: ProfileType) => `http://127.0.0.9:${port}/debug/pprof/${type}` };
    const err = await failure(fetchProfile(targetFor(closed, 'heap'), defaults));
    expect(err.code).toBe('TARGET_CONNECT');
    expect(err.message).toMatch(
      new RegExp(
        `^nothing listens on 127\\.0\\.0\\.9:${port} \\(heap profile of pod shop/orders-7d9f8-abcde, GET http://127\\.0\\.0\\.9:${port}/debug/pprof/heap\\)`,
      ),
    );
  });

  it('rejects with the caller’s reason when the caller aborts', async () => {
    pod.setFault('threadcreate', 'hang');
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    await expect(fetchProfile(targetFor(pod, 'threadcreate'), { ...defaults, signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(defaults.timeoutMs);
  });
});

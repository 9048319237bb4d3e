import pino from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { ProfileError } from '../../src/profile-error.js';
import { ProfefeSink } from '../../src/sink/profefe-sink.js';
import { backoffDelayMs, retryWithBackoff } from '../../src/sink/retry.js';
import { fixture } from '../doubles/fixtures.js';
import { scrapedProfile } from '../doubles/make-target.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { rejectionOf } from '../expect-rejection.js';

const TOKEN = 'Bearer sink-s3cr3t';

const scraped = scrapedProfile;

/** A pino logger writing JSON lines into `lines`. */
function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

function rejection(promise: Promise<unknown>): Promise<ProfileError> {
  return rejectionOf(promise, ProfileError);
}

let collector: TestCollector;
beforeEach(async () => {
  collector = await startTestCollector();
});
afterEach(async () => {
  await collector.close();
});

function sink(options: { attempts?: number; headers?: Record<string, string>; log?: pino.Logger } = {}) {
  const client = new ProfefeClient({ baseUrl: collector.url, headers: options.headers });
  return new ProfefeSink({ client, retry: { attempts: options.attempts, baseDelayMs: 5 }, log: options.log });
}

describe('ProfefeSink', () => {
  it('uploads the bytes under the target service, type and labels, and returns the download URL', async () => {
    const s = sink();
    expect(s.description).toBe(`profefe ${collector.url}`);
    const location = await s.store(scraped('heap', fixture('heap')));
    const [stored] = collector.profiles();
    expect(stored).toMatchObject({ service: 'checkout', type: 'heap', labels: { namespace: 'shop', pod: 'checkout-7d9f' } });
    expect(location).toBe(`${collector.url}/api/0/profiles/${stored?.id}`);
    const res = await request(location);
    expect(Buffer.from(await res.body.arrayBuffer()).equals(fixture('heap'))).toBe(true);
  });

  it('stores allocs as type other with pprof_type=allocs', async () => {
    await sink().store(scraped('allocs', fixture('allocs'), { team: 'payments' }));
    expect(collector.uploads[0]).toMatchObject({ type: 'other', labels: { namespace: 'shop', pod: 'checkout-7d9f', team: 'payments', pprof_type: 'allocs' } });
    expect(collector.profiles()[0]?.type).toBe('other');
  });

  it('retries a 503 twice and stores the profile on the third attempt', async () => {
    const { log, lines } = capturingLogger();
    collector.failNext(2, 503, 'storage busy');
    const location = await sink({ log }).store(scraped('cpu', fixture('cpu')));
    expect(collector.uploads.map((u) => u.status)).toEqual([503, 503, 200]);
    expect(location).toBe(`${collector.url}/api/0/profiles/${collector.profiles()[0]?.id}`);
    const retries = lines.map((l) => JSON.parse(l) as { msg: string; attempt?: number }).filter((l) => l.msg.includes('will retry'));
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries[0]?.msg).toContain('storage busy');
  });

  it('retries a 429 too', async () => {
    collector.failNext(1, 429, 'slow down');
    await sink().store(scraped('cpu', fixture('cpu')));
    expect(collector.uploads.map((u) => u.status)).toEqual([429, 200]);
  });

  it('a 400 is SINK_REJECTED with the collector text, without retrying', async () => {
    const err = await rejection(sink().store(scraped('goroutine', fixture('goroutine-debug1'))));
    expect(err.code).toBe('SINK_REJECTED');
    expect(err.message).toBe(
      `the goroutine profile of pod shop/checkout-7d9f was not stored: profefe at ${collector.url} answered 400 to POST /api/0/profiles: ` +
        'malformed profile (could not parse pprof profile: parsing profile: unrecognized profile format)',
    );
    expect(collector.uploads).toHaveLength(1);
  });

  it('a collector down for good is SINK_UNAVAILABLE after the configured attempts', async () => {
    const { log, lines } = capturingLogger();
    collector.setDown(true);
    const err = await rejection(sink({ attempts: 3, log }).store(scraped('cpu', fixture('cpu'))));
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toMatch(
      new RegExp(`^could not store the cpu profile of pod shop/checkout-7d9f after 3 attempts: could not reach profefe at ${collector.url}`),
    );
    expect(collector.refusedConnections).toBe(3);
    expect(lines.filter((l) => l.includes('will retry'))).toHaveLength(2);
  });

  it('5xx after every attempt is SINK_UNAVAILABLE with the last collector text (default 4 attempts)', async () => {
    collector.failNext(10, 500, 'failed to create profile');
    const err = await rejection(sink().store(scraped('block', fixture('block'))));
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toContain('after 4 attempts: profefe at');
    expect(err.message).toContain('answered 500 to POST /api/0/profiles: failed to create profile');
    expect(collector.uploads).toHaveLength(4);
  });

  it('sends extra headers to the collector and never logs them', async () => {
    const { log, lines } = capturingLogger();
    collector.failNext(1, 503);
    await sink({ headers: { Authorization: TOKEN, 'X-Scope-OrgID': 'tenant-s3cr3t' }, log }).store(scraped('mutex', fixture('mutex')));
    expect(collector.uploads.map((u) => [u.headers.authorization, u.headers['x-scope-orgid']])).toEqual([
      [TOKEN, 'tenant-s3cr3t'],
      [TOKEN, 'tenant-s3cr3t'],
    ]);
    const output = lines.join('');
    expect(output).toContain('will retry');
    expect(output).toContain('profile stored in profefe');
    expect(output).not.toContain('s3cr3t');
  });

  it('stops when the signal aborts, as SINK_UNAVAILABLE', async () => {
    collector.hangNext(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(sink().store(scraped('cpu', fixture('cpu')), controller.signal));
    expect(err.code).toBe('SINK_UNAVAILABLE');
    expect(err.message).toContain('was cancelled');
    expect(collector.uploads).toHaveLength(0);
  });
});

describe('retryWithBackoff', () => {
  const retryable = new Error('retryable');
  const final = new Error('final');
  const opts = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4, shouldRetry: (e: unknown) => e === retryable };

  it('full jitter: a random delay below min(max, base * 2^(attempt-1))', () => {
    const almostOne = () => 0.9999;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 100, 1000, almostOne))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelayMs(3, 100, 1000, () => 0)).toBe(0);
  });

  it('retries retryable errors until it succeeds, reporting each retry', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryWithBackoff(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw retryable;
        return 'ok';
      },
      { ...opts, onRetry: ({ attempt }) => retries.push(attempt) },
    );
    expect([result, calls, retries]).toEqual(['ok', 3, [1, 2]]);
  });

  it('gives up after the attempts, or at once for an error not worth retrying', async () => {
    let calls = 0;
    await expect(retryWithBackoff(async () => ((calls += 1), Promise.reject(retryable)), opts)).rejects.toBe(retryable);
    expect(calls).toBe(4);
    calls = 0;
    await expect(retryWithBackoff(async () => ((calls += 1), Promise.reject(final)), opts)).rejects.toBe(final);
    expect(calls).toBe(1);
  });

  it('an abort during the backoff rejects with the last error without waiting', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    let calls = 0;
    const run = retryWithBackoff(async () => ((calls += 1), Promise.reject(retryable)), {
      ...opts,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.5,
      signal: controller.signal,
    });
    await expect(run).rejects.toBe(retryable);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

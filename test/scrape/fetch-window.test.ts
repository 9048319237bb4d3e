/**
 * Window profiles against fake Go pods: allocs, block and mutex asked with `?seconds=N`, a 400 to
 * `seconds` retried without it (cumulative), a target that ignores `seconds` (Go before 1.16)
 * recognised, an empty window (no samples) told from an empty snapshot or cumulative profile,
 * and the body held back until the caller admits it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileError } from '../../src/profile-error.js';
import type { ProfileType } from '../../src/profile-types.js';
import { fetchProfile, requestTimeoutMs } from '../../src/scrape/fetch-profile.js';
import { EmptyWindow } from '../../src/scrape/fetch-window.js';
import { startFakePod, type FakePod, type FakePodOptions } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { rejectionOf } from '../expect-rejection.js';
import { makeTarget } from '../doubles/make-target.js';
import { withoutSamples } from '../doubles/test-collector/profile-bytes.js';

const defaults = { timeoutMs: 5000, maxBytes: 8 * 1024 * 1024 };
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function fakePod(options: FakePodOptions = {}): Promise<FakePod> {
  const pod = await startFakePod({ host: '127.0.0.9', ...options });
  closers.push(() => pod.close());
  return pod;
}

function windowTarget(pod: Pick<FakePod, 'ip' | 'url'>, type: ProfileType, seconds: number) {
  return makeTarget(type, { ip: pod.ip, url: pod.url(type, seconds), seconds });
}

async function failure(promise: Promise<unknown>): Promise<ProfileError> {
  const outcome = await promise.then(
    () => new Error('the fetch succeeded'),
    (err: unknown) => err,
  );
  if (outcome instanceof ProfileError) return outcome;
  throw outcome;
}

describe('fetchProfile: window profiles of counter types', () => {
  it.each(['allocs', 'block', 'mutex'] as const)('asks for %s over ?seconds=N and says the profile covers that window', async (type) => {
    const pod = await fakePod();
    const scraped = await fetchProfile(windowTarget(pod, type, 1), defaults);
    expect(scraped.window).toEqual({ kind: 'window', seconds: 1 });
    expect(scraped.body.equals(fixture(type))).toBe(true);
    expect(pod.requests.map((r) => [r.path, r.query])).toEqual([[`/debug/pprof/${type}`, { seconds: '1' }]]);
  });

  it('says a CPU profile covers its window; heap stays a snapshot with no window', async () => {
    const pod = await fakePod();
    expect((await fetchProfile(windowTarget(pod, 'cpu', 1), defaults)).window).toEqual({ kind: 'window', seconds: 1 });
    const heap = await fetchProfile(makeTarget('heap', { ip: pod.ip, url: pod.url('heap') }), defaults);
    expect(heap.window).toBeUndefined();
    expect(pod.requests.at(-1)?.query).toEqual({});
  });

  it('gives a window request its seconds on top of the timeout, as the CPU request has', async () => {
    const pod = await fakePod();
    const target = windowTarget(pod, 'block', 2);
    expect(requestTimeoutMs(target, 500)).toBe(2500);
    expect((await fetchProfile(target, { ...defaults, timeoutMs: 500 })).window).toEqual({ kind: 'window', seconds: 2 });
  });
});

describe('fetchProfile: an empty window', () => {
  it('an allocs window without samples rejects with EmptyWindow (not a failure), saying why the window can be empty', async () => {
    const pod = await fakePod({ profiles: { allocs: withoutSamples(fixture('allocs')) } });
    const empty = await rejectionOf(fetchProfile(windowTarget(pod, 'allocs', 1), defaults), EmptyWindow);
    expect(empty.seconds).toBe(1);
    expect(empty.why).toBe('Go counts allocations only up to the last completed garbage collection, and none completed in it');
    expect(empty.message).toBe(`allocs profile of pod shop/checkout-7d9f: empty window (in the 1 s window: ${empty.why})`);
  });

  it('a CPU window without samples is an empty window too', async () => {
    const pod = await fakePod({ profiles: { cpu: withoutSamples(fixture('cpu')) } });
    const empty = await rejectionOf(fetchProfile(windowTarget(pod, 'cpu', 1), defaults), EmptyWindow);
    expect(empty.why).toBe('the program used no CPU time the profiler sampled');
  });

  it('an empty body, or a profile without sample types, in a window still fails TARGET_EMPTY', async () => {
    const pod = await fakePod({ faults: { block: 'empty' }, profiles: { mutex: noSampleTypes() } });
    expect((await failure(fetchProfile(windowTarget(pod, 'block', 1), defaults))).message).toMatch(/^the target returned an empty body/);
    const err = await failure(fetchProfile(windowTarget(pod, 'mutex', 1), defaults));
    expect(err.code).toBe('TARGET_EMPTY');
    expect(err.message).toMatch(/^profile has no samples and no sample types/);
  });

  it('without samples from a target that ignores ?seconds: an empty cumulative profile, a TARGET_EMPTY failure saying how it answered', async () => {
    const pod = await fakePod({ beforeGo116: true, profiles: { allocs: withoutSamples(fixture('allocs')) } });
    const err = await failure(fetchProfile(windowTarget(pod, 'allocs', 4), defaults));
    expect(err.code).toBe('TARGET_EMPTY');
    expect(err.message).toMatch(
      /^profile has no samples \(allocs profile of pod shop\/checkout-7d9f, GET http:.*\(the target answered \?seconds=4 after 0\.\d s: it ignores seconds/,
    );
  });

  it('without samples when asked again without ?seconds: a TARGET_EMPTY failure saying it was the second request', async () => {
    const pod = await fakePod({ writeTimeoutSeconds: 1, profiles: { block: withoutSamples(fixture('block')) } });
    const err = await failure(fetchProfile(windowTarget(pod, 'block', 1), defaults));
    expect(err.code).toBe('TARGET_EMPTY');
    expect(err.message).toContain('so it was asked without it)');
  });
});

describe('fetchProfile: a target that refuses ?seconds (bad input)', () => {
  it('a 400 to ?seconds (WriteTimeout not above N) is retried once without it; the profile is cumulative and says why', async () => {
    const pod = await fakePod({ writeTimeoutSeconds: 1 });
    const scraped = await fetchProfile(windowTarget(pod, 'allocs', 1), defaults);
    expect(pod.requests.map((r) => r.query)).toEqual([{ seconds: '1' }, {}]);
    expect(scraped.window?.kind).toBe('cumulative');
    expect(scraped.window?.kind === 'cumulative' && scraped.window.reason).toContain(
      'the target refused ?seconds=1 (HTTP 400 "profile duration exceeds server\'s WriteTimeout")',
    );
    expect(scraped.body.equals(fixture('allocs'))).toBe(true);
    // The profile is still the run's target (its identity and labels), not the retried URL.
    expect(scraped.target.url).toBe(pod.url('allocs', 1));
  });

  it('a CPU profile has no cumulative form: its 400 fails the profile, asked once', async () => {
    const pod = await fakePod({ writeTimeoutSeconds: 1 });
    const err = await failure(fetchProfile(windowTarget(pod, 'cpu', 1), defaults));
    expect(err.code).toBe('TARGET_HTTP_STATUS');
    expect(err.message).toContain('HTTP 400 (cpu profile of pod shop/checkout-7d9f, GET http://127.0.0.9:');
    expect(err.message).toContain("profile duration exceeds server's WriteTimeout");
    expect(pod.requests).toHaveLength(1);
  });

  it('other failures of a window request are not retried', async () => {
    const pod = await fakePod({ faults: { mutex: 'status500' } });
    const err = await failure(fetchProfile(windowTarget(pod, 'mutex', 1), defaults));
    expect(err.message).toContain('HTTP 500');
    expect(pod.requests).toHaveLength(1);
  });

  it('when the retry without seconds fails too, its error says it was the second request and why', async () => {
    const server = await answering((query) => (query.has('seconds') ? [400, 'seconds not supported here\n'] : [404, '404 page not found\n']));
    const target = makeTarget('block', { ip: '127.0.0.1', url: `http://127.0.0.1:${port(server)}/debug/pprof/block?seconds=1`, seconds: 1 });
    const err = await failure(fetchProfile(target, defaults));
    expect(err.code).toBe('TARGET_HTTP_STATUS');
    expect(err.message).toMatch(/^HTTP 404 \(block profile of pod shop\/checkout-7d9f, GET http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/block\)/);
    expect(err.message).toContain('(the target refused ?seconds=1 (HTTP 400 "seconds not supported here"), so it was asked without it)');
  });
});

describe('fetchProfile: a target that ignores ?seconds (Go before 1.16)', () => {
  it('a counter profile that arrives long before its window could end is cumulative, fetched once', async () => {
    const pod = await fakePod({ beforeGo116: true });
    const scraped = await fetchProfile(windowTarget(pod, 'block', 4), defaults);
    expect(scraped.window?.kind).toBe('cumulative');
    expect(scraped.window?.kind === 'cumulative' && scraped.window.reason).toMatch(/answered \?seconds=4 after 0\.\d s: it ignores seconds/);
    expect(pod.requests).toHaveLength(1);
  });
});

describe('fetchProfile: beforeBody', () => {
  it('reads nothing of the body until beforeBody resolves, and the clock waits meanwhile', async () => {
    const pod = await fakePod();
    const seen: string[] = [];
    let admit: () => void = () => {};
    const admitted = new Promise<void>((resolve) => {
      admit = resolve;
    });
    const fetching = fetchProfile(windowTarget(pod, 'mutex', 1), {
      ...defaults,
      // Less than the wait below: the fetch would time out if the clock ran while the body waits.
      timeoutMs: 200,
      onBytes: () => seen.push('bytes'),
      beforeBody: async () => {
        seen.push('answered');
        await admitted;
      },
    });
    while (!seen.includes('answered')) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(seen).toEqual(['answered']);
    admit();
    const scraped = await fetching;
    expect(seen.slice(0, 2)).toEqual(['answered', 'bytes']);
    expect(scraped.body.equals(fixture('mutex'))).toBe(true);
  });
});

/** A loopback HTTP server answering each request with the status and text `answer` picks from its query. */
async function answering(answer: (query: URLSearchParams) => [number, string]): Promise<Server> {
  const server = createServer((req, res) => {
    const [status, text] = answer(new URL(req.url ?? '/', 'http://x').searchParams);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A gzipped pprof Profile with a string table and neither sample types nor samples. */
function noSampleTypes(): Buffer {
  const str = (text: string) => Buffer.concat([Buffer.from([0x32, text.length]), Buffer.from(text)]);
  return gzipSync(Buffer.concat([str(''), str('alloc_space'), str('bytes')]));
}

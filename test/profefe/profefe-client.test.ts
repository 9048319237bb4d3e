import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { ProfefeError } from '../../src/profefe/profefe-error.js';
import type { CollectorType } from '../../src/profile-types.js';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { withoutSamples, withTimeNanos } from '../doubles/test-collector/profile-bytes.js';
import { rejectionOf } from '../expect-rejection.js';

let collector: TestCollector;
let client: ProfefeClient;
const TOKEN = 'Bearer s3cr3t-token-value';

beforeAll(async () => {
  collector = await startTestCollector();
  client = new ProfefeClient({ baseUrl: collector.url, headers: { Authorization: TOKEN } });
});
afterAll(async () => {
  await collector.close();
});
beforeEach(() => {
  collector.reset();
});

const WIDE = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };

function rejection(promise: Promise<unknown>): Promise<ProfefeError> {
  return rejectionOf(promise, ProfefeError);
}

describe('ProfefeClient.upload', () => {
  it('stores a profile and returns the item dated by the profile itself', async () => {
    const body = withTimeNanos(fixture('cpu'), new Date('2019-05-30T21:10:05.499Z'));
    const item = await client.upload(body, { service: 'api', type: 'cpu', labels: { pod: 'api-1', namespace: 'prod' } });
    expect(item).toEqual({
      id: expect.stringMatching(/^[0-9a-v]{20}$/),
      type: 'cpu',
      service: 'api',
      labels: [
        { key: 'namespace', value: 'prod' },
        { key: 'pod', value: 'api-1' },
      ],
      created_at: '2019-05-30T21:10:05Z',
    });
    expect(collector.profiles()[0]?.body?.equals(body)).toBe(true);
  });

  it('sends the configured headers with every request', async () => {
    await client.upload(fixture('heap'), { service: 'api', type: 'heap' });
    await client.services();
    expect(collector.uploads[0]?.headers.authorization).toBe(TOKEN);
    expect(collector.requests.map((r) => r.headers.authorization)).toEqual([TOKEN, TOKEN]);
  });

  it('returns labels: [] for a profile stored without labels', async () => {
    expect((await client.upload(fixture('goroutine'), { service: 'api', type: 'goroutine' })).labels).toEqual([]);
  });

  it('round-trips labels with , = % + and spaces in keys and values', async () => {
    const labels = { 'team,a=b': 'pay,ments=50%', note: 'a+b c', plain: 'x' };
    const item = await client.upload(fixture('cpu'), { service: 'api', type: 'cpu', labels });
    expect(Object.fromEntries(item.labels.map((l) => [l.key, l.value]))).toEqual(labels);
    await client.upload(fixture('cpu'), { service: 'api', type: 'cpu', labels: { ...labels, note: 'other' } });
    const found = await client.list({ service: 'api', ...WIDE, labels: { note: 'a+b c', 'team,a=b': 'pay,ments=50%' } });
    expect(found.map((p) => p.id)).toEqual([item.id]);
  });

  it.each([
    [
      'text instead of pprof',
      fixture('goroutine-debug1'),
      'goroutine',
      'malformed profile (could not parse pprof profile: parsing profile: unrecognized profile format)',
    ],
    ['an empty body', Buffer.alloc(0), 'cpu', 'malformed profile (could not parse pprof profile: parsing profile: empty input file)'],
    ['a truncated gzip', fixture('heap').subarray(0, 600), 'heap', 'malformed profile (could not parse pprof profile: decompressing profile: unexpected EOF)'],
    ['a profile without samples', withoutSamples(fixture('cpu')), 'cpu', 'malformed profile (could not parse pprof profile: profile is empty: no samples)'],
    ['an upper-case type', fixture('cpu'), 'CPU', 'bad request: unknown profile type'],
  ])('reports the collector 400 for %s verbatim, not retryable', async (_name, body, type, serverError) => {
    const err = await rejection(client.upload(body, { service: 'api', type: type as CollectorType }));
    expect(err.status).toBe(400);
    expect(err.serverError).toBe(serverError);
    expect(err.retryable).toBe(false);
    expect(err.method).toBe('POST');
    expect(err.url).toBe(`${collector.url}/api/0/profiles?service=api&type=${type}`);
    expect(err.message).toBe(`profefe at ${collector.url} answered 400 to POST /api/0/profiles: ${serverError}`);
  });

  it('reports a missing service', async () => {
    const err = await rejection(client.upload(fixture('cpu'), { service: '', type: 'cpu' }));
    expect(err.serverError).toBe('bad request: missing "service"');
  });
});

describe('ProfefeClient.list', () => {
  const at = (iso: string) => withTimeNanos(fixture('cpu'), new Date(iso));

  it('sends from/to as YYYY-MM-DDTHH:MM:SS with `to` rounded up to the next second', async () => {
    await client.list({ service: 'api', from: new Date('2019-05-30T21:00:00.700Z'), to: new Date('2019-05-30T21:10:05.200Z') });
    const sent = new URL(collector.requests[0]?.url ?? '', collector.url).searchParams;
    expect(sent.get('from')).toBe('2019-05-30T21:00:00');
    expect(sent.get('to')).toBe('2019-05-30T21:10:06');
  });

  it('finds a profile created within the second passed as `to` (its own created_at)', async () => {
    const item = await client.upload(at('2019-05-30T21:10:05.499Z'), { service: 'api', type: 'cpu' });
    const createdAt = new Date(item.created_at);
    const found = await client.list({ service: 'api', type: 'cpu', from: createdAt, to: createdAt });
    expect(found.map((p) => p.id)).toEqual([item.id]);
  });

  it('returns [] when the collector answers 404 nothing found', async () => {
    expect(await client.list({ service: 'nobody', ...WIDE })).toEqual([]);
  });

  it('returns items oldest first, filters by type and keeps the newest with limit', async () => {
    await client.upload(at('2019-05-30T12:00:00Z'), { service: 'api', type: 'cpu' });
    await client.upload(at('2019-05-30T10:00:00Z'), { service: 'api', type: 'cpu' });
    await client.upload(withTimeNanos(fixture('heap'), new Date('2019-05-30T11:00:00Z')), { service: 'api', type: 'heap' });
    const times = (items: Array<{ created_at: string }>) => items.map((p) => p.created_at.slice(11, 13));
    expect(times(await client.list({ service: 'api', ...WIDE }))).toEqual(['10', '11', '12']);
    expect(times(await client.list({ service: 'api', type: 'cpu', ...WIDE }))).toEqual(['10', '12']);
    expect(times(await client.list({ service: 'api', type: 'not-a-type', ...WIDE }))).toEqual(['10', '11', '12']);
    expect(times(await client.list({ service: 'api', ...WIDE, limit: 2 }))).toEqual(['11', '12']);
    expect(times(await client.list({ service: 'api', from: new Date('2019-05-30T10:30:00Z'), to: new Date('2019-05-30T11:00:00Z') }))).toEqual(['11']);
  });

  it('reports a 400 for an inverted range with the collector text', async () => {
    const err = await rejection(client.list({ service: 'api', from: WIDE.to, to: WIDE.from }));
    expect(err.status).toBe(400);
    expect(err.serverError).toBe('bad request: "from" is after "to"');
  });
});

describe('ProfefeClient.getProfiles, merge, services, version, profileUrl', () => {
  it('returns the stored bytes for one id, and profileUrl downloads the same bytes', async () => {
    const item = await client.upload(fixture('heap'), { service: 'api', type: 'heap' });
    expect((await client.getProfiles([item.id])).equals(fixture('heap'))).toBe(true);
    expect(client.profileUrl(item.id)).toBe(`${collector.url}/api/0/profiles/${item.id}`);
    const res = await request(client.profileUrl(item.id));
    expect(Buffer.from(await res.body.arrayBuffer()).equals(fixture('heap'))).toBe(true);
  });

  it('returns one gzipped pprof for several ids, skipping unknown ones', async () => {
    const a = await client.upload(fixture('cpu'), { service: 'api', type: 'cpu' });
    const b = await client.upload(fixture('cpu-large'), { service: 'api', type: 'cpu' });
    const merged = await client.getProfiles([a.id, b.id, 'dc150ar8di19klb9s89g']);
    expect(merged.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(gunzipSync(merged).length).toBeGreaterThan(gunzipSync(fixture('cpu-large')).length);
  });

  it('reports ids of different types as the collector 500, and unknown ids as nothing found', async () => {
    const cpu = await client.upload(fixture('cpu'), { service: 'api', type: 'cpu' });
    const heap = await client.upload(fixture('heap'), { service: 'api', type: 'heap' });
    const mixed = await rejection(client.getProfiles([cpu.id, heap.id]));
    expect([mixed.status, mixed.serverError]).toEqual([500, `failed to get profile by id "${cpu.id}+${heap.id}"`]);
    const unknown = await rejection(client.getProfiles(['dc150ar8di19klb9s89g']));
    expect(unknown.nothingFound).toBe(true);
  });

  it('refuses a malformed id before sending anything', async () => {
    await expect(client.getProfiles(['../services'])).rejects.toThrow(/"..\/services" is not a profefe profile id/);
    await expect(client.getProfiles([])).rejects.toThrow(RangeError);
    expect(collector.requests).toHaveLength(0);
  });

  it('merge: nothing found, the stored bytes for one match, a 405 for traces', async () => {
    const q = { service: 'api', type: 'cpu', ...WIDE };
    expect((await rejection(client.merge(q))).nothingFound).toBe(true);
    await client.upload(fixture('cpu'), { service: 'api', type: 'cpu' });
    expect((await client.merge(q)).equals(fixture('cpu'))).toBe(true);
    const trace = await rejection(client.merge({ ...q, type: 'trace' }));
    expect([trace.status, trace.serverError, trace.retryable]).toEqual([405, "can't merge profiles of unknown type", false]);
  });

  it('services: [] when the collector stores nothing, then the sorted names', async () => {
    expect(await client.services()).toEqual([]);
    await client.upload(fixture('cpu'), { service: 'web', type: 'cpu' });
    await client.upload(fixture('cpu'), { service: 'api', type: 'cpu' });
    expect(await client.services()).toEqual(['api', 'web']);
  });

  it('version', async () => {
    expect(await client.version()).toEqual({ version: '0.0.0-test', commit: 'test-collector', build_time: '2024-01-01T00:00:00Z', go_version: 'go1.19.8' });
  });
});

describe('ProfefeClient errors', () => {
  it('5xx and 429 are retryable, with the collector text', async () => {
    collector.failNext(1, 503, 'storage is busy');
    const unavailable = await rejection(client.upload(fixture('cpu'), { service: 'api', type: 'cpu' }));
    expect([unavailable.status, unavailable.serverError, unavailable.retryable]).toEqual([503, 'storage is busy', true]);
    collector.failNext(1, 429);
    expect((await rejection(client.services())).retryable).toBe(true);
  });

  it('a non-profefe answer (a proxy page) is reported with its start, and a 404 page is not "nothing found"', async () => {
    collector.failNextRaw(1, 502, '<html><body>502 Bad Gateway</body></html>');
    const proxy = await rejection(client.list({ service: 'api', ...WIDE }));
    expect(proxy.serverError).toBeUndefined();
    expect(proxy.message).toContain('answered 502 to GET /api/0/profiles with a body that is not a profefe reply: "<html><body>502 Bad Gateway</body></html>"');
    collector.failNextRaw(1, 404, '404 page not found\n', 'text/plain');
    expect((await rejection(client.list({ service: 'api', ...WIDE }))).nothingFound).toBe(false);
  });

  it('a 200 that is not an envelope is a bad reply; a redirect is not followed', async () => {
    collector.failNextRaw(1, 200, '<html>login</html>');
    const bad = await rejection(client.services());
    expect([bad.kind, bad.retryable]).toEqual(['bad-reply', false]);
    expect(bad.message).toMatch(/Check that the URL points at the profefe collector$/);
    collector.failNextRaw(1, 302, '');
    const redirect = await rejection(client.services());
    expect([redirect.status, redirect.retryable]).toEqual([302, false]);
    expect(redirect.message).toContain('Redirects are not followed');
  });

  it('a 401 from a proxy says to check the headers', async () => {
    collector.failNextRaw(1, 401, 'Unauthorized');
    const err = await rejection(client.upload(fixture('cpu'), { service: 'api', type: 'cpu' }));
    expect([err.status, err.retryable]).toEqual([401, false]);
    expect(err.message).toContain('check the headers configured for the collector');
  });

  it('a collector that is down is a retryable network error without status', async () => {
    collector.setDown(true);
    try {
      const err = await rejection(client.services());
      const again = await rejection(client.services());
      for (const e of [err, again]) {
        expect([e.kind, e.status, e.retryable]).toEqual(['network', undefined, true]);
        expect(e.message).toMatch(new RegExp(`^could not reach profefe at ${collector.url} \\(GET /api/0/services\\): .+\\. Check the collector URL`));
      }
    } finally {
      collector.setDown(false);
    }
  });

  it('a hung request times out (retryable), and an aborted one is not retryable', async () => {
    const quick = new ProfefeClient({ baseUrl: collector.url, timeoutMs: 300 });
    collector.hangNext(1);
    const timeout = await rejection(quick.version());
    expect([timeout.kind, timeout.retryable]).toEqual(['timeout', true]);
    expect(timeout.message).toBe(`profefe at ${collector.url} did not answer GET /api/0/version within 300ms`);
    collector.hangNext(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await rejection(client.version({ signal: controller.signal }));
    expect([aborted.kind, aborted.retryable]).toEqual(['aborted', false]);
  });

  it('never puts header values in errors', async () => {
    collector.failNext(1, 500, 'boom');
    const err = await rejection(client.upload(fixture('cpu'), { service: 'api', type: 'cpu' }));
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain('s3cr3t');
  });
});

describe('ProfefeClient base URL', () => {
  it('drops a trailing slash and turns user:password into basic auth, keeping it out of URLs', async () => {
    const url = new URL(collector.url);
    const withAuth = new ProfefeClient({ baseUrl: `http://alice:p%40ss@${url.host}/` });
    expect(withAuth.baseUrl).toBe(collector.url);
    await withAuth.services();
    expect(collector.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('alice:p@ss').toString('base64')}`);
    expect(withAuth.profileUrl('dc150ar8di19klb9s89g')).toBe(`${collector.url}/api/0/profiles/dc150ar8di19klb9s89g`);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new ProfefeClient({ baseUrl: 'collector:10100' })).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => new ProfefeClient({ baseUrl: 'not a url' })).toThrow(/is not a URL/);
  });

  it('refuses malformed headers without quoting their values', () => {
    expect(() => new ProfefeClient({ baseUrl: collector.url, headers: { 'Bad Name': 'x' } })).toThrow(/header name "Bad Name"/);
    const make = () => new ProfefeClient({ baseUrl: collector.url, headers: { Authorization: 'Bearer abc\r\nX-Evil: 1' } });
    expect(make).toThrow(/header "Authorization" for the profefe collector has a line break/);
    expect(make).not.toThrow(/abc/);
  });
});

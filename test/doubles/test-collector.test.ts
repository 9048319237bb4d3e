import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';
import { startTestCollector, type TestCollector } from './test-collector.js';
import { withoutSamples, withTimeNanos } from './test-collector/profile-bytes.js';

/**
 * The test collector against docs/profefe-api.md, with plain HTTP requests (no client
 * code): if it drifts from the real server, every test that relies on it is wrong.
 */

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.close();
});
beforeEach(() => {
  collector.reset();
});

async function call(method: 'GET' | 'POST', path: string, body?: Buffer | Readable) {
  const res = await request(`${collector.url}${path}`, { method, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

async function upload(body: Buffer, query = 'service=svc&type=cpu') {
  const res = await call('POST', `/api/0/profiles?${query}`, body);
  return { ...res, json: JSON.parse(res.text) as { code: number; body?: Record<string, unknown>; error?: string } };
}

const RANGE = 'from=2000-01-01T00:00:00&to=2100-01-01T00:00:00';

describe('test collector: envelope and content types', () => {
  it('answers an upload 200 (never 201) with the item in {"code":200,"body":...}\\n as text/plain', async () => {
    const res = await upload(fixture('cpu'), 'service=svc&type=cpu&labels=b=2,a=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text.endsWith('}\n')).toBe(true);
    expect(res.json.code).toBe(200);
    const item = res.json.body as Record<string, unknown>;
    expect(Object.keys(item)).toEqual(['id', 'type', 'service', 'labels', 'created_at']);
    expect(item.id).toMatch(/^[0-9a-v]{20}$/);
    expect(item.labels).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
  });

  it('leaves labels out of an item that has none, and dates it by the profile time_nanos', async () => {
    const res = await upload(withTimeNanos(fixture('heap'), new Date('2019-05-30T21:10:05.750Z')), 'service=svc&type=heap');
    expect(res.json.body).toEqual({ id: expect.any(String), type: 'heap', service: 'svc', created_at: '2019-05-30T21:10:05Z' });
  });

  it('labels errors of binary endpoints application/octet-stream and JSON ones text/plain', async () => {
    const get = await call('GET', '/api/0/profiles/dc150ar8di19klb9s89g');
    expect(get.status).toBe(404);
    expect(get.headers['content-type']).toBe('application/octet-stream');
    expect(get.text).toBe('{"code":404,"error":"nothing found"}\n');
    const list = await call('GET', `/api/0/profiles?service=none&${RANGE}`);
    expect(list.status).toBe(404);
    expect(list.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(list.text).toBe('{"code":404,"error":"nothing found"}\n');
  });
});

describe('test collector: upload validation', () => {
  const malformed = (detail: string) => `malformed profile (could not parse pprof profile: ${detail})`;
  it.each([
    ['missing service', 'type=cpu', fixture('cpu'), 'bad request: missing "service"'],
    ['empty service', 'service=&type=cpu', fixture('cpu'), 'bad request: missing "service"'],
    ['missing type', 'service=svc', fixture('cpu'), 'bad request: unknown profile type'],
    ['upper-case type', 'service=svc&type=CPU', fixture('cpu'), 'bad request: unknown profile type'],
    ['allocs type', 'service=svc&type=allocs', fixture('allocs'), 'bad request: unknown profile type'],
    ['text body', 'service=svc&type=goroutine', fixture('goroutine-debug1'), malformed('parsing profile: unrecognized profile format')],
    ['HTML body', 'service=svc&type=cpu', Buffer.from('<html><body>502 Bad Gateway</body></html>'), malformed('parsing profile: unrecognized profile format')],
    [
      'multipart body',
      'service=svc&type=cpu',
      Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="p"; filename="cpu"\r\n\r\n'), fixture('cpu'), Buffer.from('\r\n--b--\r\n')]),
      malformed('parsing profile: unrecognized profile format'),
    ],
    ['empty body', 'service=svc&type=cpu', Buffer.alloc(0), malformed('parsing profile: empty input file')],
    ['truncated gzip', 'service=svc&type=cpu', fixture('cpu').subarray(0, 1200), malformed('decompressing profile: unexpected EOF')],
    ['truncated large gzip', 'service=svc&type=heap', fixture('heap-large').subarray(0, 1_000_000), malformed('decompressing profile: unexpected EOF')],
    ['gzipped text', 'service=svc&type=goroutine', gzipSync(fixture('goroutine-debug1')), malformed('parsing profile: unrecognized profile format')],
    ['zero samples', 'service=svc&type=cpu', withoutSamples(fixture('cpu')), malformed('profile is empty: no samples')],
  ])('%s -> 400 with the collector text', async (_name, query, body, error) => {
    const res = await upload(body, query);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 400, error });
    expect(collector.profiles()).toHaveLength(0);
  });

  it('accepts raw (not gzipped) protobuf and chunked bodies, storing the bytes as sent', async () => {
    const raw = gunzipSync(fixture('goroutine'));
    expect((await upload(raw, 'service=svc&type=goroutine')).status).toBe(200);
    const chunked = await call(
      'POST',
      '/api/0/profiles?service=svc&type=heap',
      Readable.from([fixture('heap').subarray(0, 100), fixture('heap').subarray(100)]),
    );
    expect(chunked.status).toBe(200);
    expect(collector.uploads[1]?.headers['transfer-encoding']).toBe('chunked');
    const stored = collector.profiles();
    expect(stored.map((p) => p.body?.equals(p.type === 'goroutine' ? raw : fixture('heap')))).toEqual([true, true]);
  });
});

describe('test collector: list', () => {
  const at = (iso: string, extraNanos = 0n) => withTimeNanos(fixture('cpu'), new Date(iso), extraNanos);

  it('treats from and to as inclusive at nanosecond precision', async () => {
    await upload(at('2019-05-30T21:10:05.499Z'));
    await upload(at('2019-05-30T21:10:04.000Z'));
    const list = async (from: string, to: string) => {
      const res = await call('GET', `/api/0/profiles?service=svc&from=${from}&to=${to}`);
      return res.status === 200 ? (JSON.parse(res.text).body as Array<{ created_at: string }>).map((p) => p.created_at) : res.status;
    };
    expect(await list('2019-05-30T21:10:04', '2019-05-30T21:10:05')).toEqual(['2019-05-30T21:10:04Z']);
    expect(await list('2019-05-30T21:10:04', '2019-05-30T21:10:06')).toEqual(['2019-05-30T21:10:04Z', '2019-05-30T21:10:05Z']);
    expect(await list('2019-05-30T21:10:05', '2019-05-30T21:10:05')).toBe(404);
  });

  it('refuses times that are not exactly YYYY-MM-DDTHH:MM:SS, and missing parameters', async () => {
    for (const bad of ['2019-05-30T21:10:05Z', '2019-05-30T21:10:05%2B02:00', '2019-05-30T21:10:05.5', '1559250605']) {
      const res = await call('GET', `/api/0/profiles?service=svc&from=${bad}&to=2019-06-01T00:00:00`);
      expect(res.status, bad).toBe(400);
      expect(JSON.parse(res.text).error).toMatch(/^bad request: time in unsupported format/);
    }
    expect(JSON.parse((await call('GET', '/api/0/profiles?service=svc&to=2019-06-01T00:00:00')).text).error).toBe('bad request: missing "from"');
    expect(JSON.parse((await call('GET', `/api/0/profiles?${RANGE}`)).text).error).toBe('bad request: missing "service"');
    expect((await call('GET', '/api/0/profiles?service=svc&from=2019-06-02T00:00:00&to=2019-06-01T00:00:00')).status).toBe(400);
  });

  it('ignores an unknown type, filters a known one, and keeps the N newest with limit', async () => {
    await upload(at('2019-05-30T10:00:00Z'));
    await upload(withTimeNanos(fixture('heap'), new Date('2019-05-30T11:00:00Z')), 'service=svc&type=heap');
    await upload(at('2019-05-30T12:00:00Z'));
    const list = async (query: string) =>
      (JSON.parse((await call('GET', `/api/0/profiles?service=svc&${RANGE}&${query}`)).text).body as Array<{ type: string; created_at: string }>).map(
        (p) => `${p.type}@${p.created_at.slice(11, 13)}`,
      );
    expect(await list('type=nonsense')).toEqual(['cpu@10', 'heap@11', 'cpu@12']);
    expect(await list('type=cpu')).toEqual(['cpu@10', 'cpu@12']);
    expect(await list('limit=2')).toEqual(['heap@11', 'cpu@12']);
  });

  it('filters by labels, unescaping each key and value (+ is a space)', async () => {
    await upload(fixture('cpu'), 'service=svc&type=cpu&labels=team%3Dpay%252Cments,env%3Dpro+d');
    await upload(fixture('cpu'), 'service=svc&type=cpu&labels=team%3Dother');
    expect(collector.profiles()[0]?.labels).toEqual({ team: 'pay,ments', env: 'pro d' });
    const res = await call('GET', `/api/0/profiles?service=svc&${RANGE}&labels=team%3Dpay%252Cments`);
    expect(JSON.parse(res.text).body).toHaveLength(1);
  });
});

describe('test collector: get, merge, services, version', () => {
  it('serves a stored profile byte-identical with Content-Disposition, by id or id prefix', async () => {
    const id = ((await upload(fixture('cpu'))).json.body as { id: string }).id;
    const res = await call('GET', `/api/0/profiles/${id}`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(fixture('cpu'))).toBe(true);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}"`);
    expect((await call('GET', `/api/0/profiles/${id.slice(0, 12)}`)).bytes.equals(fixture('cpu'))).toBe(true);
  });

  it('merges id1+id2 (or %2B), skips unknown ids, and answers 500 for mixed types or malformed ids', async () => {
    const a = ((await upload(fixture('cpu'))).json.body as { id: string }).id;
    const b = ((await upload(fixture('cpu-large'))).json.body as { id: string }).id;
    const h = ((await upload(fixture('heap'), 'service=svc&type=heap')).json.body as { id: string }).id;
    const plus = await call('GET', `/api/0/profiles/${a}+${b}+dc150ar8di19klb9s89g`);
    const encoded = await call('GET', `/api/0/profiles/${a}%2B${b}`);
    expect(plus.status).toBe(200);
    expect(plus.bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(gunzipSync(encoded.bytes).equals(gunzipSync(plus.bytes))).toBe(true);
    const mixed = await call('GET', `/api/0/profiles/${a}+${h}`);
    expect(mixed.status).toBe(500);
    expect(JSON.parse(mixed.text).error).toBe(`failed to get profile by id "${a}+${h}"`);
    expect((await call('GET', '/api/0/profiles/not-an-id!')).status).toBe(500);
    expect((await call('GET', '/api/0/profiles/dc150ar8di19klb9s89g+dc150ar8di19klb9s8a0')).status).toBe(404);
  });

  it('merge: 405 without a type or for traces, 404 when nothing matches, stored bytes for one match', async () => {
    const q = `service=svc&${RANGE}`;
    expect((await call('GET', `/api/0/profiles/merge?${q}`)).status).toBe(405);
    const trace = await call('GET', `/api/0/profiles/merge?${q}&type=trace`);
    expect([trace.status, JSON.parse(trace.text).error]).toEqual([405, "can't merge profiles of unknown type"]);
    expect((await call('GET', `/api/0/profiles/merge?${q}&type=cpu`)).status).toBe(404);
    await upload(fixture('cpu'));
    expect((await call('GET', `/api/0/profiles/merge?${q}&type=cpu`)).bytes.equals(fixture('cpu'))).toBe(true);
  });

  it('services: 404 while empty, then the sorted names; version; anything else under /api/0/ is 404', async () => {
    expect((await call('GET', '/api/0/services')).status).toBe(404);
    await upload(fixture('cpu'), 'service=zeta&type=cpu');
    await upload(fixture('cpu'), 'service=alpha&type=cpu');
    expect(JSON.parse((await call('GET', '/api/0/services')).text)).toEqual({ code: 200, body: ['alpha', 'zeta'] });
    const version = JSON.parse((await call('GET', '/api/0/version')).text);
    expect(Object.keys(version.body)).toEqual(['version', 'commit', 'build_time', 'go_version']);
    expect((await call('GET', '/api/0/profilez')).text).toBe('{"code":404,"error":"nothing found"}\n');
  });
});

describe('test collector: fault injection', () => {
  it('failNext answers the next requests with the envelope, then behaves again', async () => {
    collector.failNext(1, 503, 'try later');
    const failed = await upload(fixture('cpu'));
    expect([failed.status, failed.json]).toEqual([503, { code: 503, error: 'try later' }]);
    expect((await upload(fixture('cpu'))).status).toBe(200);
    expect(collector.uploads.map((u) => u.status)).toEqual([503, 200]);
  });

  it('setDown refuses every connection until it is lifted', async () => {
    collector.setDown(true);
    // The first request may die with the kept-alive socket setDown destroyed; the second opens a new one.
    await expect(call('GET', '/api/0/version')).rejects.toThrow();
    await expect(call('GET', '/api/0/version')).rejects.toThrow();
    expect(collector.refusedConnections).toBeGreaterThan(0);
    collector.setDown(false);
    expect((await call('GET', '/api/0/version')).status).toBe(200);
  });
});

import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_TYPES } from '../../src/profile-types.js';
import { loopbackIp, startFakePod, startFakePods, type FakePod } from './fake-pod.js';
import { fixture } from './fixtures.js';

async function get(url: string, signal?: AbortSignal) {
  const response = await request(url, signal ? { signal } : {});
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body, text: body.toString('utf8') };
}

describe('startFakePod serves net/http/pprof like a Go program', () => {
  let pod: FakePod;
  beforeAll(async () => {
    pod = await startFakePod({ host: '127.0.3.4' });
  });
  afterAll(async () => {
    await pod.close();
  });

  it('listens on the requested loopback address', () => {
    expect(pod.ip).toBe('127.0.3.4');
    expect(pod.host).toBe(`127.0.3.4:${pod.port}`);
    expect(pod.url('heap')).toBe(`http://127.0.3.4:${pod.port}/debug/pprof/heap`);
    expect(pod.url('cpu', 5)).toBe(`http://127.0.3.4:${pod.port}/debug/pprof/profile?seconds=5`);
  });

  it.each(PROFILE_TYPES.filter((t) => t !== 'cpu'))('serves %s with Go’s headers', async (type) => {
    const response = await get(pod.url(type));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${type}"`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.equals(fixture(type))).toBe(true);
    // Go's net/http declares a length only for output under its 2048-byte chunking buffer.
    if (response.body.length <= 2048) expect(response.headers['content-length']).toBe(String(response.body.length));
    else expect([response.headers['content-length'], response.headers['transfer-encoding']]).toEqual([undefined, 'chunked']);
  });

  it('answers /profile?seconds=1 after a second, as "profile"', async () => {
    const started = Date.now();
    const response = await get(pod.url('cpu', 1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="profile"');
    expect(response.body.equals(fixture('cpu'))).toBe(true);
    expect(pod.requests.at(-1)).toMatchObject({ path: '/debug/pprof/profile', query: { seconds: '1' }, finished: true });
  });

  it('falls back to 30 s for a CPU profile with an unparsable seconds, like Go', async () => {
    const controller = new AbortController();
    const pending = get(`${pod.url('cpu')}?seconds=1.5`, controller.signal);
    const outcome = await Promise.race([pending.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 1800))]);
    controller.abort();
    await pending.catch(() => undefined);
    expect(outcome).toBe('waiting');
  });

  it('refuses a second CPU profile while one runs, like runtime/pprof', async () => {
    const first = get(pod.url('cpu', 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await get(pod.url('cpu', 1));
    expect(second.status).toBe(500);
    expect(second.text).toBe('Could not enable CPU profiling: cpu profiling already in use\n');
    expect((await first).status).toBe(200);
  });

  it('rejects a non-integer seconds on a named profile with 400, like Go', async () => {
    const response = await get(`${pod.url('heap')}?seconds=abc`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.text).toBe('invalid value for "seconds" - must be a positive integer\n');
  });

  it('serves a delta profile for a named profile with seconds', async () => {
    const started = Date.now();
    const response = await get(`${pod.url('heap')}?seconds=1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(response.headers['content-disposition']).toBe('attachment; filename="heap-delta"');
  });

  it('serves ?debug=1 as text', async () => {
    const response = await get(`${pod.url('goroutine')}?debug=1`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body.equals(fixture('goroutine-debug1'))).toBe(true);
  });

  it('answers unknown paths like Go', async () => {
    const base = `http://${pod.host}`;
    const unknownProfile = await get(`${base}/debug/pprof/nope`);
    expect(unknownProfile.status).toBe(404);
    expect(unknownProfile.text).toBe('Unknown profile\n');
    const outside = await get(`${base}/metrics`);
    expect(outside.status).toBe(404);
    expect(outside.text).toBe('404 page not found\n');
    const bare = await get(`${base}/debug/pprof`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/debug/pprof/');
    const index = await get(`${base}/debug/pprof/`);
    expect(index.status).toBe(200);
    expect(index.text).toContain("<a href='heap?debug=1'>heap</a>");
  });
});

describe('startFakePod response framing', () => {
  it('sends a profile larger than 2048 bytes chunked, without Content-Length, as Go does', async () => {
    const pod = await startFakePod({ host: '127.0.3.5', profiles: { heap: fixture('heap-large') } });
    try {
      const response = await get(pod.url('heap'));
      expect(response.headers['content-length']).toBeUndefined();
      expect(response.headers['transfer-encoding']).toBe('chunked');
      expect(response.body.equals(fixture('heap-large'))).toBe(true);
    } finally {
      await pod.close();
    }
  });
});

describe('startFakePod options', () => {
  it('mounts pprof under another prefix and serves given profiles', async () => {
    const pod = await startFakePod({ prefix: '/internal/pprof/', profiles: { heap: fixture('heap-large') } });
    try {
      expect(pod.url('heap')).toBe(`http://127.0.0.1:${pod.port}/internal/pprof/heap`);
      expect((await get(pod.url('heap'))).body.equals(fixture('heap-large'))).toBe(true);
      expect((await get(`http://${pod.host}/debug/pprof/heap`)).status).toBe(404);
    } finally {
      await pod.close();
    }
  });

  it('applies faults from the options and closes with requests still hanging', async () => {
    const pod = await startFakePod({ faults: { heap: 'hang', goroutine: 'text' } });
    const text = await get(pod.url('goroutine'));
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    const hanging = get(pod.url('heap')).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pod.requests.map((r) => r.path)).toEqual(['/debug/pprof/goroutine', '/debug/pprof/heap']);
    await pod.close();
    expect(await hanging).toBe('failed');
  });
});

describe('startFakePods', () => {
  it('numbers loopback addresses without .0 and .255', () => {
    expect(loopbackIp(0)).toBe('127.0.0.1');
    expect(loopbackIp(253)).toBe('127.0.0.254');
    expect(loopbackIp(254)).toBe('127.0.1.1');
    expect(loopbackIp(5000)).toBe('127.0.19.175');
  });

  it('starts pods on distinct loopback IPs that each serve their profiles', async () => {
    const fleet = await startFakePods(300);
    const lastUrl = fleet.pods[299]!.url('heap');
    try {
      const ips = new Set(fleet.pods.map((pod) => pod.ip));
      expect(ips.size).toBe(300);
      expect(fleet.pods[299]!.ip).toBe('127.0.1.46');
      const sample = [fleet.pods[0]!, fleet.pods[150]!, fleet.pods[299]!];
      for (const pod of sample) {
        const response = await get(pod.url('mutex'));
        expect(response.body.equals(fixture('mutex'))).toBe(true);
        expect(pod.requests).toHaveLength(1);
      }
    } finally {
      await fleet.close();
    }
    await expect(get(lastUrl)).rejects.toThrow(/ECONNREFUSED/);
  });
});

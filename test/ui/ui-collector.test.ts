/**
 * The UI's pages and API over the test collector (through the real client), without a browser:
 * the numbers against go tool pprof, and each fault: an empty range, profiles of different
 * kinds, a profile gone since the listing, the collector down then back, hostile names.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { vanishingProxy } from '../doubles/vanishing-proxy.js';
import { seed, tempFile, withTime } from '../plugin/plugin-harness.js';
import { expectPrintedAs, goPprofTop, type PprofTop, parsePprofValue } from '../pprof/go-pprof.js';
import { collectorUi, type RunningUi, withFunctionRenamed, XSS_NAME } from './ui-harness.js';

const at = (minute: string): Date => new Date(`2026-11-20T10:${minute}:00Z`);
const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-20T09:00:00Z&to=2026-11-20T11:00:00Z';

let c: TestCollector;
let ui: RunningUi | undefined;
beforeAll(async () => {
  c = await startTestCollector();
});
afterEach(async () => {
  await ui?.close();
  ui = undefined;
  c.setDown(false);
  c.reset();
});
afterAll(() => c.close());

async function open(url = c.url): Promise<RunningUi> {
  ui = await collectorUi(url, NOW);
  return ui;
}

interface TopJson {
  listed: number;
  used: number;
  skipped: Array<{ id: string; reason: string }>;
  top: { total: number; rows: Array<{ name: string; flat: number; cum: number; flatText: string; cumText: string }> } | null;
}

describe('kubectl profefe ui over a collector', () => {
  it('lists the services and their types; the merged top table has go tool pprof -top numbers of the same profiles', async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('20'));
    await seed(c, a, { service: 'api', type: 'cpu', labels: { pod: 'api-1' } });
    await seed(c, b, { service: 'api', type: 'cpu', labels: { pod: 'api-2' } });
    await seed(c, withTime(fixture('heap'), at('30')), { service: 'web', type: 'heap' });
    const running = await open();
    expect((await running.json('/api/services')).body).toEqual({ source: `collector ${c.url}`, services: ['api', 'web'] });
    const types = await running.json<{ types: Array<{ type: string; profiles: number }> }>(`/api/types?service=api&${RANGE}`);
    expect(types.body.types.map((t) => [t.type, t.profiles])).toEqual([['cpu', 2]]);

    const top = await running.json<TopJson>(`/api/top?service=api&type=cpu&${RANGE}`);
    expect(top.body).toMatchObject({ listed: 2, used: 2, skipped: [] });
    const reference = await goPprofTop(await tempFile('a.pb.gz', a), [await tempFile('b.pb.gz', b)]);
    expect(top.body.top?.rows.map((r) => [r.name, r.flatText, r.cumText])).toEqual(reference.rows.map((r) => [r.name, r.flat, r.cum]));

    const page = await running.get(`/view?service=api&type=cpu&${RANGE}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Merged 2 of 2 profiles.');
    expect(page.text).toContain('data-pod="api-1"');
    expect(page.text).toContain('data-pod="api-2"');
    const first = reference.rows[0]!;
    expect(page.text).toContain(`<td>${first.flat}</td><td>${first.flatPercent.trim()}</td><td>${first.sumPercent.trim()}</td><td>${first.cum}</td>`);
  });

  it('the download is the merged profile: go tool pprof reads it from the URL the page prints', async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('20'));
    await seed(c, a, { service: 'api', type: 'cpu' });
    await seed(c, b, { service: 'api', type: 'cpu' });
    const running = await open();
    const page = await running.get(`/view?service=api&type=cpu&${RANGE}`);
    const command = /<code class="cmd pprof-url-command">go tool pprof -http=: '(.*?)'<\/code>/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    expect(command).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/download\?service=api&type=cpu&from=2026-11-20T09%3A00%3A00\.000Z&to=2026-11-20T11%3A00%3A00\.000Z$/);
    const fromUrl = await goPprofTop(command!);
    const reference = await goPprofTop(await tempFile('a.pb.gz', a), [await tempFile('b.pb.gz', b)]);
    expect(fromUrl.rows).toEqual(reference.rows);
  });

  it('heap: the sample type picked in the URL (alloc_space) is the one the top table and the flame graph show, as go tool pprof -sample_index', async () => {
    const heap = withTime(fixture('heap'), at('10'));
    await seed(c, heap, { service: 'api', type: 'heap' });
    const running = await open();
    const top = await running.json<TopJson>(`/api/top?service=api&type=heap&sample=alloc_space&${RANGE}`);
    const reference = await goPprofTop(await tempFile('heap.pb.gz', heap), ['-sample_index=alloc_space']);
    expect(top.body.top?.rows.map((r) => [r.name, r.flatText, r.cumText])).toEqual(reference.rows.map((r) => [r.name, r.flat, r.cum]));
    const flame = await running.json<{ flame: { sampleType: { type: string }; total: number } }>(
      `/api/flame?service=api&type=heap&sample=alloc_space&${RANGE}`,
    );
    expect(flame.body.flame.sampleType.type).toBe('alloc_space');
    expectPrintedAs(flame.body.flame.total, pprofTotal(reference));
    const page = await running.get(`/view?service=api&type=heap&sample=alloc_space&${RANGE}`);
    expect(page.text).toContain('Sample type: <a href="/view?service=api&amp;type=heap&amp;from=');
    expect(page.text).toContain('<strong>alloc_space</strong>');
  });

  it('a range with no profiles: an empty state that says so and offers wider ranges', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const running = await open();
    const page = await running.get('/view?service=api&type=cpu&from=15m');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No cpu profiles of api from 2026-11-20 11:45:00Z to 2026-11-20 12:00:00Z.');
    expect(page.text).toContain('Try a wider range: <a href="/view?service=api&amp;type=cpu&amp;from=1h&amp;to=now">last 1h</a>');
    expect(page.text).toContain('last 30d</a>');
    expect(page.text).not.toContain('last 15m</a>');
  });

  it('profiles of different kinds in one merge: refused, naming both ids and their types', async () => {
    const cpu = await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const heap = await seed(c, withTime(fixture('heap'), at('11')), { service: 'api', type: 'cpu' });
    const running = await open();
    const page = await running.get(`/view?service=api&type=cpu&${RANGE}`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('These profiles cannot be shown');
    expect(page.text).toMatch(new RegExp(`cannot merge ${heap.id} with ${cpu.id}: ${heap.id} has sample types .*alloc_objects.*, ${cpu.id} has .*cpu`));
    expect(page.text).toContain(`profiles ${cpu.id} (stored as type cpu) and ${heap.id} (stored as type cpu) are not of the same kind`);
    const api = await running.json<{ error: string; kind: string }>(`/api/top?service=api&type=cpu&${RANGE}`);
    expect(api.status).toBe(422);
    expect(api.body.error).toContain(heap.id);
  });

  it('a profile gone from the collector since the listing: named with its reason, the rest merged, the page says how many were used', async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('12'));
    await seed(c, a, { service: 'api', type: 'cpu' });
    const gone = await seed(c, withTime(fixture('cpu'), at('11')), { service: 'api', type: 'cpu' });
    await seed(c, b, { service: 'api', type: 'cpu' });
    const proxy = await vanishingProxy(c.url, gone.id);
    try {
      const running = await open(proxy.url);
      const page = await running.get(`/view?service=api&type=cpu&${RANGE}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Merged 2 of 3 profiles.');
      expect(page.text).toContain(`<li><code>${gone.id}</code>: 404 nothing found</li>`);
      const top = await running.json<TopJson>(`/api/top?service=api&type=cpu&${RANGE}`);
      const reference = await goPprofTop(await tempFile('a.pb.gz', a), [await tempFile('b.pb.gz', b)]);
      expect(top.body.top?.rows.map((r) => r.cumText)).toEqual(reference.rows.map((r) => r.cum));
    } finally {
      await proxy.close();
    }
  });

  it('the collector down while the UI runs: the page shows the error and reloads itself; the next request works when it is back', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const running = await open();
    c.setDown(true);
    const down = await running.get(`/view?service=api&type=cpu&${RANGE}`);
    expect(down.status).toBe(503);
    expect(down.text).toContain('The profile source is not answering');
    expect(down.text).toContain(`profefe at ${c.url}`);
    expect(down.text).toContain('<meta http-equiv="refresh" content="3">');
    expect((await running.json('/api/services')).status).toBe(503);
    c.setDown(false);
    const back = await running.get(`/view?service=api&type=cpu&${RANGE}`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Merged 1 of 1 profile.');
    expect(back.text).not.toContain('http-equiv="refresh"');
  });

  it('function names, services and labels are escaped everywhere: a function named <img src=x onerror=alert(1)> is text', async () => {
    const heaviest = (await goPprofTop(await tempFile('cpu.pb.gz', fixture('cpu')))).rows[0]!.name;
    const hostile = withFunctionRenamed(withTime(fixture('cpu'), at('10')), heaviest, XSS_NAME);
    await seed(c, hostile, { service: 'api', type: 'cpu', labels: { pod: XSS_NAME } });
    await seed(c, withTime(fixture('cpu'), at('12')), { service: 'api', type: 'cpu', labels: { pod: 'api-2' } });
    await seed(c, withTime(fixture('cpu'), at('10')), { service: XSS_NAME, type: 'cpu' });
    const running = await open();
    const pages = [
      '/',
      `/view?service=api&type=cpu&${RANGE}`,
      `/breakdown?service=api&type=cpu&by=pod&${RANGE}`,
      `/compare?service=api&type=cpu&${RANGE}&base_labels=pod%3Dapi-2`,
      `/fleet?type=cpu&${RANGE}`,
      `/view?service=${encodeURIComponent(XSS_NAME)}&type=heap&${RANGE}`,
    ];
    for (const path of pages) {
      const page = await running.get(path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain('<img');
      expect(page.text, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    const top = await running.json<TopJson>(`/api/top?service=api&type=cpu&${RANGE}`);
    expect(top.body.top?.rows[0]?.name).toBe(XSS_NAME);
  });

  it('compare: the change per function is what go tool pprof -top -diff_base prints', async () => {
    const base = withTime(fixture('cpu'), at('10'));
    const now = withTime(fixture('cpu-large'), at('20'));
    await seed(c, base, { service: 'api', type: 'cpu' });
    await seed(c, now, { service: 'api', type: 'cpu' });
    const running = await open();
    const ranges = 'from=2026-11-20T10:15:00Z&to=2026-11-20T11:00:00Z&base_from=2026-11-20T09:00:00Z&base_to=2026-11-20T10:15:00Z';
    const result = await running.json<{ diff: { changes: Array<{ name: string; flat: number; baseFlat: number; cum: number; baseCum: number }> } }>(
      `/api/compare?service=api&type=cpu&${ranges}`,
    );
    const reference = await goPprofTop(await tempFile('new.pb.gz', now), ['-diff_base', await tempFile('base.pb.gz', base)]);
    expect(reference.rows.length).toBeGreaterThan(5);
    for (const row of reference.rows.slice(0, 10)) {
      const change = result.body.diff.changes.find((ch) => ch.name === row.name);
      expect(change, row.name).toBeDefined();
      expectPrintedAs(change!.flat - change!.baseFlat, row.flat);
      expectPrintedAs(change!.cum - change!.baseCum, row.cum);
    }
    const page = await running.get(`/compare?service=api&type=cpu&${ranges}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-diff="true"');
  });

  it('breakdown by pod: one row per pod, each the total of its own profiles as go tool pprof counts it', async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('20'));
    await seed(c, a, { service: 'api', type: 'cpu', labels: { pod: 'api-1', node: 'n1' } });
    await seed(c, b, { service: 'api', type: 'cpu', labels: { pod: 'api-2', node: 'n1' } });
    const running = await open();
    const result = await running.json<{ labels: string[]; rows: Array<{ value: string; total: number; used: number }> }>(
      `/api/breakdown?service=api&type=cpu&by=pod&${RANGE}`,
    );
    expect(result.body.labels).toEqual(['node', 'pod']);
    expect(result.body.rows.map((r) => [r.value, r.used])).toEqual([
      ['api-2', 1],
      ['api-1', 1],
    ]);
    expectPrintedAs(result.body.rows[0]!.total, pprofTotal(await goPprofTop(await tempFile('b.pb.gz', b))));
    expectPrintedAs(result.body.rows[1]!.total, pprofTotal(await goPprofTop(await tempFile('a.pb.gz', a))));
    const byNode = await running.json<{ rows: Array<{ value: string; used: number }> }>(`/api/breakdown?service=api&type=cpu&by=node&${RANGE}`);
    expect(byNode.body.rows.map((r) => [r.value, r.used])).toEqual([['n1', 2]]);
  });

  it("fleet: the top functions across services are the sums of each service's go tool pprof -top", async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('20'));
    await seed(c, a, { service: 'api', type: 'cpu' });
    await seed(c, b, { service: 'web', type: 'cpu' });
    await seed(c, withTime(fixture('heap'), at('20')), { service: 'cache', type: 'heap' });
    const running = await open();
    const result = await running.json<{
      services: Array<{ service: string; left: string | null }>;
      functions: Array<{ name: string; flat: number; services: string[] }>;
    }>(`/api/fleet?type=cpu&${RANGE}`);
    expect(result.body.services).toEqual([
      { service: 'api', left: null, total: expect.any(Number) },
      { service: 'cache', left: 'no profiles in the range', total: 0 },
      { service: 'web', left: null, total: expect.any(Number) },
    ]);
    const [topA, topB] = [await goPprofTop(await tempFile('a.pb.gz', a)), await goPprofTop(await tempFile('b.pb.gz', b))];
    const both = result.body.functions.filter((f) => f.services.length === 2).slice(0, 3);
    expect(both.length).toBeGreaterThan(0);
    for (const fn of both) {
      const flats = [topA, topB].map((top) => top.rows.find((r) => r.name === fn.name)!.flat);
      expectPrintedAs(fn.flat - parsePprofValue(flats[1]!).value, flats[0]!);
    }
  });

  it('a link that cannot be read: 400, the page and the API name the parameter; unknown paths are 404', async () => {
    const running = await open();
    const page = await running.get('/view?service=api&type=cpu&from=yesterday');
    expect(page.status).toBe(400);
    expect(page.text).toContain('This link cannot be shown');
    expect(page.text).toContain('from &quot;yesterday&quot;: not a time');
    const api = await running.json<{ error: string; kind: string }>('/api/top?type=cpu');
    expect(api).toEqual({ status: 400, body: { error: 'service is required: pick one on the services page', kind: 'bad-request' } });
    expect((await running.get('/nothing-here')).status).toBe(404);
  });

  it('pages carry a CSP without inline scripts (an empty collector: no services, said so); a request for another host name is refused (DNS rebinding)', async () => {
    const running = await open();
    const page = await running.get('/');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(page.text).toContain(`<strong>No services in collector ${c.url}.</strong>`);
    const port = new URL(running.url).port;
    expect(await statusWithHost(running.url, `evil.example:${port}`)).toBe(421);
    expect(await statusWithHost(running.url, `localhost:${port}`)).toBe(200);
  });
});

function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

/** The total in pprof's "Showing nodes accounting for X, P% of TOTAL total" line. */
function pprofTotal(top: PprofTop): string {
  const line = top.header.find((l) => l.startsWith('Showing nodes accounting for'));
  const total = / of (\S+) total$/.exec(line ?? '')?.[1];
  if (total === undefined) throw new Error(`no total in pprof's header: ${top.header.join(' | ')}`);
  return total;
}

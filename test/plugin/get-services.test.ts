/** `kubectl profefe get services` and `get profile-types` through the real kubectl. */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { COLLECTOR_TYPES, PROFILE_TYPE_SPECS, PROFILE_TYPES } from '../../src/profile-types.js';
import { fixture } from '../doubles/fixtures.js';
import { downCollectorUrl, kubectlProfefe, seed, useTestCollector } from './plugin-harness.js';

const { collector: c } = useTestCollector();

describe('get services', () => {
  it('lists the services the collector stores, sorted, as a table, json and yaml', async () => {
    for (const service of ['web', 'api', 'db']) await seed(c, fixture('goroutine'), { service, type: 'goroutine' });
    const table = await kubectlProfefe(['get', 'services', '--profefe-hostport', c.url]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toBe('SERVICE\napi\ndb\nweb\n');
    const json = await kubectlProfefe(['get', 'services', '--profefe-hostport', c.url, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(['api', 'db', 'web']);
    const yaml = await kubectlProfefe(['get', 'services', '-o', 'yaml'], { env: { PROFEFE_HOSTPORT: c.url } });
    expect(parseYaml(yaml.stdout)).toEqual(['api', 'db', 'web']);
  });

  it('an empty collector (its 404): "No services found" on stderr, nothing on stdout, exit 0', async () => {
    const result = await kubectlProfefe(['get', 'services', '--profefe-hostport', c.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`No services found in collector ${c.url}.\n`);
    expect(c.requests.map((r) => [r.url, r.status])).toEqual([['/api/0/services', 404]]);
  });

  it('collector down: the URL tried, exit 1; server errors verbatim', async () => {
    const url = await downCollectorUrl();
    const down = await kubectlProfefe(['get', 'services', '--profefe-hostport', url]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`error: could not reach profefe at ${url} (GET /api/0/services)`);
    c.failNext(1, 503, 'service unavailable: store is closing');
    const failing = await kubectlProfefe(['get', 'services', '--profefe-hostport', c.url]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('answered 503 to GET /api/0/services: service unavailable: store is closing');
  });
});

describe('get profile-types', () => {
  it('lists every collector type with the Go profile it holds; allocs is other + pprof_type=allocs; no request', async () => {
    const result = await kubectlProfefe(['get', 'profile-types']);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TYPE {3,}GO PROFILE {3,}LABELS$/);
    const cells = rows.map((r) => r.split(/ {3,}/));
    expect(cells.map((r) => r[0])).toEqual(expect.arrayContaining([...COLLECTOR_TYPES]));
    expect(cells).toContainEqual(['other', 'allocs', 'pprof_type=allocs']);
    expect(cells).toContainEqual(['trace', '<none>', '<none>']);
    expect(cells).toContainEqual(['heap', 'heap', '<none>']);

    const json = await kubectlProfefe(['get', 'profile-types', '-o', 'json']);
    const data = JSON.parse(json.stdout) as { type: string; profile: string | null; labels: Record<string, string> }[];
    for (const profile of PROFILE_TYPES) {
      const spec = PROFILE_TYPE_SPECS[profile];
      expect(data).toContainEqual({ type: spec.collectorType, profile, labels: spec.collectorLabels });
    }
    expect(c.requests).toHaveLength(0);
  });
});

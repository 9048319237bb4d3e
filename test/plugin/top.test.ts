/**
 * `kubectl profefe top` through the real kubectl: its output equals what the real
 * `go tool pprof -top` prints for the same profile (run and parsed at test time), for local
 * files, stored profiles and merged queries.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture, fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { expectPrintedAs, goPprofTop, parsePprofTop, withTempFile } from '../pprof/go-pprof.js';
import { downCollectorUrl, kubectlProfefe, seed, useTestCollector, withTime } from './plugin-harness.js';

const { collector: c } = useTestCollector();

/** pprof's flags for ours. */
function pprofArgs(sampleIndex?: string, nodeCount?: number): string[] {
  return [...(sampleIndex ? [`-sample_index=${sampleIndex}`] : []), ...(nodeCount ? [`-nodecount=${nodeCount}`] : [])];
}
function ourArgs(sampleIndex?: string, nodeCount?: number): string[] {
  return [...(sampleIndex ? ['--sample-index', sampleIndex] : []), ...(nodeCount ? ['--nodecount', String(nodeCount)] : [])];
}

describe('top FILE: the same report as go tool pprof -top', () => {
  const cases: Array<[PprofFixtureName, string | undefined, number | undefined]> = [
    ['cpu', undefined, undefined],
    ['cpu-large', undefined, undefined],
    ['heap', undefined, undefined],
    ['heap', 'alloc_space', undefined],
    ['allocs', undefined, undefined],
    ['goroutine', undefined, undefined],
    ['block', undefined, undefined],
    ['mutex', 'contentions', undefined],
    ['threadcreate', undefined, undefined],
    ['heap-large', undefined, undefined],
    ['heap-large', 'alloc_objects', undefined],
    ['heap-large', 'alloc_space', 5],
  ];
  it.each(cases)('%s --sample-index %s --nodecount %s', async (name, sampleIndex, nodeCount) => {
    const [ours, pprof] = await Promise.all([
      kubectlProfefe(['top', fixturePath(name), ...ourArgs(sampleIndex, nodeCount)]),
      goPprofTop(fixturePath(name), pprofArgs(sampleIndex, nodeCount)),
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stderr).toBe('');
    const parsed = parsePprofTop(ours.stdout);
    expect(parsed.header).toEqual(pprof.header);
    expect(parsed.rows).toEqual(pprof.rows);
    expect(parsed.rows.length).toBeGreaterThan(0);
    expect(ours.stdout).toBe(pprof.stdout);
  });

  it('-o json: raw values in the sample unit that match the numbers pprof prints', async () => {
    const [ours, pprof] = await Promise.all([kubectlProfefe(['top', fixturePath('heap-large'), '-o', 'json']), goPprofTop(fixturePath('heap-large'))]);
    expect(ours.code, ours.stderr).toBe(0);
    const data = JSON.parse(ours.stdout) as {
      sampleType: string;
      unit: string;
      total: number;
      functions: { name: string; flat: number; cum: number; flatPercent: number; cumPercent: number }[];
    };
    expect([data.sampleType, data.unit]).toEqual(['inuse_space', 'bytes']);
    expect(data.functions.map((f) => f.name)).toEqual(pprof.rows.map((r) => r.name));
    data.functions.forEach((f, i) => {
      const row = pprof.rows[i]!;
      expectPrintedAs(f.flat, row.flat);
      expectPrintedAs(f.cum, row.cum);
      expect(f.flatPercent).toBe(Number.parseFloat(row.flatPercent));
      expect(f.cumPercent).toBe(Number.parseFloat(row.cumPercent));
    });
  });
});

describe('top ID and top --service --type: profiles from the collector', () => {
  it('a stored profile by id (heap-large): the report pprof gives for the file', async () => {
    const item = await seed(c, fixture('heap-large'), { service: 'api', type: 'heap' });
    const [ours, pprof] = await Promise.all([kubectlProfefe(['top', item.id, '--profefe-hostport', c.url]), goPprofTop(fixturePath('heap-large'))]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(pprof.stdout);
    expect(c.requests.at(-1)?.url).toBe(`/api/0/profiles/${item.id}`);
  });

  it('a merged query: merged here, the report pprof gives for the merged profile the collector returns', async () => {
    await seed(c, withTime(fixture('cpu'), new Date('2026-03-01T10:00:00Z')), { service: 'api', type: 'cpu', labels: { pod: 'a' } });
    await seed(c, withTime(fixture('cpu-large'), new Date('2026-03-01T10:30:00Z')), { service: 'api', type: 'cpu', labels: { pod: 'b' } });
    await seed(c, withTime(fixture('cpu'), new Date('2026-03-01T12:30:00Z')), { service: 'api', type: 'cpu' }); // after --to
    const from = new Date('2026-03-01T09:00:00Z');
    const to = new Date('2026-03-01T11:00:00Z');
    const ours = await kubectlProfefe([
      'top',
      '--service',
      'api',
      '--type',
      'cpu',
      '--from',
      from.toISOString(),
      '--to',
      to.toISOString(),
      '--profefe-hostport',
      c.url,
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    // Merged here: the list, then each profile downloaded; no merge request.
    expect(c.requests.map((r) => new URL(r.url, c.url).pathname).filter((p) => p.endsWith('/merge'))).toEqual([]);
    expect(c.requests.filter((r) => /^\/api\/0\/profiles\/[0-9a-v]{20}$/.test(new URL(r.url, c.url).pathname))).toHaveLength(2);
    const merged = await new ProfefeClient({ baseUrl: c.url }).merge({ service: 'api', type: 'cpu', from, to });
    const pprof = await withTempFile(merged, (file) => goPprofTop(file));
    expect(ours.stdout).toBe(pprof.stdout);
    // Two profiles merged, the third is outside the range: pprof on the two files agrees on the rows.
    const two = await goPprofTop(fixturePath('cpu'), [fixturePath('cpu-large')]);
    expect(parsePprofTop(ours.stdout).rows).toEqual(two.rows);
  });

  it('a query that finds nothing: "No profiles found." on stderr, exit 0', async () => {
    const result = await kubectlProfefe(['top', '--service', 'api', '--type', 'heap', '--profefe-hostport', c.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No profiles found. (service api type heap');
  });
});

describe('top: faults', () => {
  it('a missing file that is not an id, a text file, an unknown id: named, exit 1', async () => {
    const dir = await tempDir('top-');
    await writeFile(join(dir, 'goroutines.txt'), fixture('goroutine-debug1'));
    const missing = await kubectlProfefe(['top', 'nope.pb.gz', '--profefe-hostport', c.url], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: nope.pb.gz: no such file, and not a profile id');
    const text = await kubectlProfefe(['top', 'goroutines.txt'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error: goroutines\.txt is text, not a pprof profile/);
    const unknown = await kubectlProfefe(['top', 'dc150ar8di19klb9s89g', '--profefe-hostport', c.url], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`error: no profile with id dc150ar8di19klb9s89g at ${c.url}`);
  });

  const usage: Array<[string, string[], RegExp]> = [
    [
      'an unknown --sample-index',
      [fixturePath('heap'), '--sample-index', 'bytes'],
      /--sample-index "bytes" must be one of: alloc_objects, alloc_space, inuse_objects, inuse_space/,
    ],
    ['a file and --service', [fixturePath('heap'), '--service', 'api'], /give a profile file or id, or --service and --type, not both/],
    ['nothing to read', [], /give a profile file, a profile id, or --service and --type/],
    ['--service without --type', ['--service', 'api'], /--type is required/],
    ['--from after --to', ['--service', 'api', '--type', 'cpu', '--from', '10m', '--to', '20m'], /--from .* is after --to/],
    ['an unparseable --from', ['--service', 'api', '--type', 'cpu', '--from', '3 days'], /--from "3 days": not a/],
    ['an unknown --type', ['--service', 'api', '--type', 'cpu,heap'], /--type "cpu,heap": unknown profile type/],
    ['--nodecount 0', [fixturePath('heap'), '--nodecount', '0'], /--nodecount "0": expected a whole number/],
  ];
  it.each(usage)('usage error, exit 2 before any request: %s', async (_name, args, message) => {
    const result = await kubectlProfefe(['top', ...args, '--profefe-hostport', c.url]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(c.requests).toHaveLength(0);
  });

  it('collector down: the URL tried, exit 1', async () => {
    const url = await downCollectorUrl();
    const result = await kubectlProfefe(['top', '--service', 'api', '--type', 'cpu', '--profefe-hostport', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles)`);
    const server = await kubectlProfefe(['top', '--service', 'api', '--type', 'cpu', '--server-merge', '--profefe-hostport', url]);
    expect(server.code).toBe(1);
    expect(server.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles/merge)`);
  });
});

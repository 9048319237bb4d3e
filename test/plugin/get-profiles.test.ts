/**
 * `kubectl profefe get profiles` through the real kubectl, against the test collector: tables as
 * kubectl prints them, json/yaml for scripts, time ranges, and every fault of the issue.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../doubles/fixtures.js';
import { tempFile, downCollectorUrl, kubectlProfefe, seed, useTestCollector, withTime } from './plugin-harness.js';

const { collector: c, run: getProfiles } = useTestCollector('get', 'profiles');

const HOUR = 3_600_000;
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

/** Three api profiles an hour apart (cpu, heap, allocs) and one of another service. */
async function seedShop() {
  const cpu = await seed(c, withTime(fixture('cpu'), at(0)), { service: 'api', type: 'cpu', labels: { namespace: 'shop', pod: 'api-1' } });
  const heap = await seed(c, withTime(fixture('heap'), at(1)), { service: 'api', type: 'heap', labels: { namespace: 'shop', pod: 'api-2' } });
  const allocs = await seed(c, withTime(fixture('allocs'), at(2)), { service: 'api', type: 'other', labels: { pprof_type: 'allocs' } });
  await seed(c, withTime(fixture('cpu'), at(1)), { service: 'db', type: 'cpu' });
  return { cpu, heap, allocs };
}

const RANGE = ['--from', '2026-03-01T09:00:00Z', '--to', '2026-03-01T13:00:00Z'];

describe('get profiles: listing', () => {
  it('prints a kubectl table (ID, TYPE, SERVICE, CREATED), oldest first, only the service asked for', async () => {
    const { cpu, heap, allocs } = await seedShop();
    const result = await getProfiles(['--service', 'api', ...RANGE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID {3,}TYPE {3,}SERVICE {3,}CREATED$/);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      [cpu.id, 'cpu', 'api', '2026-03-01T10:00:00Z'],
      [heap.id, 'heap', 'api', '2026-03-01T11:00:00Z'],
      [allocs.id, 'other', 'api', '2026-03-01T12:00:00Z'],
    ]);
    // Columns are aligned: every cell of a column starts at the header's offset.
    const offset = lines[0]!.indexOf('CREATED');
    for (const line of lines.slice(1)) expect(line.indexOf('2026-')).toBe(offset);
  });

  it('-o wide adds LABELS; -o json and -o yaml give the collector items', async () => {
    const { cpu, heap, allocs } = await seedShop();
    const wide = await getProfiles(['--service', 'api', ...RANGE, '-o', 'wide']);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout.split('\n')[0]).toMatch(/CREATED {3,}LABELS$/);
    expect(wide.stdout).toContain('namespace=shop,pod=api-1');
    expect(wide.stdout).toMatch(new RegExp(`${allocs.id}.*pprof_type=allocs`));

    const json = await getProfiles(['--service', 'api', ...RANGE, '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([cpu, heap, allocs]);
    const yaml = await getProfiles(['--service', 'api', ...RANGE, '-o', 'yaml']);
    expect(parseYaml(yaml.stdout)).toEqual([cpu, heap, allocs]);
  });

  it('--type, --labels and --limit narrow the list; --type allocs asks for other + pprof_type=allocs', async () => {
    const { cpu, heap, allocs } = await seedShop();
    const ids = async (args: string[]) => {
      const r = await getProfiles(['--service', 'api', ...RANGE, '-o', 'json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id);
    };
    expect(await ids(['--type', 'heap'])).toEqual([heap.id]);
    expect(await ids(['--labels', 'namespace=shop,pod=api-1'])).toEqual([cpu.id]);
    expect(await ids(['--limit', '2'])).toEqual([heap.id, allocs.id]);
    const before = c.requests.length;
    expect(await ids(['--type', 'allocs'])).toEqual([allocs.id]);
    const sent = new URL(c.requests[before]!.url, c.url).searchParams;
    expect(sent.get('type')).toBe('other');
    expect(sent.get('labels')).toBe('pprof_type=allocs');
  });

  it('durations mean "that long ago": --from 1h lists the profile of 10 minutes ago, not the one of 2 hours ago', async () => {
    const now = Date.now();
    const recent = await seed(c, withTime(fixture('goroutine'), new Date(now - 10 * 60_000)), { service: 'api', type: 'goroutine' });
    await seed(c, withTime(fixture('goroutine'), new Date(now - 2 * HOUR)), { service: 'api', type: 'goroutine' });
    const result = await getProfiles(['--service', 'api', '--from', '1h', '-o', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((p) => p.id)).toEqual([recent.id]);
    // The default range is the last 24 hours, ending now.
    const all = await getProfiles(['--service', 'api', '-o', 'json']);
    expect(JSON.parse(all.stdout)).toHaveLength(2);
  });

  it('sends --profefe-header and --profefe-header-file headers, reads PROFEFE_HOSTPORT, never prints the values', async () => {
    await seedShop();
    const headerFile = await tempFile('headers', 'X-Scope: team-a\n# a comment\n');
    const result = await kubectlProfefe(
      ['get', 'profiles', '--service', 'api', ...RANGE, '--profefe-header', 'Authorization: Bearer s3cr3t', '--profefe-header-file', headerFile],
      { env: { PROFEFE_HOSTPORT: c.url } },
    );
    expect(result.code, result.stderr).toBe(0);
    const seen = c.requests.at(-1)!.headers;
    expect(seen.authorization).toBe('Bearer s3cr3t');
    expect(seen['x-scope']).toBe('team-a');
    expect(result.stdout + result.stderr).not.toContain('s3cr3t');
  });
});

describe('get profiles: nothing found is an empty result', () => {
  it('404 nothing found: nothing on stdout, "No profiles found." on stderr, exit 0; json prints []', async () => {
    const table = await getProfiles(['--service', 'ghost', ...RANGE]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toBe('');
    expect(table.stderr).toMatch(/^No profiles found\. \(service ghost, from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z\)\n$/);
    expect(c.requests.map((r) => r.status)).toEqual([404]);
    const json = await getProfiles(['--service', 'ghost', ...RANGE, '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});

describe('get profiles: usage errors exit 2 before any request', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--from after --to', ['--service', 'api', '--from', '1h', '--to', '2h'], /--from .* is after --to/],
    ['an unparseable --from', ['--service', 'api', '--from', 'yesterday'], /--from "yesterday": not a time/],
    ['an unparseable --to', ['--service', 'api', '--to', '2026-13-01'], /--to "2026-13-01": month 13 is out of range/],
    ['an unknown --type', ['--service', 'api', '--type', 'cpuu'], /--type "cpuu": unknown profile type; use one of cpu, heap, allocs/],
    ['no --service', ['--type', 'cpu'], /--service is required/],
    ['malformed --labels', ['--service', 'api', '--labels', 'novalue'], /--labels: label "novalue" is not key=value/],
    ['--limit 0', ['--service', 'api', '--limit', '0'], /--limit "0": expected a whole number/],
    ['an unknown -o', ['--service', 'api', '-o', 'xml'], /-o\/--output "xml": unknown output format/],
    ['a --profefe-hostport that is not a URL', ['--service', 'api', '--profefe-hostport', 'not a url'], /--profefe-hostport "not a url": expected a URL/],
    ['an unknown flag', ['--service', 'api', '--bogus'], /unknown option '--bogus'/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const result = await getProfiles(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("See 'kubectl profefe get profiles --help' for usage.");
    expect(c.requests).toHaveLength(0);
  });
});

describe('get profiles: collector failures', () => {
  it('collector down: names the URL tried, exit 1', async () => {
    const url = await downCollectorUrl();
    const result = await kubectlProfefe(['get', 'profiles', '--service', 'api', '--profefe-hostport', url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: could not reach profefe at ${url} \\(GET /api/0/profiles\\): .*ECONNREFUSED.*Check the collector URL`));
  });

  it('server errors are quoted verbatim, exit 1', async () => {
    c.failNext(1, 500, 'badger: Value log GC attempt did not result in any cleanup');
    const result = await getProfiles(['--service', 'api']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: profefe at ${c.url} answered 500 to GET /api/0/profiles: badger: Value log GC attempt did not result in any cleanup`,
    );
  });

  it('a proxy refusing with an HTML page: the status, the page start and a hint about headers', async () => {
    c.failNextRaw(1, 401, '<html><body>401 Authorization Required</body></html>');
    const result = await getProfiles(['--service', 'api']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered 401 to GET /api/0/profiles with a body that is not a profefe reply: "<html><body>401 Authorization Required');
    expect(result.stderr).toContain('check the headers configured for the collector');
  });
});

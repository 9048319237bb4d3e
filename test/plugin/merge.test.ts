/**
 * `kubectl profefe merge` through the real kubectl: the profiles of a query downloaded and merged
 * here (or by the collector with --server-merge), saved to a file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { goPprofTop } from '../pprof/go-pprof.js';
import { vanishingProxy } from '../doubles/vanishing-proxy.js';
import { downCollectorUrl, kubectlProfefe, kubectlProfefeInTerminal, seed, tempFile, useTestCollector, withTime } from './plugin-harness.js';

const { collector: c, run: merge } = useTestCollector('merge');

const RANGE = ['--from', '2026-03-01T09:00:00Z', '--to', '2026-03-01T13:00:00Z'];
const at = (hh: string) => new Date(`2026-03-01T${hh}:00:00Z`);

describe('merge', () => {
  it('downloads the profiles of the range merged, named after service, type and range; same numbers as go tool pprof merging the files', async () => {
    const first = withTime(fixture('cpu'), at('10'));
    const second = withTime(fixture('cpu-large'), at('11'));
    await seed(c, first, { service: 'api', type: 'cpu' });
    await seed(c, second, { service: 'api', type: 'cpu' });
    await seed(c, withTime(fixture('cpu'), at('08')), { service: 'api', type: 'cpu' }); // before --from
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'db', type: 'cpu' }); // another service
    const cwd = await tempDir('merge-');
    const result = await merge(['--service', 'api', '--type', 'cpu', ...RANGE], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const file = 'api-cpu-20260301T090000Z-20260301T130000Z.pb.gz';
    expect(result.stdout).toBe(`${file}\n`);
    expect(readdirSync(cwd)).toEqual([file]);
    const ours = await goPprofTop(join(cwd, file));
    const reference = await goPprofTop(await tempFile('a.pb.gz', first), [await tempFile('b.pb.gz', second)]);
    expect(ours.rows).toEqual(reference.rows);
  });

  it('--type allocs asks for other + pprof_type=allocs; --labels are passed on; -O - streams the profile', async () => {
    await seed(c, fixture('allocs'), { service: 'api', type: 'other', labels: { pprof_type: 'allocs', namespace: 'shop' } });
    const result = await kubectlProfefe([
      'merge',
      '--service',
      'api',
      '--type',
      'allocs',
      '--labels',
      'namespace=shop',
      '--from',
      '2020-01-01',
      '-O',
      '-',
      '--profefe-hostport',
      c.url,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdoutBytes.equals(fixture('allocs'))).toBe(true); // one match: the stored bytes
    const list = c.requests.find((r) => new URL(r.url, c.url).pathname === '/api/0/profiles');
    const sent = new URL(list!.url, c.url).searchParams;
    expect([sent.get('type'), sent.get('labels')]).toEqual(['other', 'namespace=shop,pprof_type=allocs']);
  });

  it('nothing found: "No profiles found." on stderr, no file, exit 0', async () => {
    const cwd = await tempDir('merge-');
    const result = await merge(['--service', 'api', '--type', 'heap', ...RANGE], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No profiles found. (service api type heap');
    expect(readdirSync(cwd)).toEqual([]);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no --type', ['--service', 'api'], /--type is required/],
    ['--type trace', ['--service', 'api', '--type', 'trace'], /--type trace: execution traces are not pprof/],
    ['an unknown --type', ['--service', 'api', '--type', 'memory'], /--type "memory": unknown profile type/],
    ['--from after --to', ['--service', 'api', '--type', 'cpu', '--from', '2026-03-02', '--to', '2026-03-01'], /--from .* is after --to/],
    ['an unparseable --to', ['--service', 'api', '--type', 'cpu', '--to', 'soon'], /--to "soon": not a time/],
  ];
  it.each(usage)('usage error, exit 2 before any request: %s', async (_name, args, message) => {
    const result = await merge(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("See 'kubectl profefe merge --help' for usage.");
    expect(c.requests).toHaveLength(0);
  });

  it('collector down: the URL tried, exit 1; a server error verbatim, exit 1', async () => {
    const url = await downCollectorUrl();
    const down = await kubectlProfefe(['merge', '--service', 'api', '--type', 'cpu', '--profefe-hostport', url]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles)`);
    const downServer = await kubectlProfefe(['merge', '--service', 'api', '--type', 'cpu', '--server-merge', '--profefe-hostport', url]);
    expect(downServer.code).toBe(1);
    expect(downServer.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles/merge)`);
    c.failNext(1, 500, 'failed to merge profiles: proto: cannot parse invalid wire-format data');
    const failing = await merge(['--service', 'api', '--type', 'cpu', '--server-merge']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('answered 500 to GET /api/0/profiles/merge: failed to merge profiles: proto: cannot parse invalid wire-format data');
  });

  it('by default: one list request, then a GET per profile, no merge request; same as go tool pprof -proto of the files; --server-merge asks the collector', async () => {
    const files = [withTime(fixture('cpu'), at('10')), withTime(fixture('cpu-large'), at('11')), withTime(fixture('cpu'), at('12'))];
    const items = [];
    for (const bytes of files) items.push(await seed(c, bytes, { service: 'api', type: 'cpu' }));
    const cwd = await tempDir('merge-');
    const seeded = c.requests.length;
    const result = await merge(['--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'ours.pb.gz', '--no-cache'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const paths = c.requests.slice(seeded).map((r) => `${r.method} ${new URL(r.url, c.url).pathname}`);
    expect(paths[0]).toBe('GET /api/0/profiles');
    expect(paths.slice(1).sort()).toEqual(items.map((item) => `GET /api/0/profiles/${item.id}`).sort());
    const reference = join(cwd, 'pprof.pb.gz');
    const inputs = await Promise.all(files.map((bytes, i) => tempFile(`${i}.pb.gz`, bytes)));
    await goToolPprof(['-proto', '-output', reference, ...inputs]);
    const ours = await goToolPprof(['-top', join(cwd, 'ours.pb.gz')]);
    const theirs = await goToolPprof(['-top', reference]);
    expect(ours.split('\n').slice(1)).toEqual(theirs.split('\n').slice(1)); // all but the File: line

    const before = c.requests.length;
    const server = await merge(['--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'server.pb.gz', '--server-merge'], { cwd });
    expect(server.code, server.stderr).toBe(0);
    expect(c.requests.slice(before).map((r) => new URL(r.url, c.url).pathname)).toEqual(['/api/0/profiles/merge']);
    expect((await goPprofTop(join(cwd, 'server.pb.gz'))).rows).toEqual((await goPprofTop(join(cwd, 'ours.pb.gz'))).rows);
  });

  it('a profile deleted after the listing (404): named on stderr, the others merged, exit 0', async () => {
    const first = withTime(fixture('cpu'), at('10'));
    const second = withTime(fixture('cpu-large'), at('11'));
    await seed(c, first, { service: 'api', type: 'cpu' });
    const gone = await seed(c, withTime(fixture('cpu'), at('11')), { service: 'api', type: 'cpu' });
    await seed(c, second, { service: 'api', type: 'cpu' });
    const proxy = await vanishingProxy(c.url, gone.id);
    try {
      const cwd = await tempDir('merge-');
      const result = await kubectlProfefe(['merge', '--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'm.pb.gz', '--profefe-hostport', proxy.url], {
        cwd,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(`merged 2 of 3 profiles; 1 could not be downloaded: ${gone.id}: 404 nothing found\n`);
      const ours = await goPprofTop(join(cwd, 'm.pb.gz'));
      const reference = await goPprofTop(await tempFile('a.pb.gz', first), [await tempFile('b.pb.gz', second)]);
      expect(ours.rows).toEqual(reference.rows);
    } finally {
      await proxy.close();
    }
  });

  it('profiles of different kinds under one type: refused naming both ids and their sample types, exit 1, no file', async () => {
    const cpu = await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const heap = await seed(c, withTime(fixture('heap'), at('11')), { service: 'api', type: 'cpu' });
    const cwd = await tempDir('merge-');
    const result = await merge(['--service', 'api', '--type', 'cpu', ...RANGE], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^error: cannot merge ${heap.id} with ${cpu.id}: ${heap.id} has sample types .*alloc_objects.*, ${cpu.id} has .*cpu`),
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a second run reads the profiles from the cache ($XDG_CACHE_HOME/kube-profefe/profiles): no downloads; --no-cache downloads', async () => {
    const items = [
      await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' }),
      await seed(c, withTime(fixture('cpu-large'), at('11')), { service: 'api', type: 'cpu' }),
    ];
    const cache = await tempDir('merge-cache-');
    const env = { XDG_CACHE_HOME: cache };
    const cwd = await tempDir('merge-');
    const downloads = () => c.requests.filter((r) => /^\/api\/0\/profiles\/[0-9a-v]{20}$/.test(new URL(r.url, c.url).pathname)).length;
    const first = await merge(['--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'first.pb.gz'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(downloads()).toBe(2);
    for (const item of items) expect(existsSync(join(cache, 'kube-profefe', 'profiles', `${item.id}.pprof`))).toBe(true);
    const second = await merge(['--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'second.pb.gz'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    expect(downloads()).toBe(2);
    expect((await goPprofTop(join(cwd, 'second.pb.gz'))).rows).toEqual((await goPprofTop(join(cwd, 'first.pb.gz'))).rows);
    const uncached = await merge(['--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'third.pb.gz', '--no-cache'], { cwd, env });
    expect(uncached.code, uncached.stderr).toBe(0);
    expect(downloads()).toBe(4);
  });

  it('on a terminal: a "merging N/M profiles" progress line, rewritten with \\r and cleared', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    await seed(c, withTime(fixture('cpu-large'), at('11')), { service: 'api', type: 'cpu' });
    const cwd = await tempDir('merge-');
    const result = await kubectlProfefeInTerminal(['merge', '--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'm.pb.gz', '--profefe-hostport', c.url], {
      cwd,
    });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('\rmerging 2/2 profiles');
    expect(result.stdout).toContain('\r\x1b[K');
    expect(readdirSync(cwd)).toEqual(['m.pb.gz']);
  });
});

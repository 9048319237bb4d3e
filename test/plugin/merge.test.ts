/** `kubectl profefe merge` through the real kubectl: the collector's merged profile, saved to a file. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { goPprofTop } from '../pprof/go-pprof.js';
import { downCollectorUrl, kubectlProfefe, seed, tempFile, useTestCollector, withTime } from './plugin-harness.js';

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
    const sent = new URL(c.requests.at(-1)!.url, c.url).searchParams;
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
    expect(down.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles/merge)`);
    c.failNext(1, 500, 'failed to merge profiles: proto: cannot parse invalid wire-format data');
    const failing = await merge(['--service', 'api', '--type', 'cpu']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('answered 500 to GET /api/0/profiles/merge: failed to merge profiles: proto: cannot parse invalid wire-format data');
  });
});

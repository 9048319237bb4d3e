/**
 * `kubectl profefe flame` through the real kubectl, as a subprocess: local files, -O .svg, diffs
 * (--diff-base, --base-from/--base-to), stored profiles by id and by --service/--type from the
 * test collector, and --profiles-dir on what the directory sink wrote. The numbers in each page
 * are checked against go tool pprof on the same profiles.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlameGraphData } from '../../src/flame/flame-tree.js';
import { cleanEnv, runCli, tempDir } from '../cli/run-cli.js';
import { fixture, fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { kubectlProfefe, kubectlProfefeInTerminal, seed, useTestCollector, withTime } from '../plugin/plugin-harness.js';
import { writeProfiles } from '../source/sink-written-dir.js';
import { expectPrintedAs } from '../pprof/go-pprof.js';
import { exactUnit, pprofCum } from './pprof-reference.js';

const { collector: c } = useTestCollector();

/** The data a written page carries. */
async function pageData(path: string): Promise<FlameGraphData> {
  const html = await readFile(path, 'utf8');
  const m = /<script type="application\/json" id="kpf-flame-data">([^]*?)<\/script>/.exec(html);
  if (m === null) throw new Error(`${path} holds no flame graph data`);
  return JSON.parse(m[1]!) as FlameGraphData;
}

async function pprofTotal(name: PprofFixtureName, unit: string, args: string[] = []): Promise<number> {
  return (await pprofCum(fixturePath(name), [...args, ...exactUnit(unit)])).total;
}

describe('flame FILE', () => {
  it('writes <name>.html in the current directory and prints its path; the page holds the profile pprof reads', { timeout: 120_000 }, async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', fixturePath('heap-large')], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('heap-large.html\n');
    expect(run.stderr).toBe('');
    const data = await pageData(join(cwd, 'heap-large.html'));
    const pprof = await pprofCum(fixturePath('heap-large'), ['-unit=B']);
    expect(data.sampleType).toEqual({ type: 'inuse_space', unit: 'bytes' });
    expect(data.root.value).toBe(pprof.total);
    for (const child of data.root.children.slice(0, 2)) expect(child.value).toBe(pprof.cum.get(child.name));
    const html = await readFile(join(cwd, 'heap-large.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('KubeProfefeFlame.render(');
  });

  it('-O x.svg writes a static SVG; --sample-index picks the values', async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', fixturePath('heap'), '--sample-index', 'alloc_space', '-O', 'heap.svg'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('heap.svg\n');
    const svg = await readFile(join(cwd, 'heap.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const shown = /<text x="10" y="40" fill="#444444">alloc_space: (\S+) total<\/text>/.exec(svg);
    expect(shown).not.toBeNull();
    expectPrintedAs(await pprofTotal('heap', 'bytes', ['-sample_index=alloc_space']), shown![1]!);
    expect(svg).toContain('<text x="13" y="');
  });

  it('-O - writes the page to stdout (a pipe), nothing else', async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', fixturePath('cpu'), '-O', '-'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^<!doctype html>\n[^]*<\/html>\n$/);
    expect(await readdir(cwd)).toEqual([]);
    const terminal = await kubectlProfefeInTerminal(['flame', fixturePath('cpu'), '-O', '-'], { cwd });
    expect(terminal.code).toBe(2);
    expect(terminal.stdout).toContain('-O -: stdout is a terminal; redirect it to a file (> flame.html) or give -O FILE.html');
  });

  it('--diff-base FILE: the diff pprof -diff_base computes, percentages of the base total', async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', fixturePath('cpu-large'), '--diff-base', fixturePath('cpu')], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('cpu-large-diff.html\n');
    const data = await pageData(join(cwd, 'cpu-large-diff.html'));
    const diff = await pprofCum(fixturePath('cpu-large'), [`-diff_base=${fixturePath('cpu')}`, '-unit=ns']);
    expect(data.total).toBe(diff.total);
    expect(data.diff).toEqual({ baseTotal: await pprofTotal('cpu', 'nanoseconds') });
    expect(data.root.delta).toBe((await pprofTotal('cpu-large', 'nanoseconds')) - diff.total);
    const hashLoop = data.root.children.find((n) => n.name === 'main.hashLoop');
    expect(hashLoop?.delta).toBe(diff.cum.get('main.hashLoop'));
  });

  it('a diff of two kinds of profile is refused, naming both files and their sample types (exit 1, no file)', async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', fixturePath('cpu'), '--diff-base', fixturePath('heap'), '-O', 'x.html'], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: cannot diff ${fixturePath('cpu')} against ${fixturePath('heap')}: the profile holds cpu (nanoseconds) and the base inuse_space (bytes): a diff needs two profiles of the same kind\n`,
    );
    expect(await readdir(cwd)).toEqual([]);
  });

  it('usage mistakes name the flag (exit 2)', async () => {
    const both = await kubectlProfefe(['flame', fixturePath('cpu'), '--service', 'api', '--type', 'cpu']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give profile files or ids, or --service and --type, not both');
    const baseRange = await kubectlProfefe(['flame', fixturePath('cpu'), '--base-from', '2h']);
    expect(baseRange.code).toBe(2);
    expect(baseRange.stderr).toContain('--base-from/--base-to take the base from --service and --type');
    const index = await kubectlProfefe(['flame', fixturePath('heap'), '--sample-index', 'nope']);
    expect(index.code).toBe(2);
    expect(index.stderr).toContain('--sample-index "nope" must be one of: alloc_objects, alloc_space, inuse_objects, inuse_space');
    const missing = await kubectlProfefe(['flame', 'no-such-file.pb.gz']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-file.pb.gz: no such file, and not a profile id');
  });
});

describe('flame from the collector', () => {
  it('ID: the stored profile; two IDs: merged', async () => {
    const cwd = await tempDir('flame-cli-');
    const first = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const second = await seed(c, fixture('cpu-large'), { service: 'api', type: 'cpu' });
    const one = await kubectlProfefe(['flame', first.id, '--profefe-hostport', c.url], { cwd });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe(`${first.id}.html\n`);
    expect((await pageData(join(cwd, `${first.id}.html`))).root.value).toBe(await pprofTotal('cpu', 'nanoseconds'));

    const two = await kubectlProfefe(['flame', first.id, second.id, '--profefe-hostport', c.url, '-O', 'both.html'], { cwd });
    expect(two.code, two.stderr).toBe(0);
    const data = await pageData(join(cwd, 'both.html'));
    expect(data.root.value).toBe((await pprofTotal('cpu', 'nanoseconds')) + (await pprofTotal('cpu-large', 'nanoseconds')));
    expect(data.title).toContain(`profile ${first.id} from`);
  });

  it('--service --type: merged, written as merge names its file; --base-from/--base-to: a diff against an older range', async () => {
    const cwd = await tempDir('flame-cli-');
    const now = Date.now();
    await seed(c, withTime(fixture('cpu'), new Date(now - 3 * 3600_000)), { service: 'api', type: 'cpu' });
    await seed(c, withTime(fixture('cpu-large'), new Date(now - 20 * 60_000)), { service: 'api', type: 'cpu' });
    await seed(c, withTime(fixture('cpu'), new Date(now - 10 * 60_000)), { service: 'api', type: 'cpu' });

    const recent = await kubectlProfefe(['flame', '--service', 'api', '--type', 'cpu', '--from', '1h', '--profefe-hostport', c.url, '--no-cache'], { cwd });
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).toMatch(/^api-cpu-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.html\n$/);
    const data = await pageData(join(cwd, recent.stdout.trim()));
    expect(data.root.value).toBe((await pprofTotal('cpu', 'nanoseconds')) + (await pprofTotal('cpu-large', 'nanoseconds')));

    const diff = await kubectlProfefe(
      [
        'flame',
        '--service',
        'api',
        '--type',
        'cpu',
        '--from',
        '1h',
        '--base-from',
        '4h',
        '--base-to',
        '2h',
        '--profefe-hostport',
        c.url,
        '-O',
        'd.html',
        '--no-cache',
      ],
      { cwd },
    );
    expect(diff.code, diff.stderr).toBe(0);
    const diffData = await pageData(join(cwd, 'd.html'));
    expect(diffData.diff).toEqual({ baseTotal: await pprofTotal('cpu', 'nanoseconds') });
    expect(diffData.root.delta).toBe(await pprofTotal('cpu-large', 'nanoseconds'));
  });

  it('--diff-base ID: the stored profile as the base; --server-merge: the collector merges the query', { timeout: 120_000 }, async () => {
    const cwd = await tempDir('flame-cli-');
    const base = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const diff = await kubectlProfefe(['flame', fixturePath('cpu-large'), '--diff-base', base.id, '--profefe-hostport', c.url, '-O', 'd.html'], { cwd });
    expect(diff.code, diff.stderr).toBe(0);
    const data = await pageData(join(cwd, 'd.html'));
    expect(data.diff).toEqual({ baseTotal: await pprofTotal('cpu', 'nanoseconds') });
    expect(data.title).toContain(`against the base profile ${base.id} from`);

    await seed(c, withTime(fixture('heap'), new Date(Date.now() - 5 * 60_000)), { service: 'api', type: 'heap' });
    await seed(c, withTime(fixture('heap-large'), new Date(Date.now() - 6 * 60_000)), { service: 'api', type: 'heap' });
    const merged = await kubectlProfefe(
      ['flame', '--service', 'api', '--type', 'heap', '--from', '1h', '--server-merge', '--profefe-hostport', c.url, '-O', 'm.html'],
      {
        cwd,
      },
    );
    expect(merged.code, merged.stderr).toBe(0);
    expect(c.requests.some((r) => r.url.startsWith('/api/0/profiles/merge?'))).toBe(true);
    expect((await pageData(join(cwd, 'm.html'))).root.value).toBe((await pprofTotal('heap', 'bytes')) + (await pprofTotal('heap-large', 'bytes')));
  });

  it('an empty range: "No profiles found." on stderr, exit 0, no file', async () => {
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', '--service', 'api', '--type', 'heap', '--from', '1h', '--profefe-hostport', c.url], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^No profiles found\. \(service api type heap, from .* to .*\)\n$/);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('flame --profiles-dir', () => {
  const at = (): string => new Date(Date.now() - 15 * 60_000).toISOString();

  it('the profiles the directory sink wrote, merged; an id is a path inside the directory', { timeout: 120_000 }, async () => {
    const { dir, written } = await writeProfiles([
      { namespace: 'shop', service: 'api', pod: 'api-1', type: 'heap', at: at(), profile: 'heap' },
      { namespace: 'shop', service: 'api', pod: 'api-2', type: 'heap', at: at(), profile: 'heap-large' },
    ]);
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', '--service', 'api', '--type', 'heap', '--from', '1h', '--profiles-dir', dir, '-O', 'heap.html'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('heap.html\n');
    expect((await pageData(join(cwd, 'heap.html'))).root.value).toBe((await pprofTotal('heap', 'bytes')) + (await pprofTotal('heap-large', 'bytes')));

    const byId = await kubectlProfefe(['flame', written[0]!.id, '--profiles-dir', dir, '-O', 'one.svg'], { cwd });
    expect(byId.code, byId.stderr).toBe(0);
    expect(existsSync(join(cwd, 'one.svg'))).toBe(true);
  });

  it('a file that is not pprof is named on stderr and left out; the others are drawn', async () => {
    const { dir } = await writeProfiles([
      { namespace: 'shop', service: 'api', pod: 'api-1', type: 'heap', at: at(), profile: 'heap' },
      { namespace: 'shop', service: 'api', pod: 'api-2', type: 'heap', at: at(), profile: 'heap' },
      { namespace: 'shop', service: 'api', pod: 'api-3', type: 'heap', at: at(), profile: Buffer.from('not a profile') },
    ]);
    const cwd = await tempDir('flame-cli-');
    const run = await kubectlProfefe(['flame', '--service', 'api', '--type', 'heap', '--from', '1h', '--profiles-dir', dir, '-O', 'heap.html'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^merged 2 of 3 profiles; 1 skipped: shop\/api\/heap\/api-3-\S+\.pb: /);
    expect((await pageData(join(cwd, 'heap.html'))).root.value).toBe(2 * (await pprofTotal('heap', 'bytes')));
  });
});

describe('flame completion', () => {
  it('completes profile files for the arguments and --diff-base (directive 0: the shell lists files), kubectl_complete-profefe as kubectl runs it', async () => {
    const env = cleanEnv(await tempDir('flame-complete-'));
    for (const words of [
      ['flame', ''],
      ['flame', 'cpu.pb.gz', '--diff-base', ''],
    ]) {
      const run = await runCli('kubectl_complete-profefe', words, { env });
      expect({ words, code: run.code, stdout: run.stdout }).toEqual({ words, code: 0, stdout: ':0\n' });
    }
    const flags = await runCli('kubectl_complete-profefe', ['flame', '--'], { env });
    for (const flag of ['--diff-base', '--base-from', '--base-to', '--sample-index', '--output-file', '--profiles-dir'])
      expect(flags.stdout).toContain(`${flag}\t`);
  });
});

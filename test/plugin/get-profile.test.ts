/** `kubectl profefe get profile ID...` through the real kubectl: downloads that open in go tool pprof. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { fixture, fixturePath } from '../doubles/fixtures.js';
import { goPprofTop } from '../pprof/go-pprof.js';
import { downCollectorUrl, kubectlProfefe, kubectlProfefeInTerminal, seed, startKubectlProfefe, useTestCollector } from './plugin-harness.js';

const { collector: c, run: getProfile } = useTestCollector('get', 'profile');

describe('get profile: downloads', () => {
  it('writes <id>.pb.gz in the current directory, byte-identical to the upload, and prints the path', async () => {
    const item = await seed(c, fixture('heap-large'), { service: 'api', type: 'heap' });
    const cwd = await tempDir('get-profile-');
    const result = await getProfile([item.id], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${item.id}.pb.gz\n`);
    expect(readFileSync(join(cwd, `${item.id}.pb.gz`)).equals(fixture('heap-large'))).toBe(true);
    expect(readdirSync(cwd)).toEqual([`${item.id}.pb.gz`]); // no partial file left behind
  });

  it('-O FILE writes there; -O - writes the bytes to stdout and nothing else', async () => {
    const item = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const cwd = await tempDir('get-profile-');
    const named = await getProfile([item.id, '-O', 'sub.pb.gz'], { cwd });
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe('sub.pb.gz\n');
    expect(readFileSync(join(cwd, 'sub.pb.gz')).equals(fixture('cpu'))).toBe(true);
    const piped = await getProfile([item.id, '-O', '-'], { cwd });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdoutBytes.equals(fixture('cpu'))).toBe(true);
  });

  it('-O - refuses to write a binary profile to a terminal: usage error before any request', async () => {
    const item = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const requestsBefore = c.requests.length;
    const result = await kubectlProfefeInTerminal(['get', 'profile', item.id, '-O', '-', '--profefe-hostport', c.url]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('error: -O -: stdout is a terminal and a profile is binary');
    expect(result.stdoutBytes.includes(fixture('cpu').subarray(0, 16))).toBe(false);
    expect(c.requests).toHaveLength(requestsBefore);
  });

  it('a profile stored without gzip is saved as <id>.pb', async () => {
    const raw = gunzipSync(fixture('goroutine'));
    const item = await seed(c, raw, { service: 'api', type: 'goroutine' });
    const cwd = await tempDir('get-profile-');
    const result = await getProfile([item.id], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${item.id}.pb\n`);
    expect(readFileSync(join(cwd, `${item.id}.pb`)).equals(raw)).toBe(true);
  });

  it('several ids: one profile merged by the collector, with the numbers go tool pprof gives for the same files merged', async () => {
    const a = await seed(c, fixture('heap'), { service: 'api', type: 'heap' });
    const b = await seed(c, fixture('allocs'), { service: 'api', type: 'heap' });
    const cwd = await tempDir('get-profile-');
    const result = await getProfile([a.id, b.id], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const file = `${a.id}+${b.id}.pb.gz`;
    expect(result.stdout).toBe(`${file}\n`);
    const ours = await goPprofTop(join(cwd, file), ['-sample_index=alloc_space']);
    const reference = await goPprofTop(fixturePath('heap'), ['-sample_index=alloc_space', fixturePath('allocs')]);
    expect(ours.rows).toEqual(reference.rows);
    expect(ours.header.find((l) => l.startsWith('Showing nodes'))).toBe(reference.header.find((l) => l.startsWith('Showing nodes')));
  });
});

describe('get profile: faults', () => {
  it('an unknown id: says so with the collector URL, exit 1, no file', async () => {
    const cwd = await tempDir('get-profile-');
    const result = await getProfile(['dc150ar8di19klb9s89g'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: no profile with id dc150ar8di19klb9s89g at ${c.url}`);
    expect(result.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a malformed id is a usage error before any request', async () => {
    const result = await getProfile(['dc150ar8di19klb9s89g', 'not-an-id']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"not-an-id" is not a profile id');
    expect(c.requests).toHaveLength(0);
  });

  it('ids of different types: the collector 500 quoted verbatim, with what it means', async () => {
    const a = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const b = await seed(c, fixture('heap'), { service: 'api', type: 'heap' });
    const result = await getProfile([a.id, b.id]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`answered 500 to GET /api/0/profiles/${a.id}+${b.id}: failed to get profile by id "${a.id}+${b.id}"`);
    expect(result.stderr).toContain('merge ids of one type only');
  });

  it('collector down: the URL tried, exit 1, no file', async () => {
    const url = await downCollectorUrl();
    const cwd = await tempDir('get-profile-');
    const result = await kubectlProfefe(['get', 'profile', 'dc150ar8di19klb9s89g', '--profefe-hostport', url], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach profefe at ${url} (GET /api/0/profiles/dc150ar8di19klb9s89g)`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('an unwritable -O path: names it, exits 1, leaves nothing behind', async () => {
    const item = await seed(c, fixture('cpu'), { service: 'api', type: 'cpu' });
    const result = await getProfile([item.id, '-O', '/nonexistent-dir/x.pb.gz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot write /nonexistent-dir/x.pb.gz (ENOENT)');
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });

  it('Ctrl-C during a download: the request is cancelled, no file is left, exit 130', async () => {
    const item = await seed(c, fixture('heap'), { service: 'api', type: 'heap' });
    const requestsBefore = c.requests.length;
    c.hangNext(1);
    const cwd = await tempDir('get-profile-');
    const running = await startKubectlProfefe(['get', 'profile', item.id, '--profefe-hostport', c.url], { cwd });
    await expect.poll(() => c.requests.length, { timeout: 30_000, interval: 50 }).toBe(requestsBefore + 1);
    running.child.kill('SIGINT');
    const result = await running.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('interrupted: the request was cancelled; nothing was written\n');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

/**
 * `kubectl profefe load FILE...` through the real kubectl: real Go profiles uploaded with the type
 * read from each profile; bad files reported one by one while the others are still uploaded.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeProfile, encodeProfile } from '../../src/pprof/decode-profile.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture, fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { downCollectorUrl, kubectlProfefe, useTestCollector } from './plugin-harness.js';

const { collector: c, run: load } = useTestCollector('load');

/** A directory with the named fixtures copied in as <name>.pb.gz. */
async function fixtureDir(names: readonly PprofFixtureName[]): Promise<string> {
  const dir = await tempDir('load-');
  for (const name of names) await writeFile(join(dir, `${name}.pb.gz`), fixture(name));
  return dir;
}

interface Loaded {
  file: string;
  id: string;
  type: string;
  service: string;
  labels: Record<string, string>;
  created_at: string;
  url: string;
}

describe('load: uploads', () => {
  it('every Go profile type without --type: the type is read from the profile (heap included, allocs as other + pprof_type=allocs)', async () => {
    const names = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'] as const;
    const cwd = await fixtureDir(names);
    const result = await load(['--service', 'api', '--labels', 'env=staging', ...names.map((n) => `${n}.pb.gz`)], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const stored = c.profiles();
    expect(stored.map((p) => [p.type, p.labels])).toEqual([
      ['cpu', { env: 'staging' }],
      ['heap', { env: 'staging' }],
      ['other', { env: 'staging', pprof_type: 'allocs' }],
      ['goroutine', { env: 'staging' }],
      ['block', { env: 'staging' }],
      ['mutex', { env: 'staging' }],
      ['threadcreate', { env: 'staging' }],
    ]);
    stored.forEach((p, i) => expect(p.body?.equals(fixture(names[i]!))).toBe(true));
    // stdout: one row per file with its id and download URL.
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^FILE {3,}ID {3,}TYPE {3,}URL$/);
    expect(rows.map((r) => r.split(/\s+/))).toEqual(stored.map((p, i) => [`${names[i]}.pb.gz`, p.id, p.type, `${c.url}/api/0/profiles/${p.id}`]));
  });

  it('-o json for scripts; --type forces the type (and warns when the profile says otherwise)', async () => {
    const result = await load(['--service', 'api', '--type', 'goroutine', fixturePath('heap'), '-o', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: ${fixturePath('heap')} looks like a heap profile; uploading it as --type goroutine`);
    const [stored] = c.profiles();
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: fixturePath('heap'),
        id: stored!.id,
        type: 'goroutine',
        service: 'api',
        labels: {},
        created_at: stored!.createdAt,
        url: `${c.url}/api/0/profiles/${stored!.id}`,
      },
    ] satisfies Loaded[]);
  });
});

describe('load: per-file faults, the other files still uploaded, exit 1', () => {
  it('a text file, an empty file, a missing file, a profile without samples: each named with what to do', async () => {
    const cwd = await fixtureDir(['cpu', 'heap']);
    await writeFile(join(cwd, 'goroutines.txt'), fixture('goroutine-debug1'));
    await writeFile(join(cwd, 'empty.pb.gz'), '');
    const noSamples = decodeProfile(fixture('block'));
    noSamples.sample = [];
    await writeFile(join(cwd, 'nosamples.pb.gz'), encodeProfile(noSamples));
    const files = ['cpu.pb.gz', 'goroutines.txt', 'empty.pb.gz', 'missing.pb.gz', 'nosamples.pb.gz', 'heap.pb.gz'];
    const result = await load(['--service', 'api', ...files], { cwd });
    expect(result.code).toBe(1);
    expect(c.profiles().map((p) => p.type)).toEqual(['cpu', 'heap']);
    expect(c.uploads).toHaveLength(2); // bad files never reach the collector
    const errors = result.stderr.trimEnd().split('\n');
    expect(errors).toEqual([
      expect.stringMatching(
        /^error: goroutines\.txt is text, not a pprof profile \(it starts with "goroutine profile: total \d+"\); fetch the protobuf form .*; it was not uploaded$/,
      ),
      'error: empty.pb.gz is empty: expected a pprof profile (gzipped protobuf); it was not uploaded',
      'error: missing.pb.gz: no such file; check the path; it was not uploaded',
      'error: nosamples.pb.gz has no samples: there is nothing to store (the profefe collector rejects empty profiles); ' +
        'block and mutex profiles stay empty until the program calls runtime.SetBlockProfileRate or runtime.SetMutexProfileFraction; it was not uploaded',
      '2 of 6 files uploaded, 4 failed',
    ]);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((r) => r.split(/\s+/)[0]),
    ).toEqual(['cpu.pb.gz', 'heap.pb.gz']);
  });

  it('the collector refusing one file: its error verbatim, next to that file', async () => {
    const cwd = await fixtureDir(['cpu', 'goroutine']);
    c.failNext(1, 400, 'malformed profile (could not parse pprof profile: parsing profile: unrecognized profile format)');
    const result = await load(['--service', 'api', 'cpu.pb.gz', 'goroutine.pb.gz'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: cpu.pb.gz: profefe at ${c.url} answered 400 to POST /api/0/profiles: malformed profile (could not parse pprof profile: parsing profile: unrecognized profile format)`,
    );
    expect(c.profiles().map((p) => p.type)).toEqual(['goroutine']);
  });

  it('collector down: every file fails with the URL tried, exit 1', async () => {
    const url = await downCollectorUrl();
    const result = await kubectlProfefe(['load', '--service', 'api', fixturePath('cpu'), fixturePath('heap'), '--profefe-hostport', url]);
    expect(result.code).toBe(1);
    expect(result.stderr.match(new RegExp(`could not reach profefe at ${url} \\(POST /api/0/profiles\\)`, 'g'))).toHaveLength(2);
    expect(result.stderr).toContain('0 of 2 files uploaded, 2 failed');
    expect(result.stdout).toBe('');
  });
});

describe('load: usage errors exit 2 before any file is read or request made', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no --service', [fixturePath('cpu')], /--service is required/],
    ['an unknown --type', ['--service', 'api', '--type', 'profile', fixturePath('cpu')], /--type "profile": unknown profile type/],
    ['--type trace', ['--service', 'api', '--type', 'trace', fixturePath('cpu')], /--type trace: execution traces are not pprof/],
    ['malformed --labels', ['--service', 'api', '--labels', '=x', fixturePath('cpu')], /--labels: label "=x" has an empty key/],
    ['no file', ['--service', 'api'], /missing required argument 'files'/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const result = await load(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(c.requests).toHaveLength(0);
  });
});

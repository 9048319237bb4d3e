import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError } from '../../src/profile-error.js';
import { DirectorySink } from '../../src/sink/directory-sink.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { makeTarget } from '../doubles/make-target.js';

describe('DirectorySink', () => {
  it('writes DIR/<namespace>/<service>/<type>/<pod>-<UTC time>.pb.gz with the exact bytes', async () => {
    const dir = await tempDir('dir-sink-');
    const sink = new DirectorySink(dir);
    const path = await sink.store({ target: makeTarget('heap'), body: fixture('heap'), scrapedAt: new Date('2026-11-22T02:45:12.345Z') });
    expect(relative(dir, path)).toBe('shop/checkout/heap/checkout-7d9f-20261122T024512.345Z.pb.gz');
    expect(await readFile(path)).toEqual(fixture('heap'));
  });

  it('a hostile service name stays inside the directory', async () => {
    const dir = await tempDir('dir-sink-');
    const target = { ...makeTarget('cpu'), service: '../../etc/cron.d' };
    const path = await new DirectorySink(dir).store({ target, body: fixture('cpu'), scrapedAt: new Date() });
    expect(relative(dir, path).startsWith('..')).toBe(false);
    expect(relative(dir, path).split('/')[1]).toBe('__.._etc_cron.d');
  });

  it('a path it cannot create is SINK_IO naming the path and the flag, and leaves no temporary file', async () => {
    const dir = await tempDir('dir-sink-');
    // A file where the namespace directory must go: fails even for root.
    await writeFile(join(dir, 'shop'), 'not a directory');
    const err = await new DirectorySink(dir).store({ target: makeTarget('heap'), body: fixture('heap'), scrapedAt: new Date() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).code).toBe('SINK_IO');
    expect((err as ProfileError).message).toContain(join(dir, 'shop', 'checkout', 'heap'));
    expect((err as ProfileError).message).toContain('--output-dir');
    expect(await readdir(dir)).toEqual(['shop']);
  });
});

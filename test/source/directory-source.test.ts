/**
 * directorySource over directories the real DirectorySink wrote: listed as the collector lists
 * (type directories mapped to collector types and labels, allocs as other + pprof_type=allocs),
 * what the sink leaves behind that is not a profile skipped, bounds and limits as the collector's,
 * and ids that cannot leave the directory.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTimestamp } from '../../src/sink/directory-sink.js';
import { directorySource } from '../../src/source/directory-source.js';
import { ProfileGoneError, type SourceQuery } from '../../src/source/profile-source.js';
import { SourceError } from '../../src/source/source-error.js';
import { tempDir } from '../cli/run-cli.js';
import { writeProfiles } from './sink-written-dir.js';

const WIDE: Pick<SourceQuery, 'labels' | 'from' | 'to'> = { labels: {}, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') };

describe('directorySource: listing what the directory sink wrote', () => {
  it('lists a service and type oldest first: id = path below DIR, labels namespace and pod, time from the file name; read gives the stored bytes', async () => {
    const { dir, written } = await writeProfiles([
      { namespace: 'shop', service: 'checkout', pod: 'checkout-7d9f8c-x2x4z', type: 'cpu', at: '2026-03-01T11:00:00.250Z' },
      { namespace: 'shop', service: 'checkout', pod: 'checkout-7d9f8c-abcde', type: 'cpu', at: '2026-03-01T10:00:00.000Z' },
      { namespace: 'web', service: 'checkout', pod: 'checkout-55-zz', type: 'cpu', at: '2026-03-01T10:30:00.000Z', profile: 'cpu-large' },
      { namespace: 'shop', service: 'checkout', pod: 'checkout-7d9f8c-x2x4z', type: 'heap', at: '2026-03-01T10:15:00.000Z' },
      { namespace: 'shop', service: 'cart', pod: 'cart-1', type: 'cpu', at: '2026-03-01T10:45:00.000Z' },
    ]);
    const source = await directorySource(dir);
    expect(source.name).toBe(`directory ${dir}`);
    expect(source.cacheable).toBe(false);
    const listed = await source.list({ ...WIDE, service: 'checkout', type: 'cpu' });
    expect(listed).toEqual([
      {
        id: 'shop/checkout/cpu/checkout-7d9f8c-abcde-20260301T100000.000Z.pb.gz',
        service: 'checkout',
        type: 'cpu',
        labels: { namespace: 'shop', pod: 'checkout-7d9f8c-abcde' },
        createdAt: new Date('2026-03-01T10:00:00.000Z'),
      },
      {
        id: 'web/checkout/cpu/checkout-55-zz-20260301T103000.000Z.pb.gz',
        service: 'checkout',
        type: 'cpu',
        labels: { namespace: 'web', pod: 'checkout-55-zz' },
        createdAt: new Date('2026-03-01T10:30:00.000Z'),
      },
      {
        id: 'shop/checkout/cpu/checkout-7d9f8c-x2x4z-20260301T110000.250Z.pb.gz',
        service: 'checkout',
        type: 'cpu',
        labels: { namespace: 'shop', pod: 'checkout-7d9f8c-x2x4z' },
        createdAt: new Date('2026-03-01T11:00:00.250Z'),
      },
    ]);
    for (const profile of listed) {
      const file = written.find((w) => w.id === profile.id);
      expect(Buffer.from(await source.read(profile.id)).equals(file?.bytes ?? Buffer.alloc(0))).toBe(true);
    }
    const everyType = await source.list({ ...WIDE, service: 'checkout', type: undefined });
    expect(everyType.map((p) => p.type)).toEqual(['cpu', 'heap', 'cpu', 'cpu']);
    expect(await source.services()).toEqual(['cart', 'checkout']);
  });

  it('allocs is type other with pprof_type=allocs: --type allocs (other + the label) finds it, heap does not', async () => {
    const { dir } = await writeProfiles([
      { namespace: 'shop', service: 'api', pod: 'api-1', type: 'allocs', at: '2026-03-01T10:00:00.000Z' },
      { namespace: 'shop', service: 'api', pod: 'api-1', type: 'heap', at: '2026-03-01T10:00:00.000Z' },
    ]);
    const source = await directorySource(dir);
    const allocs = await source.list({ ...WIDE, service: 'api', type: 'other', labels: { pprof_type: 'allocs' } });
    expect(allocs.map((p) => [p.id, p.type, p.labels])).toEqual([
      ['shop/api/allocs/api-1-20260301T100000.000Z.pb.gz', 'other', { pprof_type: 'allocs', namespace: 'shop', pod: 'api-1' }],
    ]);
    expect((await source.list({ ...WIDE, service: 'api', type: 'other' })).map((p) => p.id)).toEqual([allocs[0]?.id]);
    expect((await source.list({ ...WIDE, service: 'api', type: 'heap' })).map((p) => p.id)).toEqual(['shop/api/heap/api-1-20260301T100000.000Z.pb.gz']);
    expect(await source.list({ ...WIDE, service: 'api', type: 'heap', labels: { pprof_type: 'allocs' } })).toEqual([]);
  });

  it('skips the sink temporary files, hidden names, unknown type directories and names that are not <pod>-<time>.pb[.gz]', async () => {
    const { dir } = await writeProfiles([{ namespace: 'shop', service: 'api', pod: 'api-1', type: 'cpu', at: '2026-03-01T10:00:00.000Z' }]);
    const cpuDir = join(dir, 'shop', 'api', 'cpu');
    await writeFile(join(cpuDir, '.3f2a9c1b7e4d.tmp'), 'half a profile');
    await writeFile(join(cpuDir, 'api-1-20260301T100000.000Z.pb.gz.bak'), 'x');
    await writeFile(join(cpuDir, 'api-1-20260230T100000.000Z.pb.gz'), 'a day that does not exist');
    await writeFile(join(cpuDir, 'notes.txt'), 'x');
    await mkdir(join(cpuDir, 'api-2-20260301T100000.000Z.pb.gz')); // a directory with a profile's name
    await mkdir(join(dir, 'shop', 'api', 'trace'), { recursive: true });
    await writeFile(join(dir, 'shop', 'api', 'trace', 'api-1-20260301T100000.000Z.pb.gz'), 'x');
    await mkdir(join(dir, 'shop', 'empty', 'cpu'), { recursive: true });
    await mkdir(join(dir, '.hidden', 'api', 'cpu'), { recursive: true });
    await writeFile(join(dir, '.hidden', 'api', 'cpu', 'api-9-20260301T100000.000Z.pb.gz'), 'x');
    await writeFile(join(dir, 'README'), 'not a namespace');
    const source = await directorySource(dir);
    expect((await source.list({ ...WIDE, service: 'api', type: undefined })).map((p) => p.id)).toEqual(['shop/api/cpu/api-1-20260301T100000.000Z.pb.gz']);
    expect(await source.services()).toEqual(['api']);
  });

  it('from and to are inclusive of their whole second, as the collector is; labels filter; limit keeps the newest, oldest first', async () => {
    const times = ['2026-03-01T09:59:59.999Z', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.999Z', '2026-03-01T11:00:00.500Z', '2026-03-01T11:00:01.000Z'];
    const { dir } = await writeProfiles(times.map((at, i) => ({ namespace: 'shop', service: 'api', pod: `api-${i % 2}`, type: 'cpu' as const, at })));
    const source = await directorySource(dir);
    const query = { service: 'api', type: 'cpu', labels: {}, from: new Date('2026-03-01T10:00:00.700Z'), to: new Date('2026-03-01T11:00:00Z') } as const;
    const stamps = async (q: SourceQuery): Promise<string[]> => (await source.list(q)).map((p) => fileTimestamp(p.createdAt));
    expect(await stamps(query)).toEqual(['20260301T100000.000Z', '20260301T100000.999Z', '20260301T110000.500Z']);
    expect(await stamps({ ...query, labels: { pod: 'api-1' } })).toEqual(['20260301T100000.000Z', '20260301T110000.500Z']);
    expect(await stamps({ ...query, labels: { namespace: 'web' } })).toEqual([]);
    expect(await stamps({ ...query, limit: 2 })).toEqual(['20260301T100000.999Z', '20260301T110000.500Z']);
    expect(await stamps({ ...query, service: 'other' })).toEqual([]);
  });

  it('a service name the sink had to rewrite is found by the name it was given', async () => {
    const { dir, written } = await writeProfiles([{ namespace: 'shop', service: 'team/api v2', pod: 'api-1', type: 'heap', at: '2026-03-01T10:00:00.000Z' }]);
    const source = await directorySource(dir);
    expect((await source.list({ ...WIDE, service: 'team/api v2', type: 'heap' })).map((p) => p.id)).toEqual([written[0]?.id]);
  });
});

describe('directorySource: ids and directories it refuses', () => {
  it('refuses ids that leave the directory or are not a stored profile, including a link out of it', async () => {
    const outside = await tempDir('profiles-outside-');
    await writeFile(join(outside, 'secret-20260301T100000.000Z.pb.gz'), 'secret');
    const { dir } = await writeProfiles([{ namespace: 'shop', service: 'api', pod: 'api-1', type: 'cpu', at: '2026-03-01T10:00:00.000Z' }]);
    await symlink(join(outside, 'secret-20260301T100000.000Z.pb.gz'), join(dir, 'shop', 'api', 'cpu', 'secret-20260301T100000.000Z.pb.gz'));
    const source = await directorySource(dir);
    const refused: Array<[string, RegExp]> = [
      ['../secret-20260301T100000.000Z.pb.gz', /climbs out of the directory/],
      ['shop/api/cpu/../../../../etc/passwd', /climbs out of the directory/],
      [join(outside, 'secret-20260301T100000.000Z.pb.gz'), /absolute path/],
      ['/etc/passwd', /absolute path/],
      ['shop/api/cpu', /is not <namespace>\/<service>\/<type>\/<pod>-<time>\.pb\.gz/],
      ['shop/api/trace/api-1-20260301T100000.000Z.pb.gz', /with a Go profile type/],
      ['shop\\api\\cpu\\api-1-20260301T100000.000Z.pb.gz', /backslash/],
      ['shop/api/cpu/secret-20260301T100000.000Z.pb.gz', /a link out of the directory/],
    ];
    for (const [id, reason] of refused) {
      const err = await source.read(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, id).toBeInstanceOf(SourceError);
      expect((err as SourceError).kind).toBe('bad-id');
      expect((err as SourceError).message).toMatch(reason);
    }
  });

  it('a profile deleted since the listing is ProfileGoneError naming it and the directory', async () => {
    const { dir, written } = await writeProfiles([{ namespace: 'shop', service: 'api', pod: 'api-1', type: 'cpu', at: '2026-03-01T10:00:00.000Z' }]);
    const source = await directorySource(dir);
    const [profile] = await source.list({ ...WIDE, service: 'api', type: 'cpu' });
    await rm(written[0]?.path ?? '');
    const err = await source.read(profile?.id ?? '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileGoneError);
    expect((err as ProfileGoneError).message).toBe(`profile ${profile?.id} is no longer in directory ${dir} (the file was deleted since it was listed)`);
  });

  it('a missing directory, or a file given as the directory: SourceError (unavailable) naming it', async () => {
    const parent = await tempDir('profiles-missing-');
    const missing = await directorySource(join(parent, 'nope')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceError);
    expect((missing as SourceError).kind).toBe('unavailable');
    expect((missing as SourceError).message).toBe(
      `profiles directory ${join(parent, 'nope')} does not exist: give the directory kprofefe --output-dir (or capture) wrote`,
    );
    await writeFile(join(parent, 'file'), 'x');
    const file = await directorySource(join(parent, 'file')).catch((e: unknown) => e);
    expect((file as SourceError).message).toBe(`profiles directory ${join(parent, 'file')} is not a directory: give the directory kprofefe --output-dir wrote`);
  });
});

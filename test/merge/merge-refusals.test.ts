import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IncompatibleProfilesError, ProfileDecodeError, ProfileMerger } from '../../src/merge/profile-merger.js';
import { WireReader } from '../../src/merge/wire-reader.js';
import { fixture } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { builtProfile } from './built-profile.js';
import { withProfileFiles } from './go-merge.js';

function refusal(merger: ProfileMerger, bytes: Uint8Array, name: string): Error {
  try {
    merger.add(bytes, name);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${name} was merged`);
}

/** Merging `refused` in between changes nothing: the result is the one without it, byte for byte. */
function expectUnchangedBy(refused: () => void, before: ProfileMerger, reference: ProfileMerger): void {
  const stats = before.stats;
  refused();
  expect(before.stats).toEqual(stats);
  expect(before.encodeGzipped().equals(reference.encodeGzipped())).toBe(true);
}

describe('ProfileMerger refuses profiles of another type, naming both', () => {
  it('a heap profile after a cpu profile', async () => {
    const merger = new ProfileMerger();
    merger.add(fixture('cpu'), 'cpu.pb.gz');
    const reference = new ProfileMerger();
    reference.add(fixture('cpu'), 'cpu.pb.gz');
    expectUnchangedBy(
      () => {
        const err = refusal(merger, fixture('heap'), 'heap.pb.gz');
        expect(err).toBeInstanceOf(IncompatibleProfilesError);
        expect(err).toMatchObject({ profile: 'heap.pb.gz', mergedWith: 'cpu.pb.gz' });
        expect(err.message).toBe(
          'cannot merge heap.pb.gz with cpu.pb.gz: heap.pb.gz has sample types ' +
            '[alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes], cpu.pb.gz has [samples/count cpu/nanoseconds]; ' +
            'only profiles of the same type merge',
        );
      },
      merger,
      reference,
    );
    // The merge goes on after a refusal.
    merger.add(fixture('cpu-large'), 'cpu-large.pb.gz');
    expect(merger.stats.profiles).toBe(2);
    // go tool pprof refuses the same pair.
    await withProfileFiles(
      [
        { name: 'cpu', bytes: fixture('cpu') },
        { name: 'heap', bytes: fixture('heap') },
      ],
      async (files) => {
        await expect(goToolPprof(['-proto', ...files])).rejects.toThrow(/incompatible|inconsistent/);
      },
    );
  });

  it('a profile with the same sample types and another period type', () => {
    const profile = (periodType: [string, string]): Buffer =>
      builtProfile({ sampleTypes: [['samples', 'count']], periodType, samples: [{ stack: ['main.main'], values: [1] }] });
    const merger = new ProfileMerger();
    merger.add(profile(['cpu', 'nanoseconds']), 'a');
    const err = refusal(merger, profile(['wall', 'nanoseconds']), 'b');
    expect(err).toBeInstanceOf(IncompatibleProfilesError);
    expect(err.message).toBe('cannot merge b with a: b has period type [wall/nanoseconds], a has [cpu/nanoseconds]');
  });
});

/** heap-large's raw protobuf with the first sample's first field claiming more bytes than the sample holds. */
function heapLargeWithBrokenSample(): Buffer {
  const raw = Buffer.from(gunzipSync(fixture('heap-large')));
  const reader = new WireReader(raw);
  for (;;) {
    const tag = reader.uint();
    if (tag !== 0x12) {
      reader.skip(tag & 7);
      continue;
    }
    reader.length();
    // The sample's first field: a tag, then a one-byte length (these samples are short).
    expect(raw[reader.pos + 1]! < 0x80).toBe(true);
    raw[reader.pos + 1] = 0x7f;
    return gzipSync(raw);
  }
}

describe('ProfileMerger refuses what is not a profile, naming it, and the merge goes on', () => {
  const cases: Array<[string, () => Uint8Array, RegExp]> = [
    ['an empty file', () => new Uint8Array(0), /^empty\.pb\.gz is empty/],
    ['a truncated gzip stream', () => fixture('heap-large').subarray(0, 1_000_000), /^cut\.pb\.gz could not be decompressed: truncated gzip/],
    ['text', () => fixture('goroutine-debug1'), /^goroutine\.txt is text, not a pprof profile/],
    [
      'gzipped text',
      () => gzipSync(fixture('goroutine-debug1')),
      /^goroutine\.txt\.gz is text, not a pprof profile \(it is gzipped and starts with "goroutine profile/,
    ],
    ['random bytes', () => Buffer.from('0123456789abcdef'.repeat(8), 'hex'), /^noise is not a pprof profile/],
    ['a large profile with a broken sample', heapLargeWithBrokenSample, /^broken-sample is a malformed pprof profile: .*more than its enclosing message holds/],
    [
      'a sample that refers to a missing location',
      () => withBadLocation(),
      /^missing-location is a malformed pprof profile: sample 0 refers to missing location 99$/,
    ],
  ];
  const names = ['empty.pb.gz', 'cut.pb.gz', 'goroutine.txt', 'goroutine.txt.gz', 'noise', 'broken-sample', 'missing-location'];

  it.each(cases.map((c, i) => [c[0], names[i]!, c[1], c[2]] as const))('%s (%s)', (_what, name, bytes, message) => {
    const merger = new ProfileMerger();
    merger.add(fixture('heap'), 'heap.pb.gz');
    const reference = new ProfileMerger();
    reference.add(fixture('heap'), 'heap.pb.gz');
    expectUnchangedBy(
      () => {
        const err = refusal(merger, bytes(), name);
        expect(err).toBeInstanceOf(ProfileDecodeError);
        expect((err as ProfileDecodeError).source).toBe(name);
        expect(err.message).toMatch(message);
      },
      merger,
      reference,
    );
  });

  it('result() before any profile is a RangeError', () => {
    expect(() => new ProfileMerger().result()).toThrow(RangeError);
  });
});

function withBadLocation(): Buffer {
  // A sample pointing at location 99 of a profile with three: built by hand on top of a valid one.
  const good = builtProfile({ sampleTypes: [['samples', 'count']], samples: [{ stack: ['main.a', 'main.b', 'main.c'], values: [1] }] });
  const raw = Buffer.from(gunzipSync(good));
  // The first sample's packed location ids are 1 2 3: make the first one 99.
  const at = raw.indexOf(Buffer.from([0x0a, 0x03, 0x01, 0x02, 0x03]));
  expect(at).toBeGreaterThanOrEqual(0);
  raw[at + 2] = 99;
  return gzipSync(raw);
}

import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ProfileMerger } from '../../src/merge/profile-merger.js';
import { decodeProfile, encodeProfile } from '../../src/pprof/decode-profile.js';
import { topFunctions } from '../../src/pprof/top.js';
import { fixture } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { builtProfile } from './built-profile.js';
import { withProfileFiles } from './go-merge.js';

function merged(...inputs: Array<[string, Uint8Array]>): ProfileMerger {
  const merger = new ProfileMerger();
  for (const [name, bytes] of inputs) merger.add(bytes, name);
  return merger;
}

const labelled = builtProfile({
  sampleTypes: [['samples', 'count']],
  samples: [
    {
      stack: ['main.a', 'main.main'],
      values: [3],
      labels: [
        { key: 'handler', str: '/x' },
        { key: 'bytes', num: 2n ** 60n, unit: 'bytes' },
      ],
    },
    { stack: ['main.b', 'main.main'], values: [-2], labels: [{ key: 'size', num: -5 }] },
  ],
  comments: ['labelled'],
});

describe('ProfileMerger.result() and encodeGzipped() hold the same profile', () => {
  it.each([
    ['heap', [fixture('heap'), fixture('allocs')]],
    ['cpu-large', [fixture('cpu'), fixture('cpu-large')]],
    ['labelled', [labelled, labelled]],
  ] as const)('as go tool pprof -raw shows them (%s)', async (_name, inputs) => {
    const merger = merged(...inputs.map((bytes, i): [string, Uint8Array] => [`in-${i}`, bytes]));
    await withProfileFiles([], async (_files, dir) => {
      const fromObjects = join(dir, 'objects.pb.gz');
      const encoded = join(dir, 'encoded.pb.gz');
      await writeFile(fromObjects, encodeProfile(merger.result()));
      await writeFile(encoded, merger.encodeGzipped());
      expect(await goToolPprof(['-raw', encoded])).toBe(await goToolPprof(['-raw', fromObjects]));
    });
  });

  it('topFunctions reads the result in-process as it reads the encoded bytes (heap-large twice)', () => {
    const merger = merged(['a', fixture('heap-large')], ['b', fixture('heap-large')]);
    const decoded = decodeProfile(merger.encodeGzipped(), 'merged');
    for (const sampleIndex of ['alloc_space', 'inuse_objects']) {
      expect(topFunctions(merger.result(), { sampleIndex, nodeCount: 30 })).toEqual(topFunctions(decoded, { sampleIndex, nodeCount: 30 }));
    }
    // Twice the single profile's values.
    const single = topFunctions(decodeProfile(fixture('heap-large')), { sampleIndex: 'alloc_space' });
    expect(topFunctions(decoded, { sampleIndex: 'alloc_space' }).total).toBe(2 * single.total);
  });

  it('is deterministic: the same profiles in the same order give the same bytes', () => {
    const inputs: Array<[string, Uint8Array]> = [
      ['cpu', fixture('cpu')],
      ['cpu-large', fixture('cpu-large')],
    ];
    expect(
      merged(...inputs)
        .encodeGzipped()
        .equals(merged(...inputs).encodeGzipped()),
    ).toBe(true);
  });

  it('can be read again after more profiles are added', () => {
    const merger = merged(['cpu', fixture('cpu')]);
    const once = topFunctions(merger.result()).total;
    merger.add(fixture('cpu'), 'cpu again');
    expect(topFunctions(merger.result()).total).toBe(2 * once);
    expect(merger.stats.profiles).toBe(2);
  });
});

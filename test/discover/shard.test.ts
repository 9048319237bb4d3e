import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseShard, ShardOptionError } from '../../src/cli/shard-flags.js';
import { inShard, shardOf } from '../../src/discover/shard.js';
import { makePod } from '../doubles/make-pod.js';

const POD_COUNT = 3000;

function uidsOf(pods: ReturnType<typeof makePod>[]): string[] {
  return pods.map((pod) => {
    const uid = pod.metadata?.uid;
    if (uid === undefined) throw new Error('makePod gave a pod without a uid');
    return uid;
  });
}

/** makePod's own UIDs: sequential, the worst case for a weak hash. */
const sequentialUids = uidsOf(Array.from({ length: POD_COUNT }, (_, i) => makePod({ name: `app-${i}` })));

/** Version-4 UIDs as the API server makes them, from a seeded generator so the test is repeatable. */
function seededUuids(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const nextByte = (): number => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state & 0xff;
  };
  return Array.from({ length: count }, () => {
    const bytes = Array.from({ length: 16 }, nextByte);
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });
}
const randomUids = uidsOf(seededUuids(POD_COUNT, 0x5eed).map((uid, i) => makePod({ name: `web-${i}`, uid })));

describe.each([
  ['sequential makePod uids', sequentialUids],
  ['random v4 uids', randomUids],
])('shardOf over %s', (_label, uids) => {
  it.each([1, 2, 7])('splits %i shards disjointly, completely and evenly', (count) => {
    const members = Array.from({ length: count }, (_, index) => uids.filter((uid) => inShard(uid, count, index)));

    // Disjoint and complete: every uid is in exactly one shard.
    const seen = new Map<string, number>();
    for (const [index, shard] of members.entries()) {
      for (const uid of shard) {
        expect(seen.has(uid), `${uid} is in shard ${seen.get(uid)} and ${index}`).toBe(false);
        seen.set(uid, index);
      }
    }
    expect(seen.size).toBe(uids.length);
    expect(new Set(uids).size).toBe(uids.length);

    // Roughly balanced: within 15% of an even split (about 3.5 standard deviations at N = 7).
    const even = uids.length / count;
    for (const shard of members) {
      expect(shard.length).toBeGreaterThan(even * 0.85);
      expect(shard.length).toBeLessThan(even * 1.15 + 1);
    }
  });

  it('gives every uid the same shard on every call', () => {
    for (const uid of uids.slice(0, 200)) {
      const first = shardOf(uid, 7);
      expect(shardOf(uid, 7)).toBe(first);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(7);
    }
  });
});

describe('shardOf stability across processes and implementations', () => {
  const sample = [...sequentialUids.slice(0, 20), ...randomUids.slice(0, 20)];

  it('a fresh Node process assigns the same shards', () => {
    const moduleUrl = new URL('../../src/discover/shard.ts', import.meta.url).href;
    const script = `const { shardOf } = await import(${JSON.stringify(moduleUrl)});
      const uids = JSON.parse(process.argv[1]);
      process.stdout.write(JSON.stringify(uids.map((u) => shardOf(u, 7))));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(sample)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(sample.map((uid) => shardOf(uid, 7)));
  });

  it('matches the documented rule (first 32 bits of SHA-256, mod count) computed by sha256sum', () => {
    for (const uid of sample.slice(0, 8)) {
      const digest = execFileSync('sha256sum', { input: uid, encoding: 'utf8' }).slice(0, 8);
      const expected = Number.parseInt(digest, 16);
      for (const count of [2, 7, 1000]) expect(shardOf(uid, count)).toBe(expected % count);
    }
  });

  it('rejects a shard count that is not a positive whole number', () => {
    expect(() => shardOf('x', 0)).toThrow(RangeError);
    expect(() => shardOf('x', 2.5)).toThrow(RangeError);
  });
});

describe('parseShard', () => {
  it('defaults to one shard, index 0', () => {
    expect(parseShard({})).toEqual({ count: 1, index: 0 });
    expect(parseShard({ env: {} })).toEqual({ count: 1, index: 0 });
  });

  it('takes the index from JOB_COMPLETION_INDEX when --shard-index is absent', () => {
    expect(parseShard({ count: '4', env: { JOB_COMPLETION_INDEX: '3' } })).toEqual({ count: 4, index: 3 });
    expect(parseShard({ count: 4, env: { JOB_COMPLETION_INDEX: '' } })).toEqual({ count: 4, index: 0 });
  });

  it('prefers --shard-index over JOB_COMPLETION_INDEX', () => {
    expect(parseShard({ count: '4', index: '1', env: { JOB_COMPLETION_INDEX: '3' } })).toEqual({ count: 4, index: 1 });
  });

  function errorOf(fn: () => unknown): ShardOptionError {
    try {
      fn();
    } catch (error) {
      if (error instanceof ShardOptionError) return error;
      throw error;
    }
    throw new Error('expected a ShardOptionError');
  }

  it.each([
    [{ count: 'ten' }, '--shard-count', /--shard-count must be a whole number of 1 or more, got "ten"/],
    [{ count: '0' }, '--shard-count', /--shard-count must be a whole number of 1 or more, got "0"/],
    [{ count: '-2' }, '--shard-count', /got "-2"/],
    [{ count: '1.5' }, '--shard-count', /got "1.5"/],
    [{ count: '3', index: 'x' }, '--shard-index', /--shard-index must be a whole number from 0 to --shard-count - 1, got "x"/],
    [{ count: '3', index: '3' }, '--shard-index', /--shard-index=3 is out of range for --shard-count 3: use an index from 0 to 2/],
    [{ index: '1' }, '--shard-index', /out of range for --shard-count 1/],
    [{ env: { JOB_COMPLETION_INDEX: '2' } }, 'JOB_COMPLETION_INDEX', /JOB_COMPLETION_INDEX=2 is out of range for --shard-count 1: set --shard-count/],
    [{ count: '2', env: { JOB_COMPLETION_INDEX: 'abc' } }, 'JOB_COMPLETION_INDEX', /JOB_COMPLETION_INDEX must be a whole number/],
  ])('rejects %j naming %s', (input, flag, message) => {
    const error = errorOf(() => parseShard(input));
    expect(error.flag).toBe(flag);
    expect(error.message).toMatch(message);
  });
});

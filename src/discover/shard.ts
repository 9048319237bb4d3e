/**
 * Sharding: N copies of kprofefe (the pods of an Indexed Job) split the enabled pods between
 * them without talking to each other. Each pod belongs to exactly one shard, chosen by a stable
 * hash of its UID, so every copy computes the same partition from the same pod list.
 */
import { createHash } from 'node:crypto';

/** Which slice of the pods this run handles. */
export interface Shard {
  /** How many shards there are (`--shard-count`), at least 1. */
  readonly count: number;
  /** This run's shard (`--shard-index`), from 0 to count - 1. */
  readonly index: number;
}

/**
 * The shard a pod belongs to: the first 32 bits of SHA-256 of its UID, modulo `count`.
 * SHA-256 rather than FNV: FNV's low bits depend on little more than the parity of the input
 * bytes, which skews small moduli; SHA-256 mixes every bit, is the same in every language and
 * Node version, and costs about a microsecond per pod.
 */
export function shardOf(uid: string, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`shard count must be a whole number of 1 or more, got ${count}`);
  }
  if (count === 1) return 0;
  return createHash('sha256').update(uid, 'utf8').digest().readUInt32BE(0) % count;
}

/** Whether the pod with this UID is handled by shard `index` of `count`. */
export function inShard(uid: string, count: number, index: number): boolean {
  return shardOf(uid, count) === index;
}

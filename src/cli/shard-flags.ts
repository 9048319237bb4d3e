/**
 * `--shard-count` and `--shard-index` (default: `JOB_COMPLETION_INDEX`, set by an Indexed Job)
 * into the run's Shard; every mistake names the flag or variable at fault.
 */
import type { Shard } from '../discover/shard.js';

/** A bad `--shard-count` / `--shard-index` (or `JOB_COMPLETION_INDEX`): a usage error. */
export class ShardOptionError extends Error {
  override readonly name = 'ShardOptionError';
  constructor(
    /** The flag or variable at fault, e.g. `--shard-index`. */
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ShardInput {
  /** `--shard-count` as given on the command line; absent means 1. */
  readonly count?: string | number | undefined;
  /** `--shard-index` as given on the command line; absent means `env.JOB_COMPLETION_INDEX`, else 0. */
  readonly index?: string | number | undefined;
  /** The environment (`process.env`): an Indexed Job sets `JOB_COMPLETION_INDEX` in each pod. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const WHOLE_NUMBER = /^\d+$/;

function wholeNumber(raw: string | number, flag: string, what: string): number {
  const text = String(raw).trim();
  const value = WHOLE_NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new ShardOptionError(flag, `${flag} must be ${what}, got "${String(raw)}"`);
  }
  return value;
}

/** Validates the sharding options. Throws ShardOptionError naming the flag (or variable) at fault. */
export function parseShard(input: ShardInput): Shard {
  const count = input.count === undefined ? 1 : wholeNumber(input.count, '--shard-count', 'a whole number of 1 or more');
  if (count < 1) {
    throw new ShardOptionError('--shard-count', `--shard-count must be a whole number of 1 or more, got "${String(input.count)}"`);
  }

  const fromEnv = input.env?.JOB_COMPLETION_INDEX;
  let index = 0;
  let source = '--shard-index';
  if (input.index !== undefined) {
    index = wholeNumber(input.index, '--shard-index', 'a whole number from 0 to --shard-count - 1');
  } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
    source = 'JOB_COMPLETION_INDEX';
    index = wholeNumber(fromEnv, source, 'a whole number (the Indexed Job completion index) when --shard-index is not given');
  }

  if (index >= count) {
    const hint =
      source === 'JOB_COMPLETION_INDEX'
        ? `set --shard-count to the Job's completions (this pod is index ${index}), or pass --shard-index`
        : `use an index from 0 to ${count - 1}`;
    throw new ShardOptionError(source, `${source}=${index} is out of range for --shard-count ${count}: ${hint}`);
  }
  return { count, index };
}

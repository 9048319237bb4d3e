import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProfileType } from '../../src/profile-types.js';

/**
 * Real Go profiles in test/fixtures/pprof, read once and cached. `goroutine-debug1` is the text a
 * pod serves for `?debug=1`: a 200 response that must be rejected.
 */
export type PprofFixtureName = ProfileType | 'heap-large' | 'cpu-large';
export type FixtureName = PprofFixtureName | 'goroutine-debug1';

/** Every fixture that is a real gzipped pprof profile (each must validate). */
export const PPROF_FIXTURES: readonly PprofFixtureName[] = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate', 'cpu-large', 'heap-large'];

const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/pprof/', import.meta.url));
const cache = new Map<FixtureName, Buffer>();

export function fixturePath(name: FixtureName): string {
  return FIXTURE_DIR + (name === 'goroutine-debug1' ? 'goroutine-debug1.txt' : `${name}.pb.gz`);
}

/** The fixture's bytes. The same Buffer is returned on every call: do not mutate it. */
export function fixture(name: FixtureName): Buffer {
  let bytes = cache.get(name);
  if (bytes === undefined) {
    bytes = readFileSync(fixturePath(name));
    cache.set(name, bytes);
  }
  return bytes;
}

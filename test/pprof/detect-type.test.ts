import { Sample } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/pprof/decode-profile.js';
import { detectCollectorType, detectProfileType } from '../../src/pprof/detect-type.js';
import { fixture, type PprofFixtureName } from '../doubles/fixtures.js';
import { syntheticProfile, type SyntheticLocation } from './synthetic-profile.js';

const CASES: ReadonlyArray<[PprofFixtureName, string, string]> = [
  ['cpu', 'cpu', 'cpu'],
  ['cpu-large', 'cpu', 'cpu'],
  ['heap', 'heap', 'heap'],
  ['heap-large', 'heap', 'heap'],
  ['allocs', 'allocs', 'heap'],
  ['goroutine', 'goroutine', 'goroutine'],
  ['block', 'block', 'block'],
  ['mutex', 'mutex', 'mutex'],
  ['threadcreate', 'threadcreate', 'threadcreate'],
];

describe('detectProfileType / detectCollectorType on the Go fixtures', () => {
  it.each(CASES)('%s is a %s profile, stored as %s', (name, profileType, collectorType) => {
    const profile = decodeProfile(fixture(name), name);
    expect(detectProfileType(profile)).toBe(profileType);
    expect(detectCollectorType(profile)).toBe(collectorType);
  });
});

/** A contention profile as Go's runtime/pprof writes block and mutex profiles (same metadata for both). */
function contention(leaves: SyntheticLocation[]) {
  return syntheticProfile({
    sampleTypes: [
      ['contentions', 'count'],
      ['delay', 'nanoseconds'],
    ],
    periodType: ['contentions', 'count'],
    samples: leaves.map((leaf) => ({ stack: [leaf, ['main.worker']], values: [3, 1000] })),
  });
}

describe('block vs mutex, told apart by the innermost frames', () => {
  it.each([
    [['runtime.chanrecv1'], 'block'],
    [['runtime.selectgo'], 'block'],
    [['sync.(*WaitGroup).Wait'], 'block'],
    [['sync.(*RWMutex).RLock', 'main.read'], 'block'],
    [['sync.(*RWMutex).RUnlock', 'main.read'], 'mutex'],
    [['sync.(*RWMutex).Unlock'], 'mutex'],
    [['runtime.unlock'], 'mutex'],
  ] as const)('%j -> %s', (leaf, expected) => {
    expect(detectProfileType(contention([[...leaf]]))).toBe(expected);
    expect(detectCollectorType(contention([[...leaf]]))).toBe(expected);
  });

  it('is undecidable without samples (the rate was never set), or when the stacks disagree', () => {
    expect(detectCollectorType(contention([]))).toBeUndefined();
    expect(detectCollectorType(contention([['sync.(*Mutex).Unlock'], ['sync.(*Mutex).Lock']]))).toBeUndefined();
    expect(detectCollectorType(contention([['main.somethingElse']]))).toBeUndefined();
  });

  it('ignores samples without a stack', () => {
    const profile = contention([['sync.(*Mutex).Unlock']]);
    profile.sample.push(new Sample({ locationId: [], value: [1, 10] }));
    expect(detectCollectorType(profile)).toBe('mutex');
  });
});

describe('profiles that are not a Go runtime type', () => {
  it('returns undefined for unknown sample types', () => {
    const profile = syntheticProfile({ sampleTypes: [['widgets', 'count']], samples: [{ stack: [['main.f']], values: [1] }] });
    expect(detectProfileType(profile)).toBeUndefined();
    expect(detectCollectorType(profile)).toBeUndefined();
  });

  it('recognises a CPU profile by its period type alone', () => {
    const profile = syntheticProfile({
      sampleTypes: [['samples', 'count']],
      periodType: ['cpu', 'nanoseconds'],
      samples: [{ stack: [['main.f']], values: [1] }],
    });
    expect(detectCollectorType(profile)).toBe('cpu');
  });
});

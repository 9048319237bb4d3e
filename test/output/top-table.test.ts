import { describe, expect, it } from 'vitest';
import { formatTop } from '../../src/output/top-table.js';
import { decodeProfile } from '../../src/pprof/decode-profile.js';
import { topFunctions } from '../../src/pprof/top.js';
import { fixture, fixturePath, PPROF_FIXTURES } from '../doubles/fixtures.js';
import { goPprofTop } from '../pprof/go-pprof.js';

describe('formatTop prints what go tool pprof -top prints, byte for byte', () => {
  // heap-large is compared in test/pprof/top.test.ts (it takes pprof seconds to read).
  it.each(PPROF_FIXTURES.filter((name) => name !== 'heap-large'))('%s', async (name) => {
    const pprof = await goPprofTop(fixturePath(name));
    expect(formatTop(topFunctions(decodeProfile(fixture(name), name)))).toBe(pprof.stdout);
  });

  it.each([
    ['heap', ['-sample_index=alloc_space'], { sampleIndex: 'alloc_space' }],
    ['goroutine', ['-nodecount=4'], { nodeCount: 4 }],
    ['cpu-large', ['-sample_index=samples', '-nodecount=12'], { sampleIndex: 'samples', nodeCount: 12 }],
  ] as const)('%s %j', async (name, flags, options) => {
    const pprof = await goPprofTop(fixturePath(name), flags);
    expect(formatTop(topFunctions(decodeProfile(fixture(name)), options))).toBe(pprof.stdout);
  });

  it('can leave out the profile lines (File, Type, Time, Duration)', async () => {
    const pprof = await goPprofTop(fixturePath('cpu'));
    const text = formatTop(topFunctions(decodeProfile(fixture('cpu'))), { profileLabels: false });
    expect(text.startsWith('Showing nodes accounting for ')).toBe(true);
    expect(pprof.stdout.endsWith(text)).toBe(true);
    expect(text).not.toContain('Duration:');
  });
});

import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Profile } from 'pprof-format';
import { decodeProfile, encodeProfile, isGzip, ProfileDecodeError } from '../../src/pprof/decode-profile.js';
import { fixture, PPROF_FIXTURES } from '../doubles/fixtures.js';
import { goToolPprof } from '../doubles/go-tools.js';
import { goPprofTop, withTempFile } from './go-pprof.js';

/** What `go tool pprof` says about the bytes: its exit status and stderr. */
async function goPprofAccepts(bytes: Uint8Array): Promise<boolean> {
  return withTempFile(bytes, async (file) => {
    try {
      await goToolPprof(['-top', file]);
      return true;
    } catch {
      return false;
    }
  });
}

function decodeError(bytes: Uint8Array, source: string): ProfileDecodeError {
  try {
    decodeProfile(bytes, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileDecodeError);
    expect((err as ProfileDecodeError).source).toBe(source);
    expect((err as Error).message).toContain(source);
    return err as ProfileDecodeError;
  }
  throw new Error(`decodeProfile accepted ${source}`);
}

describe('decodeProfile', () => {
  it.each(PPROF_FIXTURES)('reads the %s fixture gzipped and raw', (name) => {
    const gz = fixture(name);
    expect(isGzip(gz)).toBe(true);
    const fromGzip = decodeProfile(gz, name);
    const fromRaw = decodeProfile(gunzipSync(gz), name);
    expect(fromGzip.sampleType.length).toBeGreaterThan(0);
    expect(fromGzip.sample.length).toBe(fromRaw.sample.length);
    expect(fromGzip.stringTable.strings).toEqual(fromRaw.stringTable.strings);
  });

  it('rejects a debug=1 text response and says how to get the protobuf form', () => {
    const err = decodeError(fixture('goroutine-debug1'), 'http://10.0.0.1:6060/debug/pprof/goroutine');
    expect(err.message).toMatch(/is text, not a pprof profile/);
    expect(err.message).toContain('goroutine profile: total');
    expect(err.message).toMatch(/debug=1/);
  });

  it('rejects gzip of text the same way', () => {
    expect(decodeError(gzipSync(fixture('goroutine-debug1')), 'pod web-1 goroutine').message).toMatch(/is text/);
  });

  it('rejects an HTML error page, as go tool pprof does', async () => {
    const html = Buffer.from('<html><body><h1>404 page not found</h1></body></html>\n');
    expect(decodeError(html, 'page.html').message).toMatch(/page\.html is text/);
    expect(await goPprofAccepts(html)).toBe(false);
  });

  it('rejects a truncated gzip download, as go tool pprof does', async () => {
    const cut = fixture('cpu').subarray(0, Math.floor(fixture('cpu').length / 2));
    expect(decodeError(cut, 'cpu.pb.gz').message).toMatch(/could not be decompressed.*truncated/);
    expect(await goPprofAccepts(cut)).toBe(false);
  });

  it('rejects empty input and an empty gzip stream', () => {
    expect(decodeError(Buffer.alloc(0), 'empty.pb').message).toMatch(/empty\.pb is empty/);
    expect(decodeError(gzipSync(Buffer.alloc(0)), 'empty.pb.gz').message).toMatch(/empty gzip/);
  });

  it('rejects binary that is not a profile, and a protobuf without sample types', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]);
    expect(decodeError(png, 'image.png').message).toMatch(/image\.png is not/);
    expect(await goPprofAccepts(png)).toBe(false);
    const noTypes = encodeProfile(new Profile(), { gzip: false });
    expect(decodeError(noTypes, 'blank.pb').message).toMatch(/no sample types/);
  });

  it('rejects a sample whose value count does not match the sample types, as go tool pprof does', async () => {
    const p = decodeProfile(fixture('heap'));
    p.sample[0]!.value = p.sample[0]!.value.slice(0, 2);
    const bytes = encodeProfile(p);
    expect(decodeError(bytes, 'broken.pb.gz').message).toMatch(/sample 0 has 2 values for 4 sample types/);
    expect(await goPprofAccepts(bytes)).toBe(false);
  });
});

describe('encodeProfile', () => {
  it.each(['cpu', 'heap', 'goroutine', 'mutex'] as const)('writes %s so that go tool pprof reads the same report, gzipped or not', async (name) => {
    const original = await withTempFile(fixture(name), (file) => goPprofTop(file));
    const profile = decodeProfile(fixture(name));
    for (const gzip of [true, false]) {
      const bytes = encodeProfile(profile, { gzip });
      expect(isGzip(bytes)).toBe(gzip);
      const again = await withTempFile(bytes, (file) => goPprofTop(file));
      expect(again.stdout).toBe(original.stdout);
    }
  });

  it('gzips by default', () => {
    expect(isGzip(encodeProfile(decodeProfile(fixture('cpu'))))).toBe(true);
  });
});

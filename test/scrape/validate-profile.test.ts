import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { ProfileError } from '../../src/profile-error.js';
import { FULL_CHECK_MAX_BODY_BYTES, looksLikeText, SYNC_INFLATE_MAX_BODY_BYTES } from '../../src/pprof/valid-profile.js';
import { describeSource, validateProfile } from '../../src/scrape/validate-profile.js';
import { fixture, PPROF_FIXTURES } from '../doubles/fixtures.js';

const source = {
  url: 'http://10.1.2.3:6060/debug/pprof/heap',
  type: 'heap',
  pod: { namespace: 'shop', name: 'orders-7d9f8-abcde' },
};

async function rejection(body: Buffer, options?: { maxInflatedBytes?: number }): Promise<ProfileError> {
  try {
    await validateProfile(body, source, options);
  } catch (err) {
    if (err instanceof ProfileError) return err;
    throw err;
  }
  throw new Error('validateProfile accepted the body');
}

/** A valid pprof profile (pprof-format encodes it) with one sample type and no samples. */
function profileWithoutSamples(): Buffer {
  const strings = new StringTable();
  const profile = new Profile({
    sampleType: [new ValueType({ type: strings.dedup('contentions'), unit: strings.dedup('count') })],
    periodType: new ValueType({ type: strings.dedup('contentions'), unit: strings.dedup('count') }),
    period: 1,
    timeNanos: BigInt(Date.now()) * 1_000_000n,
    stringTable: strings,
  });
  return Buffer.from(profile.encode());
}

describe('validateProfile accepts real profiles', () => {
  it.each(PPROF_FIXTURES)('%s (gzipped, as Go serves it): sample count equals pprof-format decode', async (name) => {
    const body = fixture(name);
    const expected = Profile.decode(gunzipSync(body));
    const summary = await validateProfile(body, source);
    expect(summary.samples).toBe(expected.sample.length);
    expect(summary.sampleTypes).toBe(expected.sampleType.length);
    expect(summary.bytes).toBe(gunzipSync(body).length);
  });

  it.each(['cpu', 'heap', 'goroutine'] as const)('%s as raw protobuf', async (name) => {
    const raw = gunzipSync(fixture(name));
    const summary = await validateProfile(raw);
    expect(summary.samples).toBe(Profile.decode(raw).sample.length);
  });

  it('validates many large profiles at once', async () => {
    const body = fixture('heap-large');
    const expected = Profile.decode(gunzipSync(body)).sample.length;
    const summaries = await Promise.all(Array.from({ length: 8 }, () => validateProfile(body)));
    for (const summary of summaries) expect(summary.samples).toBe(expected);
  });
});

describe('validateProfile rejects what the collector would', () => {
  const html = Buffer.from('<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n');
  const json = Buffer.from('{"error":"not found","status":404}\n');
  const truncated = fixture('heap').subarray(0, Math.floor(fixture('heap').length / 2));

  it.each([
    [
      'the ?debug=1 text output',
      fixture('goroutine-debug1'),
      'TARGET_TEXT',
      /^the target returned text, not a pprof profile .*starts with "goroutine profile: total \d+"/,
    ],
    ['an HTML error page', html, 'TARGET_TEXT', /^the target returned text, not a pprof profile .*"<!DOCTYPE html>"/],
    ['JSON', json, 'TARGET_TEXT', /^the target returned text, not a pprof profile/],
    ['gzipped text', gzipSync(fixture('goroutine-debug1')), 'TARGET_TEXT', /^the target returned text, not a pprof profile .*\(gzipped\)/],
    ['an empty body', Buffer.alloc(0), 'TARGET_EMPTY', /^the target returned an empty body/],
    ['gzip of nothing', gzipSync(Buffer.alloc(0)), 'TARGET_EMPTY', /inflates to nothing/],
    ['a truncated gzip', truncated, 'TARGET_INVALID_PPROF', /^truncated gzip .*ends after \d+ bytes/],
    ['a large truncated gzip', fixture('heap-large').subarray(0, 2_000_000), 'TARGET_INVALID_PPROF', /^truncated gzip/],
    ['a valid pprof with zero samples', profileWithoutSamples(), 'TARGET_EMPTY', /^profile has no samples/],
    ['a gzipped pprof with zero samples', gzipSync(profileWithoutSamples()), 'TARGET_EMPTY', /^profile has no samples/],
    ['random bytes', Buffer.concat([Buffer.from([0xff, 0xfe]), randomBytes(4096)]), 'TARGET_INVALID_PPROF', /neither gzip nor a pprof protobuf/],
    ['gzip of random bytes', gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), randomBytes(4096)])), 'TARGET_INVALID_PPROF', /does not hold a pprof profile/],
    ['a protobuf cut short', gunzipSync(fixture('heap')).subarray(0, 1000), 'TARGET_INVALID_PPROF', /truncated protobuf/],
  ] as const)('%s', async (_name, body, code, message) => {
    const err = await rejection(body);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('heap profile of pod shop/orders-7d9f8-abcde');
    expect(err.message).toContain(source.url);
  });

  it('says what to check when the body is text', async () => {
    const err = await rejection(fixture('goroutine-debug1'));
    expect(err.message).toMatch(/profefe\.com\/path and profefe\.com\/port annotations/);
    expect(err.message).toMatch(/binary format \(no \?debug=1\)/);
  });

  it('reports a corrupted gzip stream', async () => {
    const body = Buffer.from(fixture('cpu'));
    body[body.length - 6] = body[body.length - 6]! ^ 0xff; // inside the CRC32 trailer
    const err = await rejection(body);
    expect(err.code).toBe('TARGET_INVALID_PPROF');
    expect(err.message).toMatch(/^corrupt gzip .*incorrect data check/);
  });

  it('stops inflating at the first bad byte instead of inflating everything', async () => {
    // 64 MiB of zeros gzip to about 64 KiB: a protobuf can not start with a 0 byte.
    const err = await rejection(gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    expect(err.code).toBe('TARGET_INVALID_PPROF');
    expect(err.message).toMatch(/field number 0 is not allowed at inflated byte 1;/);
  });

  it('refuses a stream that inflates past maxInflatedBytes', async () => {
    const err = await rejection(fixture('heap-large'), { maxInflatedBytes: 1024 * 1024 });
    expect(err.code).toBe('TARGET_TOO_LARGE');
    expect(err.message).toMatch(/inflates to more than 1048576 bytes/);
  });

  it('checks a small body that inflates past the synchronous limit as a stream, and accepts it', async () => {
    // A real heap profile plus one 20 MiB string: the gzip stays small, the inflated profile is
    // larger than one synchronous inflate may produce.
    const profile = Profile.decode(gunzipSync(fixture('heap')));
    profile.stringTable.dedup('x'.repeat(20 * 1024 * 1024));
    const body = gzipSync(profile.encode());
    expect(body.length).toBeLessThanOrEqual(SYNC_INFLATE_MAX_BODY_BYTES);
    const summary = await validateProfile(body, source);
    expect(summary.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(summary.samples).toBe(Profile.decode(gunzipSync(fixture('heap'))).sample.length);
  });

  it('refuses a small body that inflates past maxInflatedBytes', async () => {
    const profile = Profile.decode(gunzipSync(fixture('heap')));
    profile.stringTable.dedup('x'.repeat(4 * 1024 * 1024));
    const err = await rejection(gzipSync(profile.encode()), { maxInflatedBytes: 1024 * 1024 });
    expect(err.code).toBe('TARGET_TOO_LARGE');
    expect(err.message).toMatch(/inflates to more than 1048576 bytes/);
  });

  it('without a source the message has no context', async () => {
    await expect(validateProfile(Buffer.alloc(0))).rejects.toThrow(/^the target returned an empty body: check/);
  });
});

describe('helpers', () => {
  it('describeSource names the type, the pod and the URL', () => {
    expect(describeSource(source)).toBe(` (heap profile of pod shop/orders-7d9f8-abcde, GET ${source.url})`);
    expect(describeSource({ url: 'http://x/' })).toBe(' (profile, GET http://x/)');
    expect(describeSource(undefined)).toBe('');
  });

  it('looksLikeText tells text from pprof protobuf', () => {
    expect(looksLikeText(Buffer.from('héllo wörld\n'))).toBe(true);
    expect(looksLikeText(Buffer.from('héllo').subarray(0, 2))).toBe(true); // cut inside "é"
    expect(looksLikeText(gunzipSync(fixture('heap')).subarray(0, 512))).toBe(false);
    expect(looksLikeText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false);
    expect(looksLikeText(Buffer.alloc(0))).toBe(false);
  });
});

describe('validateProfile: full check for small bodies, top-level check above FULL_CHECK_MAX_BODY_BYTES', () => {
  it('the 3.8 MB heap gets the top-level check and passes; a small heap gets the full check', async () => {
    expect(fixture('heap-large').length).toBeGreaterThan(FULL_CHECK_MAX_BODY_BYTES);
    expect((await validateProfile(fixture('heap-large'))).nestedChecked).toBe(false);
    expect((await validateProfile(fixture('heap'))).nestedChecked).toBe(true);
  });

  it('a large body cut short is still rejected as a truncated gzip', async () => {
    const large = fixture('heap-large');
    await expect(validateProfile(large.subarray(0, large.length - 1000))).rejects.toMatchObject({
      code: 'TARGET_INVALID_PPROF',
      message: expect.stringContaining('truncated gzip'),
    });
  });
});

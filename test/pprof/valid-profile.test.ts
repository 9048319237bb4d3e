/**
 * One definition of a valid pprof profile: the scraper's check (validateProfile, on every fetched
 * body) and `kubectl profefe load`'s (uploadableProfile, on every file) are fed the same good and
 * bad bodies and must agree: both accept, or both refuse with the same reason. decodeProfile (the
 * other commands) gives the same reasons too.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { uploadableProfile } from '../../src/cli/plugin/load.js';
import { decodeProfile, encodeProfile, ProfileDecodeError } from '../../src/pprof/decode-profile.js';
import { GZIP_MAGIC, isGzip } from '../../src/pprof/gzip.js';
import { InvalidProfileError, PROFILE_ERROR_CODES, type ProfileRejection } from '../../src/pprof/valid-profile.js';
import { ProfileError } from '../../src/profile-error.js';
import { validateProfile } from '../../src/scrape/validate-profile.js';
import { fixture, PPROF_FIXTURES } from '../doubles/fixtures.js';

const target = { url: 'http://10.1.2.3:6060/debug/pprof/heap', type: 'heap', pod: { namespace: 'shop', name: 'orders-1' } };
const FILE = 'upload.pb.gz';

type Outcome = { accepted: true } | { accepted: false; reason: ProfileRejection; message: string };

async function outcome(check: () => Promise<unknown>): Promise<Outcome> {
  try {
    await check();
    return { accepted: true };
  } catch (err) {
    if (!(err instanceof InvalidProfileError)) throw err;
    return { accepted: false, reason: err.reason, message: err.message };
  }
}

const scraper = (body: Buffer, maxInflatedBytes?: number) =>
  outcome(() => validateProfile(body, target, maxInflatedBytes === undefined ? {} : { maxInflatedBytes }));
const load = (body: Buffer, maxInflatedBytes?: number) =>
  outcome(() => uploadableProfile(body, FILE, maxInflatedBytes === undefined ? {} : { maxInflatedBytes }));
const decode = (body: Buffer) => outcome(async () => decodeProfile(body, FILE));

/** A pprof profile (pprof-format encodes it) with `types` sample types and no samples. */
function profileWithoutSamples(types: 0 | 1): Buffer {
  const strings = new StringTable();
  const profile = new Profile({
    sampleType: types === 0 ? [] : [new ValueType({ type: strings.dedup('contentions'), unit: strings.dedup('count') })],
    period: 1,
    timeNanos: 1_700_000_000_000_000_000n,
    stringTable: strings,
  });
  return Buffer.from(profile.encode());
}

/** The heap fixture with sample 0 cut to two values (four sample types). */
function sampleValueMismatch(): Buffer {
  const p = decodeProfile(fixture('heap'));
  p.sample[0]!.value = p.sample[0]!.value.slice(0, 2);
  return encodeProfile(p);
}

/** Deterministic bytes that are neither text nor protobuf. */
function noise(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  return bytes;
}

function corruptCrc(): Buffer {
  const body = Buffer.from(fixture('cpu'));
  body[body.length - 6] = body[body.length - 6]! ^ 0xff; // inside the CRC32 trailer
  return body;
}

const heapRaw = gunzipSync(fixture('heap'));
const debug1 = fixture('goroutine-debug1');

/** A bad body, why it is refused, and a pattern both messages match (they say the same about the bytes). */
interface BadBody {
  readonly name: string;
  readonly body: Buffer;
  readonly reason: ProfileRejection;
  readonly both?: RegExp;
}

const BAD: readonly BadBody[] = (
  [
    ['?debug=1 text', debug1, 'TEXT', /text, not a pprof profile.*starts with "goroutine profile: total \d+"/],
    ['gzipped ?debug=1 text', gzipSync(debug1), 'TEXT', /text, not a pprof profile.*gzipped.*starts with "goroutine profile: total \d+"/],
    ['an HTML error page', Buffer.from('<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n'), 'TEXT', /text, not a pprof profile.*"<!DOCTYPE html>"/],
    ['JSON', Buffer.from('{"error":"not found"}\n'), 'TEXT', /text, not a pprof profile/],
    ['an empty body', Buffer.alloc(0), 'EMPTY'],
    ['gzip of nothing', gzipSync(Buffer.alloc(0)), 'EMPTY', /inflates to nothing/],
    [
      'a truncated gzip',
      fixture('heap').subarray(0, fixture('heap').length >> 1),
      'TRUNCATED_GZIP',
      /truncated gzip.*the stream ends after \d+ bytes, before its end marker/,
    ],
    ['a large truncated gzip (streamed)', fixture('heap-large').subarray(0, 2_000_000), 'TRUNCATED_GZIP', /the stream ends after 2000000 bytes/],
    ['a gzip with a bad CRC', corruptCrc(), 'CORRUPT_GZIP', /corrupt gzip.*incorrect data check/],
    [
      'a profile without samples',
      profileWithoutSamples(1),
      'NO_SAMPLES',
      /has no samples.*: there is nothing to store \(the profefe collector rejects empty profiles\)/,
    ],
    ['a gzipped profile without samples', gzipSync(profileWithoutSamples(1)), 'NO_SAMPLES', /has no samples.*: there is nothing to store/],
    ['a profile without sample types or samples', profileWithoutSamples(0), 'NO_SAMPLES', /has no samples and no sample types/],
    ['noise', noise(4096), 'NOT_PPROF', /bytes that are neither gzip nor a pprof protobuf.*at byte \d+/],
    ['gzipped noise', gzipSync(noise(4096)), 'NOT_PPROF', /a gzip stream that does not hold a pprof profile.*at inflated byte \d+/],
    [
      'a PNG',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]),
      'NOT_PPROF',
      /field number 0 is not allowed at byte \d+/,
    ],
    ['a protobuf cut short', heapRaw.subarray(0, 1000), 'NOT_PPROF', /truncated protobuf/],
    ['two profiles concatenated', Buffer.concat([heapRaw, heapRaw]), 'NOT_PPROF', /concatenated profiles/],
    ['64 MiB of gzipped zeros', gzipSync(Buffer.alloc(64 * 1024 * 1024)), 'NOT_PPROF', /field number 0 is not allowed at inflated byte 1/],
    ['a sample with too few values', sampleValueMismatch(), 'MALFORMED', /malformed pprof profile.*: sample 0 has 2 values for 4 sample types$/],
  ] as const
).map(([name, body, reason, both]: readonly [string, Buffer, ProfileRejection, RegExp?]) => ({ name, body, reason, ...(both ? { both } : {}) }));

/** decodeProfile (top, not upload) shows an empty profile that has sample types: the only bodies it takes that the others refuse. */
const SHOWN_BY_DECODE = new Set(['a profile without samples', 'a gzipped profile without samples']);

describe('the scraper and load agree on every body', () => {
  it.each([
    ...PPROF_FIXTURES.map((name) => [`${name}.pb.gz`, fixture(name)] as const),
    ...(['cpu', 'heap', 'goroutine'] as const).map((name) => [`${name} raw`, gunzipSync(fixture(name))] as const),
  ])('accepted: %s', async (_name, body) => {
    expect(await scraper(body)).toEqual({ accepted: true });
    expect(await load(body)).toEqual({ accepted: true });
    expect(await decode(body)).toEqual({ accepted: true });
  });

  it.each(BAD)('refused: $name', async ({ name, body, reason, both }) => {
    const [byScraper, byLoad, byDecode] = [await scraper(body), await load(body), await decode(body)];
    expect(byScraper).toMatchObject({ accepted: false, reason });
    expect(byLoad).toMatchObject({ accepted: false, reason });
    if (SHOWN_BY_DECODE.has(name)) expect(byDecode).toEqual({ accepted: true });
    else expect(byDecode).toMatchObject({ accepted: false, reason });
    if (byScraper.accepted || byLoad.accepted) return;
    // Each names the bytes its own way...
    expect(byScraper.message).toContain(`heap profile of pod shop/orders-1, GET ${target.url}`);
    expect(byLoad.message.startsWith(`${FILE} `)).toBe(true);
    // ...and says the same about them.
    if (both !== undefined) {
      expect(byScraper.message).toMatch(both);
      expect(byLoad.message).toMatch(both);
    }
  });

  it('refused: a gzip stream that inflates past the cap (TOO_LARGE), by both', async () => {
    const body = fixture('heap-large');
    for (const result of [await scraper(body, 1024 * 1024), await load(body, 1024 * 1024)]) {
      expect(result).toMatchObject({
        accepted: false,
        reason: 'TOO_LARGE',
        message: expect.stringMatching(/inflates to more than 1048576 bytes.*: refusing what looks like a gzip bomb/),
      });
    }
  });

  it('the scraper counts each reason under its run-summary code; load and decodeProfile throw the same error type', async () => {
    for (const { body, reason } of BAD) {
      const err = await validateProfile(body, target).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProfileError);
      expect((err as ProfileError).code).toBe(PROFILE_ERROR_CODES[reason]);
    }
    await expect(uploadableProfile(debug1, FILE)).rejects.toBeInstanceOf(InvalidProfileError);
    expect(() => decodeProfile(debug1, FILE)).toThrow(ProfileDecodeError);
  });

  it('the one deliberate difference: references between ids are checked only where the profile is decoded (load), the scraper leaves them to the collector', async () => {
    const p = decodeProfile(fixture('heap'));
    p.sample[0]!.locationId = [999_999];
    const body = encodeProfile(p);
    expect(await scraper(body)).toEqual({ accepted: true });
    expect(await load(body)).toMatchObject({
      accepted: false,
      reason: 'MALFORMED',
      message: `${FILE} is a malformed pprof profile: sample 0 refers to missing location 999999`,
    });
  });
});

describe('isGzip: the one gzip magic check', () => {
  it('is 1f 8b, and needs both bytes', () => {
    expect(GZIP_MAGIC).toEqual([0x1f, 0x8b]);
    expect(isGzip(fixture('cpu'))).toBe(true);
    expect(isGzip(gzipSync(Buffer.alloc(0)))).toBe(true);
    expect(isGzip(heapRaw)).toBe(false);
    expect(isGzip(Uint8Array.of(0x1f))).toBe(false);
    expect(isGzip(new Uint8Array(0))).toBe(false);
  });
});

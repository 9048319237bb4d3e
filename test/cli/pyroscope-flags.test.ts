import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addPyroscopeOptions, type RawPyroscopeOptions, toPyroscopeSinkConfig } from '../../src/cli/pyroscope-flags.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { makeTestCa, type TestCa } from '../doubles/test-ca.js';
import { tempDir } from './run-cli.js';

const PASSWORD = 'p4ss:with:colons';
const TOKEN = 'glc_eyJvIjoiMTIzIn0';
let dir: string;
let ca: TestCa;

beforeAll(async () => {
  ca = await makeTestCa('pyroscope-flags CA');
  dir = await tempDir('pyroscope-flags-');
  await writeFile(join(dir, 'basic'), `123456:${PASSWORD}\n`);
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  await writeFile(join(dir, 'empty'), '\n');
  await writeFile(join(dir, 'nocolon'), 'justaname\n');
  await writeFile(join(dir, 'ca.crt'), ca.cert);
}, 60_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

function parse(args: string[]) {
  const command = addPyroscopeOptions(new Command('kprofefe')).exitOverride();
  command.parse(args, { from: 'user' });
  return toPyroscopeSinkConfig(command.opts<RawPyroscopeOptions>(), dir);
}

/** Asserts `args` are refused with a UsageError; chain `.toThrow(message)` to check its text. */
function refusal(args: string[]) {
  const outcome = expect(() => parse(args));
  outcome.toThrow(UsageError);
  return outcome;
}

describe('--pyroscope-* flags', () => {
  it('none given: no Pyroscope sink', () => {
    vi.stubEnv('PYROSCOPE_URL', '');
    expect(parse([])).toBeUndefined();
  });

  it('url, tenant, bearer token file and headers', () => {
    const config = parse([
      '--pyroscope-url',
      'https://profiles-prod-001.grafana.net/',
      '--pyroscope-tenant',
      'team-a',
      '--pyroscope-bearer-token-file',
      'token',
      '--pyroscope-header',
      'X-Proxy: a',
      '--pyroscope-header',
      'X-Other:b',
    ]);
    expect(config).toMatchObject({
      kind: 'pyroscope',
      url: 'https://profiles-prod-001.grafana.net',
      tenant: 'team-a',
      headers: { 'X-Proxy': 'a', 'X-Other': 'b' },
    });
    expect(config?.auth?.header()).toBe(`Bearer ${TOKEN}`);
    expect(inspect(config)).not.toContain(TOKEN);
    expect(JSON.stringify(config)).not.toContain(TOKEN);
  });

  it('basic auth file: username before the first colon, the password may hold colons', () => {
    const config = parse(['--pyroscope-url', 'http://pyroscope:4040', '--pyroscope-basic-auth-file', join(dir, 'basic')]);
    expect(config?.auth?.header()).toBe(`Basic ${Buffer.from(`123456:${PASSWORD}`).toString('base64')}`);
  });

  it('PYROSCOPE_URL is the default of --pyroscope-url', () => {
    vi.stubEnv('PYROSCOPE_URL', 'http://pyroscope.monitoring:4040');
    expect(parse([])?.url).toBe('http://pyroscope.monitoring:4040');
  });

  it('refuses what cannot work, naming the flag and never the secret', () => {
    refusal(['--pyroscope-tenant', 't']).toThrow('--pyroscope-tenant needs --pyroscope-url');
    refusal(['--pyroscope-bearer-token-file', 'token', '--pyroscope-header', 'A: b']).toThrow(
      '--pyroscope-bearer-token-file, --pyroscope-header need --pyroscope-url',
    );
    refusal(['--pyroscope-url', 'ftp://x']).toThrow('--pyroscope-url "ftp://x": only http:// and https:// URLs are supported');
    refusal(['--pyroscope-url', 'http://user:pw@pyroscope:4040']).toThrow(
      '--pyroscope-url: put credentials in --pyroscope-basic-auth-file or --pyroscope-bearer-token-file, not in the URL',
    );
    const url = ['--pyroscope-url', 'http://pyroscope:4040'];
    refusal([...url, '--pyroscope-basic-auth-file', 'basic', '--pyroscope-bearer-token-file', 'token']).toThrow(
      '--pyroscope-basic-auth-file and --pyroscope-bearer-token-file: give one of them, not both',
    );
    refusal([...url, '--pyroscope-bearer-token-file', 'token', '--pyroscope-header', 'authorization: Bearer x']).toThrow(
      '--pyroscope-header Authorization and --pyroscope-bearer-token-file: give one of them, not both',
    );
    refusal([...url, '--pyroscope-bearer-token-file', 'empty']).toThrow(`--pyroscope-bearer-token-file ${join(dir, 'empty')}: the token is empty`);
    refusal([...url, '--pyroscope-basic-auth-file', 'nocolon']).toThrow(
      `--pyroscope-basic-auth-file ${join(dir, 'nocolon')}: expected "username:password" on one line (the content is not shown)`,
    );
    refusal([...url, '--pyroscope-bearer-token-file', 'missing']).toThrow(`--pyroscope-bearer-token-file ${join(dir, 'missing')}: cannot read it (ENOENT)`);
    refusal([...url, '--pyroscope-tenant', 'a b']).toThrow(/^--pyroscope-tenant "a b": a tenant ID is 1 to 150 letters/);
    refusal([...url, '--pyroscope-tenant', '..']).toThrow(/^--pyroscope-tenant "\.\.": /);
    refusal([...url, '--pyroscope-header', 'no colon here']).toThrow(/^--pyroscope-header: expected "Name: value"/);
  });
});

describe('--pyroscope-ca-file', () => {
  const https = ['--pyroscope-url', 'https://pyroscope.monitoring:4040'];

  it('reads the PEM bundle once, relative to cwd, for an https:// URL', () => {
    expect(parse([...https, '--pyroscope-ca-file', 'ca.crt'])?.ca).toBe(ca.cert);
    expect(parse([...https, '--pyroscope-ca-file', join(dir, 'ca.crt')])?.ca).toBe(ca.cert);
    expect(parse(https)?.ca).toBeUndefined();
  });

  it('is refused without --pyroscope-url, with an http:// URL, and for a file that is missing or holds no PEM certificate', () => {
    vi.stubEnv('PYROSCOPE_URL', '');
    refusal(['--pyroscope-ca-file', 'ca.crt']).toThrow('--pyroscope-ca-file needs --pyroscope-url');
    refusal(['--pyroscope-url', 'http://pyroscope:4040', '--pyroscope-ca-file', 'ca.crt']).toThrow('--pyroscope-ca-file needs an https:// --pyroscope-url');
    refusal([...https, '--pyroscope-ca-file', 'missing.crt']).toThrow(
      `--pyroscope-ca-file ${join(dir, 'missing.crt')}: cannot read it (ENOENT): give a PEM file of CA certificates, e.g. the ca.crt of a mounted Secret or ConfigMap`,
    );
    refusal([...https, '--pyroscope-ca-file', 'token']).toThrow(
      `--pyroscope-ca-file ${join(dir, 'token')}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----`,
    );
  });
});

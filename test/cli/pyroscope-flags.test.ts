import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { addPyroscopeOptions, type RawPyroscopeOptions, toPyroscopeSinkConfig } from '../../src/cli/pyroscope-flags.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { tempDir } from './run-cli.js';

const PASSWORD = 'p4ss:with:colons';
const TOKEN = 'glc_eyJvIjoiMTIzIn0';
let dir: string;

beforeAll(async () => {
  dir = await tempDir('pyroscope-flags-');
  await writeFile(join(dir, 'basic'), `123456:${PASSWORD}\n`);
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  await writeFile(join(dir, 'empty'), '\n');
  await writeFile(join(dir, 'nocolon'), 'justaname\n');
});

function parse(args: string[], env: Record<string, string> = {}) {
  const saved = process.env.PYROSCOPE_URL;
  if (env.PYROSCOPE_URL !== undefined) process.env.PYROSCOPE_URL = env.PYROSCOPE_URL;
  else delete process.env.PYROSCOPE_URL;
  try {
    const command = addPyroscopeOptions(new Command('kprofefe')).exitOverride();
    command.parse(args, { from: 'user' });
    return toPyroscopeSinkConfig(command.opts<RawPyroscopeOptions>(), dir);
  } finally {
    if (saved === undefined) delete process.env.PYROSCOPE_URL;
    else process.env.PYROSCOPE_URL = saved;
  }
}

function usageError(args: string[]): string {
  try {
    parse(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no UsageError for ${args.join(' ')}`);
}

describe('--pyroscope-* flags', () => {
  it('none given: no Pyroscope sink', () => {
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
    expect(parse([], { PYROSCOPE_URL: 'http://pyroscope.monitoring:4040' })?.url).toBe('http://pyroscope.monitoring:4040');
  });

  it('refuses what cannot work, naming the flag and never the secret', () => {
    expect(usageError(['--pyroscope-tenant', 't'])).toBe('--pyroscope-tenant needs --pyroscope-url');
    expect(usageError(['--pyroscope-bearer-token-file', 'token', '--pyroscope-header', 'A: b'])).toBe(
      '--pyroscope-bearer-token-file, --pyroscope-header need --pyroscope-url',
    );
    expect(usageError(['--pyroscope-url', 'ftp://x'])).toBe('--pyroscope-url "ftp://x": only http:// and https:// URLs are supported');
    expect(usageError(['--pyroscope-url', 'http://user:pw@pyroscope:4040'])).toBe(
      '--pyroscope-url: put credentials in --pyroscope-basic-auth-file or --pyroscope-bearer-token-file, not in the URL',
    );
    const url = ['--pyroscope-url', 'http://pyroscope:4040'];
    expect(usageError([...url, '--pyroscope-basic-auth-file', 'basic', '--pyroscope-bearer-token-file', 'token'])).toBe(
      '--pyroscope-basic-auth-file and --pyroscope-bearer-token-file: give one of them, not both',
    );
    expect(usageError([...url, '--pyroscope-bearer-token-file', 'token', '--pyroscope-header', 'authorization: Bearer x'])).toBe(
      '--pyroscope-header Authorization and --pyroscope-bearer-token-file: give one of them, not both',
    );
    expect(usageError([...url, '--pyroscope-bearer-token-file', 'empty'])).toBe(`--pyroscope-bearer-token-file ${join(dir, 'empty')}: the token is empty`);
    expect(usageError([...url, '--pyroscope-basic-auth-file', 'nocolon'])).toBe(
      `--pyroscope-basic-auth-file ${join(dir, 'nocolon')}: expected "username:password" on one line (the content is not shown)`,
    );
    expect(usageError([...url, '--pyroscope-bearer-token-file', 'missing'])).toBe(
      `--pyroscope-bearer-token-file ${join(dir, 'missing')}: cannot read it (ENOENT)`,
    );
    expect(usageError([...url, '--pyroscope-tenant', 'a b'])).toMatch(/^--pyroscope-tenant "a b": a tenant ID is 1 to 150 letters/);
    expect(usageError([...url, '--pyroscope-tenant', '..'])).toMatch(/^--pyroscope-tenant "\.\.": /);
    expect(usageError([...url, '--pyroscope-header', 'no colon here'])).toMatch(/^--pyroscope-header: expected "Name: value"/);
  });
});

/**
 * kprofefe's Grafana Pyroscope flags: --pyroscope-url (env PYROSCOPE_URL), --pyroscope-tenant,
 * --pyroscope-basic-auth-file or --pyroscope-bearer-token-file (e.g. keys of a mounted Secret,
 * read once per run), --pyroscope-header and --pyroscope-ca-file (a private CA of an https:// URL). Every mistake is a UsageError naming the flag (and
 * the file); no credential appears in a message, a default or a log.
 */
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { PyroscopeAuth } from '../sink/pyroscope-auth.js';
import type { PyroscopeSinkConfig } from '../sink/sink-config.js';
import { readCaFile, readFlagFile } from './flag-files.js';
import { collect, httpUrl } from './flag-values.js';
import { parseHeader } from './headers.js';
import { UsageError } from './usage-error.js';

export interface RawPyroscopeOptions {
  pyroscopeUrl?: string;
  pyroscopeTenant?: string;
  pyroscopeBasicAuthFile?: string;
  pyroscopeBearerTokenFile?: string;
  pyroscopeHeader?: string[];
  pyroscopeCaFile?: string;
}

const HELP_GROUP = 'Grafana Pyroscope (each profile is pushed there too when --pyroscope-url is given):';

/** dskit's tenant ID rule (Pyroscope's X-Scope-OrgID): up to 150 of these characters, not `.` or `..`. */
const TENANT = /^[A-Za-z0-9!\-_.*'()]{1,150}$/;

export function addPyroscopeOptions(command: Command): Command {
  const options = [
    new Option('--pyroscope-url <url>', "Pyroscope's base URL, e.g. http://pyroscope:4040 (push.v1.PusherService/Push below it)").env('PYROSCOPE_URL'),
    new Option('--pyroscope-tenant <id>', 'tenant of a multi-tenant Pyroscope, sent as X-Scope-OrgID'),
    new Option('--pyroscope-basic-auth-file <path>', 'file holding "username:password" (e.g. Grafana Cloud: instance id and token)'),
    new Option('--pyroscope-bearer-token-file <path>', 'file holding a bearer token for Pyroscope (or the gateway in front of it)'),
    new Option('--pyroscope-header <header>', "extra request header for Pyroscope, 'Name: value'; repeatable; never logged").argParser(collect),
    new Option('--pyroscope-ca-file <path>', "PEM CA certificates an https:// Pyroscope's certificate is also verified with (a private CA)"),
  ];
  for (const option of options) command.addOption(option.helpGroup(HELP_GROUP));
  return command;
}

/** undefined without --pyroscope-url. Relative paths are resolved against `cwd`. */
export function toPyroscopeSinkConfig(raw: RawPyroscopeOptions, cwd: string): PyroscopeSinkConfig | undefined {
  const url = raw.pyroscopeUrl ?? '';
  const given = usedFlags(raw);
  if (url === '') {
    if (given.length > 0) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} --pyroscope-url`);
    return undefined;
  }
  if (/^[a-z]+:\/\/[^/]*@/i.test(url)) {
    throw new UsageError('--pyroscope-url: put credentials in --pyroscope-basic-auth-file or --pyroscope-bearer-token-file, not in the URL');
  }
  if (raw.pyroscopeBasicAuthFile !== undefined && raw.pyroscopeBearerTokenFile !== undefined) {
    throw new UsageError('--pyroscope-basic-auth-file and --pyroscope-bearer-token-file: give one of them, not both');
  }
  const headers = Object.fromEntries((raw.pyroscopeHeader ?? []).map((line) => parseHeader(line, '--pyroscope-header')));
  const auth = readAuth(raw, cwd);
  if (auth !== undefined && Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new UsageError(
      `--pyroscope-header Authorization and --pyroscope-${auth.kind === 'basic' ? 'basic-auth' : 'bearer-token'}-file: give one of them, not both`,
    );
  }
  const baseUrl = httpUrl('--pyroscope-url', url);
  return { kind: 'pyroscope', url: baseUrl, tenant: tenant(raw.pyroscopeTenant), auth, headers, ca: readCa(raw.pyroscopeCaFile, baseUrl, cwd) };
}

function usedFlags(raw: RawPyroscopeOptions): string[] {
  const flags: [string, unknown][] = [
    ['--pyroscope-tenant', raw.pyroscopeTenant],
    ['--pyroscope-basic-auth-file', raw.pyroscopeBasicAuthFile],
    ['--pyroscope-bearer-token-file', raw.pyroscopeBearerTokenFile],
    ['--pyroscope-header', raw.pyroscopeHeader],
    ['--pyroscope-ca-file', raw.pyroscopeCaFile],
  ];
  return flags.filter(([, value]) => value !== undefined).map(([flag]) => flag);
}

function tenant(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!TENANT.test(value) || value === '.' || value === '..') {
    throw new UsageError(`--pyroscope-tenant "${value}": a tenant ID is 1 to 150 letters, digits and !-_.*'() (not . or ..)`);
  }
  return value;
}

function readAuth(raw: RawPyroscopeOptions, cwd: string): PyroscopeAuth | undefined {
  if (raw.pyroscopeBearerTokenFile !== undefined) {
    const flag = '--pyroscope-bearer-token-file';
    const file = resolve(cwd, raw.pyroscopeBearerTokenFile);
    return PyroscopeAuth.bearer(checkSecret(readSecret(flag, file), flag, file, 'token'));
  }
  if (raw.pyroscopeBasicAuthFile !== undefined) {
    const flag = '--pyroscope-basic-auth-file';
    const file = resolve(cwd, raw.pyroscopeBasicAuthFile);
    const text = readSecret(flag, file);
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UsageError(`${flag} ${file}: expected "username:password" on one line (the content is not shown)`);
    return PyroscopeAuth.basic(checkSecret(text.slice(0, colon), flag, file, 'username'), checkSecret(text.slice(colon + 1), flag, file, 'password'));
  }
  return undefined;
}

/** The file's content without surrounding whitespace (a Secret's trailing newline). */
function readSecret(flag: string, file: string): string {
  return readFlagFile(flag, file).trim();
}

/** The PEM bundle of --pyroscope-ca-file: only an https:// URL has a certificate to verify. */
function readCa(caFile: string | undefined, url: string, cwd: string): string | undefined {
  if (caFile === undefined) return undefined;
  if (!/^https:/i.test(url)) throw new UsageError('--pyroscope-ca-file needs an https:// --pyroscope-url');
  return readCaFile('--pyroscope-ca-file', resolve(cwd, caFile));
}

function checkSecret(value: string, flag: string, file: string, what: string): string {
  if (value === '') throw new UsageError(`${flag} ${file}: the ${what} is empty`);
  if (/[\u0000-\u001f\u007f]/.test(value) || (what !== 'password' && /\s/.test(value))) {
    throw new UsageError(`${flag} ${file}: the ${what} contains whitespace or control characters (its value is not shown)`);
  }
  return value;
}

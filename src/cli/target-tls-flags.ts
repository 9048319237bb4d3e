/**
 * The flags for HTTPS and authenticated targets, shared by kprofefe and `kubectl profefe capture`:
 * --target-scheme, --target-ca-file, --target-server-name, --target-insecure-skip-verify and
 * --target-bearer-token-file. Files are read here, once per run; the token never appears in a
 * message, a default or a log.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { parseScheme, type TargetScheme } from '../discover/annotations.js';
import { BearerToken, type TargetAccess } from '../transport/target-access.js';
import { readCaFile, readFlagFile } from './flag-files.js';
import { UsageError } from './usage-error.js';

export interface RawTargetTlsOptions {
  targetScheme: string;
  targetCaFile?: string;
  targetServerName?: string;
  targetInsecureSkipVerify?: boolean;
  targetBearerTokenFile?: string;
}

export interface TargetTlsConfig {
  /** The scheme of pods without a profefe.com/scheme annotation. */
  readonly scheme: TargetScheme;
  readonly access: TargetAccess;
  /** For the run's first log line: the scheme and the files and names given, never the token; undefined with the defaults. */
  readonly description: Readonly<Record<string, string | boolean | undefined>> | undefined;
}

const HELP_GROUP = 'HTTPS and authenticated targets (the host is always the pod IP):';

/** The five flags, in their own group of the help. */
export function addTargetTlsOptions(command: Command): Command {
  const options = [
    new Option('--target-scheme <scheme>', 'http or https: the scheme of pods without a profefe.com/scheme annotation').default('http'),
    new Option('--target-ca-file <path>', 'PEM CA certificates HTTPS targets are verified with (instead of the system CAs)'),
    new Option('--target-server-name <name>', "name HTTPS targets' certificates are checked against, sent as SNI (default: the pod IP)"),
    new Option('--target-insecure-skip-verify', 'do not verify the certificates of HTTPS targets (warned once per run)'),
    new Option('--target-bearer-token-file <path>', 'file holding a bearer token sent to HTTPS targets only (e.g. a mounted Secret); read once per run'),
  ];
  for (const option of options) command.addOption(option.helpGroup(HELP_GROUP));
  return command;
}

/** Relative paths are resolved against `cwd`. Every mistake is a UsageError naming the flag and the file. */
export function toTargetTlsConfig(raw: RawTargetTlsOptions, cwd: string): TargetTlsConfig {
  const scheme = parseScheme(raw.targetScheme, 'http', '--target-scheme');
  if (!scheme.ok) throw new UsageError(`--target-scheme "${raw.targetScheme}": expected http or https`);
  const insecureSkipVerify = raw.targetInsecureSkipVerify === true;
  if (insecureSkipVerify && (raw.targetCaFile !== undefined || raw.targetServerName !== undefined)) {
    throw new UsageError('--target-insecure-skip-verify checks no certificate: give it, or --target-ca-file / --target-server-name, not both');
  }
  const ca = raw.targetCaFile === undefined ? undefined : readCaFile('--target-ca-file', resolve(cwd, raw.targetCaFile));
  const serverName = raw.targetServerName === undefined ? undefined : checkServerName(raw.targetServerName);
  const bearerToken = raw.targetBearerTokenFile === undefined ? undefined : readToken(resolve(cwd, raw.targetBearerTokenFile));
  const given = raw.targetCaFile !== undefined || serverName !== undefined || insecureSkipVerify || bearerToken !== undefined;
  const description =
    scheme.value === 'http' && !given
      ? undefined
      : {
          scheme: scheme.value,
          caFile: raw.targetCaFile,
          serverName,
          insecureSkipVerify: insecureSkipVerify || undefined,
          bearerTokenFile: raw.targetBearerTokenFile,
        };
  return { scheme: scheme.value, access: { tls: { ca, serverName, insecureSkipVerify }, bearerToken }, description };
}

function checkServerName(name: string): string {
  if (isIP(name) !== 0) throw new UsageError(`--target-server-name "${name}": give a DNS name; the pod IP is what is checked without the flag`);
  if (name.length > 253 || !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(name)) {
    throw new UsageError(`--target-server-name "${name}": expected a DNS name such as pprof.shop.svc`);
  }
  return name;
}

/** The token is the file's content without surrounding whitespace; the message never shows it. */
function readToken(file: string): BearerToken {
  const token = readFlagFile('--target-bearer-token-file', file).trim();
  if (token === '') throw new UsageError(`--target-bearer-token-file ${file}: the file is empty`);
  if (/[\s\u0000-\u001f\u007f]/.test(token)) {
    throw new UsageError(`--target-bearer-token-file ${file}: the token contains whitespace or control characters (its value is not shown)`);
  }
  return new BearerToken(token);
}

/**
 * How a query command reaches the profefe collector: --profefe-hostport (env PROFEFE_HOSTPORT,
 * default http://localhost:10100), extra headers for a proxy in front of it (as kprofefe takes
 * them) and a per-request timeout. Declared on each command that talks to the collector, so the
 * flags show in that command's --help.
 */
import type { Command } from 'commander';
import { ProfefeClient } from '../../profefe/profefe-client.js';
import { collect, durationMs, httpUrl } from '../flag-values.js';
import { collectHeaders } from '../headers.js';

export const DEFAULT_PROFEFE_HOSTPORT = 'http://localhost:10100';

export interface CollectorFlags {
  profefeHostport?: string;
  profefeHeader?: string[];
  profefeHeaderFile?: string;
  timeout: string;
}

export function addCollectorOptions(command: Command): Command {
  return command
    .option('--profefe-hostport <url>', `profefe collector URL (env PROFEFE_HOSTPORT, default ${DEFAULT_PROFEFE_HOSTPORT})`)
    .option('--profefe-header <header>', "extra request header for the collector, 'Name: value'; repeatable", collect)
    .option('--profefe-header-file <path>', 'file of extra headers, one "Name: value" per line')
    .option('--timeout <duration>', 'timeout of one request to the collector', '1m');
}

/** The client for the flags given; throws UsageError for a bad URL, header or timeout. */
export function collectorClient(flags: CollectorFlags, env: NodeJS.ProcessEnv): ProfefeClient {
  const fromEnv = env.PROFEFE_HOSTPORT !== undefined && env.PROFEFE_HOSTPORT !== '' ? env.PROFEFE_HOSTPORT : undefined;
  const flag = flags.profefeHostport !== undefined ? '--profefe-hostport' : fromEnv !== undefined ? 'PROFEFE_HOSTPORT' : '--profefe-hostport';
  const url = httpUrl(flag, flags.profefeHostport ?? fromEnv ?? DEFAULT_PROFEFE_HOSTPORT);
  const headers = collectHeaders(flags.profefeHeader ?? [], flags.profefeHeaderFile);
  const timeoutMs = durationMs('--timeout', flags.timeout);
  return new ProfefeClient({ baseUrl: url, headers, timeoutMs });
}

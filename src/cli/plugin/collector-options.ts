/**
 * How a command reaches the profefe collector, as flags: a URL (--profefe-hostport, env
 * PROFEFE_HOSTPORT) with extra headers for a proxy in front of it (as kprofefe takes them), or a
 * Service reached through the API server (--collector NAMESPACE/SERVICE[:PORT]); with neither,
 * the collector Service the chart installs is looked for in the cluster. Declared on each command
 * that talks to the collector, so the flags show in that command's --help. Nothing here touches
 * the network: collector-connect.ts does.
 */
import type { Command } from 'commander';
import type { ServiceRef } from '../../kube/service-proxy.js';
import { collect, httpUrl } from '../flag-values.js';
import { collectHeaders } from '../headers.js';
import { UsageError } from '../usage-error.js';
import { parseCollectorFlag } from './collector-flag.js';

export interface CollectorFlags {
  profefeHostport?: string;
  collector?: string;
  profefeHeader?: string[];
  profefeHeaderFile?: string;
  timeout: string;
}

/** Where the collector is: a URL, a named Service, or the Service to find by the chart's labels. */
export type CollectorChoice =
  | { readonly kind: 'url'; readonly url: string; readonly headers: Record<string, string> }
  | { readonly kind: 'service'; readonly service: ServiceRef }
  | { readonly kind: 'find' };

export function addCollectorOptions(command: Command): Command {
  return command
    .option('--profefe-hostport <url>', 'profefe collector URL (env PROFEFE_HOSTPORT); default: the collector Service found in the cluster')
    .option('--collector <ns/service[:port]>', "the collector's Service, reached through the API server's service proxy (port default 10100)")
    .option('--profefe-header <header>', "extra request header for a proxy in front of --profefe-hostport, 'Name: value'; repeatable", collect)
    .option('--profefe-header-file <path>', 'file of extra headers for --profefe-hostport, one "Name: value" per line')
    .option('--timeout <duration>', 'timeout of one request to the collector', '1m');
}

/**
 * The choice the flags make: --profefe-hostport, else --collector, else PROFEFE_HOSTPORT, else
 * find. Throws UsageError for a bad URL, --collector or header, and for contradictions.
 */
export function collectorChoice(flags: Omit<CollectorFlags, 'timeout'>, env: NodeJS.ProcessEnv): CollectorChoice {
  if (flags.profefeHostport !== undefined && flags.collector !== undefined) {
    throw new UsageError('give --collector (a Service, through the API server) or --profefe-hostport (a URL), not both');
  }
  const fromEnv = env.PROFEFE_HOSTPORT === '' ? undefined : env.PROFEFE_HOSTPORT;
  const headers = collectHeaders(flags.profefeHeader ?? [], flags.profefeHeaderFile);
  if (flags.profefeHostport !== undefined) return { kind: 'url', url: httpUrl('--profefe-hostport', flags.profefeHostport), headers };
  const choice: CollectorChoice =
    flags.collector !== undefined
      ? { kind: 'service', service: parseCollectorFlag(flags.collector) }
      : fromEnv !== undefined
        ? { kind: 'url', url: httpUrl('PROFEFE_HOSTPORT', fromEnv), headers }
        : { kind: 'find' };
  if (choice.kind !== 'url' && Object.keys(headers).length > 0) {
    throw new UsageError(
      "--profefe-header and --profefe-header-file are for a proxy in front of the collector at --profefe-hostport (or PROFEFE_HOSTPORT); through the API server's service proxy the kubeconfig's credentials are sent",
    );
  }
  return choice;
}

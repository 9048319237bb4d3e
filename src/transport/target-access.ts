/**
 * How HTTPS targets are verified and what credential goes with them (--target-ca-file,
 * --target-server-name, --target-insecure-skip-verify, --target-bearer-token-file). The host is
 * always the pod IP: the server name only sets SNI and the name the certificate is checked against.
 */
import type { AgentOptions } from 'node:https';
import { inspect } from 'node:util';
import type { Target } from '../discover/target.js';

export interface TargetTls {
  /** PEM certificates trusted instead of Node's bundled CAs (--target-ca-file). */
  readonly ca: string | undefined;
  /** SNI and verification name (--target-server-name); default: the pod IP itself. */
  readonly serverName: string | undefined;
  /** --target-insecure-skip-verify: no certificate is checked. */
  readonly insecureSkipVerify: boolean;
}

export interface TargetAccess {
  readonly tls: TargetTls;
  /** Sent as `Authorization: Bearer` to HTTPS targets only. */
  readonly bearerToken: BearerToken | undefined;
}

export const PLAIN_TARGET_ACCESS: TargetAccess = {
  tls: { ca: undefined, serverName: undefined, insecureSkipVerify: false },
  bearerToken: undefined,
};

/**
 * A secret that cannot leak by accident: printing, logging, JSON or string interpolation of it
 * shows `[redacted]`; only `authorization()` reveals it, as the header value.
 */
export class BearerToken {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  authorization(): string {
    return `Bearer ${this.#value}`;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'BearerToken [redacted]';
  }
}

/** TLS options of the https.Agent to pod IPs (or through a port-forward). */
export function httpsAgentOptions(tls: TargetTls): AgentOptions {
  return {
    ca: tls.ca,
    servername: tls.serverName,
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}

/**
 * Request headers for a target: the bearer token only over HTTPS, never in clear text to a pod
 * (any pod can annotate itself for scraping; only one holding a trusted certificate gets the token).
 */
export function targetHeaders(target: Pick<Target, 'scheme'>, access: TargetAccess): Readonly<Record<string, string>> | undefined {
  if (target.scheme !== 'https' || access.bearerToken === undefined) return undefined;
  return { authorization: access.bearerToken.authorization() };
}

/** The warning said once per run for --target-insecure-skip-verify; undefined when certificates are checked. */
export function insecureWarning(access: TargetAccess): string | undefined {
  if (!access.tls.insecureSkipVerify) return undefined;
  const token = access.bearerToken === undefined ? '' : ', and the bearer token goes to whoever answers';
  return `--target-insecure-skip-verify: certificates of HTTPS targets are not verified: anything on the pod network can pose as a pod${token}`;
}

import type { ProfefeClient } from '../profefe/profefe-client.js';
import type { PyroscopeAuth } from './pyroscope-auth.js';

/**
 * Where a run's profiles go, as the command lines choose it: a profefe collector at a URL, a
 * collector already reached another way (the plugin's client through the API server's service
 * proxy), a directory, or Grafana Pyroscope.
 */
export type SinkConfig =
  | { readonly kind: 'profefe'; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'profefe-client'; readonly client: ProfefeClient }
  | { readonly kind: 'directory'; readonly dir: string }
  | PyroscopeSinkConfig;

/** Grafana Pyroscope's push API at `url` (--pyroscope-*); credentials and headers are never logged. */
export interface PyroscopeSinkConfig {
  readonly kind: 'pyroscope';
  readonly url: string;
  /** Sent as X-Scope-OrgID. */
  readonly tenant: string | undefined;
  readonly auth: PyroscopeAuth | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** PEM CA certificates of --pyroscope-ca-file (https:// only), trusted besides Node's bundled CAs. */
  readonly ca?: string;
}

/**
 * How a sink behaves when the collector misbehaves: named choices, one per kind of front end.
 * - `retry`: attempts per upload on 5xx, 429 and connection errors (never on other 4xx).
 * - `circuitBreaker`: after consecutive unavailable uploads, fail fast instead of retrying each.
 * - `checkCollectorFirst`: ask the collector's version before any pod is profiled, and stop
 *   when nothing answers, so nobody waits a CPU profile for nothing.
 */
export interface SinkPolicy {
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly circuitBreaker: boolean;
  readonly checkCollectorFirst: boolean;
}

/** kprofefe (a CronJob nobody watches): patient retries; a dead collector still ends the run with its summary. */
export const SCHEDULED_POLICY: SinkPolicy = {
  retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 },
  circuitBreaker: true,
  checkCollectorFirst: false,
};

/** capture (someone is waiting): check the collector first, fewer and shorter retries. */
export const INTERACTIVE_POLICY: SinkPolicy = {
  retry: { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 },
  circuitBreaker: true,
  checkCollectorFirst: true,
};

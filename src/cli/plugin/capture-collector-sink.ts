/**
 * capture's push through the API server's service proxy (--push without a URL, --collector): the
 * collector Service, named or found by the chart's labels, checked before any pod is profiled,
 * since someone waits for the capture: the collector answers through the proxy, and the user may
 * upload ("create" on "services/proxy", asked of the API server as `kubectl auth can-i` does).
 * Then the sink factory's sink under the interactive policy: retries, behind a circuit breaker.
 */
import { canI } from '../../kube/access-review.js';
import type { KubeAccess } from '../../kube/kube-access.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import type { ServiceRef } from '../../kube/service-proxy.js';
import { silentLogger } from '../../log.js';
import type { ProfefeClient } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { createSink } from '../../sink/create-sink.js';
import { INTERACTIVE_POLICY } from '../../sink/sink-config.js';
import type { Sink } from '../../sink/sink.js';
import { ConfigFailure } from './action.js';
import { collectorThroughApiServer } from './collector-in-cluster.js';

/** How long the collector has to answer the check made before any pod is profiled (as createSink's). */
const COLLECTOR_CHECK_MS = 5_000;

export interface CollectorSinkOptions {
  /** Where the collector is looked for first (-n, else the context's namespace). */
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Rejects with ConfigFailure or KubeApiError (nothing to push to, or not allowed), or with the signal's reason. */
export async function collectorServiceSink(kube: KubeAccess, service: ServiceRef | undefined, options: CollectorSinkOptions): Promise<Sink> {
  const { client, service: found } = await collectorThroughApiServer(kube, service, options);
  await checkCollectorAnswers(client, options.signal);
  await checkMayUpload(kube, found, options.signal);
  // Checked above, through the API server: the factory need not ask the collector again.
  const policy = { ...INTERACTIVE_POLICY, checkCollectorFirst: false };
  return createSink({ kind: 'profefe-client', client }, policy, { timeoutMs: options.timeoutMs, log: silentLogger(), signal: options.signal });
}

async function checkCollectorAnswers(client: ProfefeClient, signal: AbortSignal): Promise<void> {
  try {
    await client.version({ signal: AbortSignal.any([signal, AbortSignal.timeout(COLLECTOR_CHECK_MS)]) });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    // Reading may be refused while uploading is allowed: checkMayUpload asks about that.
    if (err instanceof KubeApiError && err.statusCode === 403) return;
    if (err instanceof ProfefeError && err.kind !== 'network' && err.kind !== 'timeout') return;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigFailure(`the profefe collector cannot be reached: ${reason}; no pod was profiled`, { cause: err });
  }
}

async function checkMayUpload(kube: KubeAccess, service: ServiceRef, signal: AbortSignal): Promise<void> {
  const name = `${service.name}:${service.port}`;
  const allowed = await canI(kube, { verb: 'create', resource: 'services', subresource: 'proxy', namespace: service.namespace, name }, signal);
  if (signal.aborted) throw signal.reason;
  if (allowed !== false) return;
  throw new ConfigFailure(
    `not allowed to push to the collector Service ${service.namespace}/${name}: the Kubernetes API at ${kube.describe()} does not grant "create" on "services/proxy" ` +
      `in namespace "${service.namespace}" (kubectl auth can-i create services --subresource=proxy -n ${service.namespace}); no pod was profiled. ` +
      'Ask for a Role granting it, give --profefe-hostport URL, or capture to files (without --push and --collector)',
  );
}

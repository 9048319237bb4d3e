/**
 * Finds the collector Service the Helm chart installs, by its labels
 * (app.kubernetes.io/name=kube-profefe, app.kubernetes.io/component=collector): in the namespace
 * first (-n, else the kubeconfig context's), then in all namespaces. Exactly one must match;
 * none, several, or a refused list is a ConfigFailure that says what was looked for and which
 * flags name the collector instead.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { KubeAccess } from '../../kube/kube-access.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import { listServices } from '../../kube/list-services.js';
import { serviceRefText, type ServiceRef } from '../../kube/service-proxy.js';
import { ConfigFailure } from './action.js';
import { DEFAULT_COLLECTOR_PORT } from './collector-flag.js';

export const COLLECTOR_SELECTOR = 'app.kubernetes.io/name=kube-profefe,app.kubernetes.io/component=collector';

const NAME_IT = 'name the collector with --collector NAMESPACE/SERVICE[:PORT] (a Service, reached through the API server) or --profefe-hostport URL';

export async function findCollectorService(access: KubeAccess, namespace: string, signal?: AbortSignal): Promise<ServiceRef> {
  const here = await collectorServices(access, namespace, signal, `cannot look for the profefe collector in namespace "${namespace}"`);
  if (here.length > 0) return onlyOne(here, `in namespace "${namespace}"`);
  const everywhere = await collectorServices(
    access,
    undefined,
    signal,
    `no profefe collector Service in namespace "${namespace}", and the other namespaces cannot be searched`,
  );
  if (everywhere.length > 0) return onlyOne(everywhere, 'in the cluster');
  throw new ConfigFailure(
    `no profefe collector found: no Service labelled ${COLLECTOR_SELECTOR} in namespace "${namespace}" or in any other namespace ` +
      `(the Kubernetes API at ${access.describe()}). Install the chart's collector (collector.enabled), or ${NAME_IT}`,
  );
}

/** The port a found Service is reached on: the one named http, else 10100, else its first. */
export function collectorPort(service: V1Service): string {
  const ports = service.spec?.ports ?? [];
  const port = ports.find((p) => p.name === 'http') ?? ports.find((p) => String(p.port) === DEFAULT_COLLECTOR_PORT) ?? ports[0];
  return port === undefined ? DEFAULT_COLLECTOR_PORT : port.name || String(port.port);
}

async function collectorServices(access: KubeAccess, namespace: string | undefined, signal: AbortSignal | undefined, refused: string): Promise<ServiceRef[]> {
  try {
    const services = await listServices(access, { namespace, labelSelector: COLLECTOR_SELECTOR, signal });
    return services.map((service) => ({
      namespace: service.metadata?.namespace ?? namespace ?? 'default',
      name: service.metadata?.name ?? '',
      port: collectorPort(service),
    }));
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 403) throw new ConfigFailure(`${refused}: ${err.message} Or ${NAME_IT}.`, { cause: err });
    throw err;
  }
}

function onlyOne(found: readonly ServiceRef[], where: string): ServiceRef {
  const [first] = found;
  if (found.length === 1 && first !== undefined) return first;
  const names = found.map(serviceRefText);
  throw new ConfigFailure(
    `${found.length} profefe collector Services found ${where} (labelled ${COLLECTOR_SELECTOR}): ${names.join(', ')}. ` +
      `Choose one with --collector, e.g. --collector ${names[0]}`,
  );
}

/**
 * `--collector NAMESPACE/SERVICE[:PORT]`: the collector's Service, reached through the API server's
 * service proxy. PORT is a port name or number of the Service, default 10100 (profefe's port; the
 * API server maps a number to the Service's port of that number, whatever its name).
 */
import type { ServiceRef } from '../../kube/service-proxy.js';
import { UsageError } from '../usage-error.js';

export const DEFAULT_COLLECTOR_PORT = '10100';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

export function parseCollectorFlag(value: string): ServiceRef {
  const match = /^([^/:]+)\/([^/:]+)(?::([^/:]+))?$/.exec(value.trim());
  const [, namespace = '', name = '', port = DEFAULT_COLLECTOR_PORT] = match ?? [];
  if (!DNS_LABEL.test(namespace) || !DNS_LABEL.test(name) || !isPort(port)) {
    throw new UsageError(
      `--collector "${value}": expected NAMESPACE/SERVICE[:PORT] (lower-case names; PORT a port name or number, default ${DEFAULT_COLLECTOR_PORT}), e.g. kube-profefe/kube-profefe-collector:http`,
    );
  }
  return { namespace, name, port };
}

function isPort(port: string): boolean {
  if (/^[0-9]+$/.test(port)) return Number(port) >= 1 && Number(port) <= 65535;
  return PORT_NAME.test(port) && /[a-z]/.test(port);
}

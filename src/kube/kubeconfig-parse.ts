import path from 'node:path';
import { parse } from 'yaml';

/**
 * A kubeconfig's clusters, users and contexts as plain data, parsed with `yaml` (no
 * @kubernetes/client-node: loading it costs ~80 MiB). Entries are validated with client-node's
 * messages (`clusters[0].cluster.server is missing`), and file paths are made absolute against
 * the kubeconfig's directory, as kubectl does.
 */

export interface KubeconfigCluster {
  name: string;
  /** Without a trailing slash (as client-node keeps it). */
  server: string;
  /** The cluster's other fields as written (`certificate-authority`, `insecure-skip-tls-verify`, `proxy-url` ...). */
  fields: Record<string, unknown>;
}

export interface KubeconfigUser {
  name: string;
  /** The user's fields as written (`token`, `client-certificate`, `exec` ...). */
  fields: Record<string, unknown>;
}

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user?: string;
  namespace?: string;
}

export interface KubeconfigData {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext: string;
}

/** Fields holding file paths, resolved against the kubeconfig's directory. */
const CLUSTER_PATHS = ['certificate-authority'];
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile', 'token-file'];

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function entries(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map((v) => record(v) ?? {}) : [];
}

function absolutePaths(fields: Record<string, unknown>, keys: string[], dir: string): Record<string, unknown> {
  const out = { ...fields };
  for (const key of keys) {
    const value = out[key];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) out[key] = path.join(dir, value);
  }
  return out;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Parses kubeconfig text; throws an Error whose message says what is wrong (the caller names the file). */
export function parseKubeconfig(text: string, dir: string): KubeconfigData {
  const doc = record(parse(text)) ?? {};
  const clusters = entries(doc.clusters).map((elt, i): KubeconfigCluster => {
    if (!elt.name) throw new Error(`clusters[${i}].name is missing`);
    const cluster = record(elt.cluster);
    if (!cluster) throw new Error(`clusters[${i}].cluster is missing`);
    if (!cluster.server) throw new Error(`clusters[${i}].cluster.server is missing`);
    return { name: String(elt.name), server: String(cluster.server).replace(/\/$/, ''), fields: absolutePaths(cluster, CLUSTER_PATHS, dir) };
  });
  const users = entries(doc.users).map((elt, i): KubeconfigUser => {
    if (!elt.name) throw new Error(`users[${i}].name is missing`);
    return { name: String(elt.name), fields: absolutePaths(record(elt.user) ?? {}, USER_PATHS, dir) };
  });
  const contexts = entries(doc.contexts).map((elt, i): KubeconfigContext => {
    if (!elt.name) throw new Error(`contexts[${i}].name is missing`);
    const context = record(elt.context);
    if (!context) throw new Error(`contexts[${i}].context is missing`);
    if (!context.cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
    return { name: String(elt.name), cluster: String(context.cluster), user: stringField(context.user), namespace: stringField(context.namespace) };
  });
  return { clusters, users, contexts, currentContext: stringField(doc['current-context']) ?? '' };
}

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseKubeconfig, type KubeconfigCluster, type KubeconfigContext, type KubeconfigData, type KubeconfigUser } from './kubeconfig-parse.js';

/**
 * Where the Kubernetes configuration comes from, in this order:
 *   1. `--kubeconfig <file>` (an error naming the file if it cannot be used);
 *   2. in-cluster: KUBERNETES_SERVICE_HOST/PORT set and a service account token mounted, when
 *      neither --kubeconfig nor KUBECONFIG is given;
 *   3. KUBECONFIG (a path-delimiter list, merged like kubectl: first file wins, missing files skipped);
 *   4. ~/.kube/config.
 * Unlike client-node's loadFromDefault, nothing falls back to http://localhost:8080: when no
 * source exists, `KubeConfigError` says what was looked for and what to do.
 * Plain data only: @kubernetes/client-node is not loaded here.
 */

export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const IN_CLUSTER = 'in-cluster';

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig file (--kubeconfig). */
  kubeconfig?: string;
  /** The context to use instead of the file's current-context (--context). */
  context?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_* from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where the service account is mounted; default /var/run/secrets/kubernetes.io/serviceaccount. */
  serviceAccountDir?: string;
}

/** The configuration found, with the context chosen (`config.currentContext`) and what it refers to. */
export interface ResolvedKubeconfig {
  /** `kubeconfig file /x`, `KUBECONFIG (...)`, `the in-cluster configuration (...)`: for messages. */
  source: string;
  config: KubeconfigData;
  context: KubeconfigContext;
  cluster: KubeconfigCluster;
  /** Undefined when the context names no user, or one that is not defined (anonymous, as kubectl). */
  user: KubeconfigUser | undefined;
}

const WHAT_TO_DO = 'Pass --kubeconfig <file>, set KUBECONFIG, or run in a pod with a service account token mounted.';

function readKubeconfigFile(file: string, role: string): KubeconfigData {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String((err as Error).message);
    throw new KubeConfigError(`cannot read ${role} ${file}: ${why}. ${WHAT_TO_DO}`);
  }
  try {
    return parseKubeconfig(text, path.dirname(file));
  } catch (err) {
    throw new KubeConfigError(`${role} ${file} is not a valid kubeconfig: ${(err as Error).message}`);
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Merges kubeconfig files like kubectl: the first definition of each name wins, and the first current-context. */
function mergeKubeconfigFiles(files: string[]): KubeconfigData {
  const clusters = new Map<string, KubeconfigCluster>();
  const users = new Map<string, KubeconfigUser>();
  const contexts = new Map<string, KubeconfigContext>();
  let currentContext = '';
  for (const file of files) {
    const kc = readKubeconfigFile(file, 'kubeconfig file (from KUBECONFIG)');
    for (const c of kc.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (currentContext === '' && kc.currentContext) currentContext = kc.currentContext;
  }
  return { clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext };
}

/** The pod's own API access: the kubernetes service and the mounted (rotating) service account token. */
function inClusterConfig(host: string, port: string, serviceAccountDir: string): KubeconfigData {
  const caFile = path.join(serviceAccountDir, 'ca.crt');
  const namespaceFile = path.join(serviceAccountDir, 'namespace');
  const namespace = isFile(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return {
    clusters: [
      {
        name: IN_CLUSTER,
        server: `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
        fields: isFile(caFile) ? { 'certificate-authority': caFile } : {},
      },
    ],
    // tokenFile is re-read for each request, so projected tokens keep working after rotation.
    users: [{ name: IN_CLUSTER, fields: { tokenFile: path.join(serviceAccountDir, 'token') } }],
    contexts: [{ name: IN_CLUSTER, cluster: IN_CLUSTER, user: IN_CLUSTER, namespace: namespace || undefined }],
    currentContext: IN_CLUSTER,
  };
}

function contextNames(kc: KubeconfigData): string {
  const names = kc.contexts.map((c) => c.name);
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** Applies --context and checks that the chosen context leads to a cluster with a server. */
function selectContext(kc: KubeconfigData, source: string, context: string | undefined): ResolvedKubeconfig {
  const find = (name: string) => kc.contexts.find((c) => c.name === name);
  if (context !== undefined && context !== '') {
    if (find(context) === undefined) {
      throw new KubeConfigError(`context "${context}" is not defined in ${source}; available contexts: ${contextNames(kc)}.`);
    }
    kc.currentContext = context;
  }
  const current = kc.currentContext;
  if (!current) {
    throw new KubeConfigError(`${source} has no current-context; pass --context (available contexts: ${contextNames(kc)}).`);
  }
  const ctx = find(current);
  if (ctx === undefined) {
    throw new KubeConfigError(`current-context "${current}" of ${source} is not defined there; available contexts: ${contextNames(kc)}. Pass --context.`);
  }
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster);
  if (cluster === undefined) {
    throw new KubeConfigError(`context "${current}" in ${source} refers to cluster "${ctx.cluster}", which is not defined there.`);
  }
  const user = ctx.user === undefined ? undefined : kc.users.find((u) => u.name === ctx.user);
  return { source, config: kc, context: ctx, cluster, user };
}

export function resolveKubeconfig(opts: LoadKubeConfigOptions = {}): ResolvedKubeconfig {
  const env = opts.env ?? process.env;
  const serviceAccountDir = opts.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  const tokenFile = path.join(serviceAccountDir, 'token');
  const kubeconfigEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const home = env.HOME || env.USERPROFILE;
  const homeConfig = home ? path.join(home, '.kube', 'config') : undefined;

  let kc: KubeconfigData;
  let source: string;
  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
    kc = readKubeconfigFile(opts.kubeconfig, 'kubeconfig file');
    source = `kubeconfig file ${opts.kubeconfig}`;
  } else if (kubeconfigEnv.length === 0 && host && port && isFile(tokenFile)) {
    kc = inClusterConfig(host, port, serviceAccountDir);
    source = `the in-cluster configuration (service account in ${serviceAccountDir})`;
  } else if (kubeconfigEnv.length > 0) {
    const existing = kubeconfigEnv.filter(isFile);
    if (existing.length === 0) {
      throw new KubeConfigError(`KUBECONFIG lists ${kubeconfigEnv.join(', ')}, and none of these files exists. Fix KUBECONFIG or pass --kubeconfig <file>.`);
    }
    kc = mergeKubeconfigFiles(existing);
    source = `KUBECONFIG (${existing.join(path.delimiter)})`;
  } else if (homeConfig !== undefined && isFile(homeConfig)) {
    kc = readKubeconfigFile(homeConfig, 'kubeconfig file');
    source = `kubeconfig file ${homeConfig}`;
  } else {
    const looked = [
      '--kubeconfig (not given)',
      'KUBECONFIG (not set)',
      homeConfig !== undefined ? `${homeConfig} (does not exist)` : '~/.kube/config (HOME not set)',
      host && port
        ? `in-cluster service account (KUBERNETES_SERVICE_HOST is set, but there is no token at ${tokenFile})`
        : 'in-cluster service account (KUBERNETES_SERVICE_HOST/PORT not set)',
    ];
    throw new KubeConfigError(`no Kubernetes configuration found. Looked for: ${looked.join('; ')}. ${WHAT_TO_DO}`);
  }
  return selectContext(kc, source, opts.context);
}

/** `https://10.0.0.1:6443 (context "prod")`: for logs and messages; never credentials. */
export function describeServer(server: string | undefined, context: string): string {
  // As configured (a URL round-trip would drop a default port), less any user:password@ and query.
  const shown = server === undefined ? '(no server)' : server.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1').replace(/[?#].*$/, '');
  return `${shown} (context "${context}")`;
}

/**
 * The query commands with only a kubeconfig (no --profefe-hostport, no PROFEFE_HOSTPORT): the
 * collector Service the chart installs is found by its labels and reached through the API server's
 * service proxy, through the real kubectl against the fake API (which forwards to the test
 * collector); --collector names it; every way of not finding or not being allowed to reach it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type CliResult } from '../cli/run-cli.js';
import { CLUSTER_SCOPE_ONLY } from '../doubles/fake-kube-api.js';
import { fixture, fixturePath } from '../doubles/fixtures.js';
import { collectorService, makeService } from '../doubles/make-service.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { startPluginCluster, type PluginCluster } from './capture-cluster.js';
import { seed, withTime } from './plugin-harness.js';

let cluster: PluginCluster;
let collector: TestCollector;

const PROXY = '/api/v1/namespaces/kube-profefe/services/kube-profefe-collector:http/proxy';
const SELECTOR = 'app.kubernetes.io/name=kube-profefe,app.kubernetes.io/component=collector';
const T0 = new Date('2026-03-01T10:00:00Z');
const RANGE = ['--from', '2026-03-01T09:00:00Z', '--to', '2026-03-01T13:00:00Z'];

beforeAll(async () => {
  cluster = await startPluginCluster();
  collector = await startTestCollector();
});
beforeEach(() => {
  collector.reset();
  cluster.api.setForbidden([]);
  cluster.api.setServices([{ service: collectorService(), backend: collector.url }]);
  cluster.api.requests.length = 0;
});
afterAll(async () => {
  await cluster.close();
  await collector.close();
});

/** `kubectl profefe ARGS --kubeconfig <the fake cluster's>`: the environment holds no PROFEFE_HOSTPORT. */
function profefe(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const env = cluster.env(options.env);
  if (env.PROFEFE_HOSTPORT !== undefined || env.KUBECONFIG !== undefined) throw new Error('the test environment must not name the collector or a kubeconfig');
  return cluster.kubectl(['profefe', ...args, '--kubeconfig', cluster.kubeconfig], options);
}

function apiCalls(): string[] {
  return cluster.api.requests.map((r) => `${r.method} ${r.path}${r.query.labelSelector ? `?labelSelector=${r.query.labelSelector}` : ''} ${r.status}`);
}

async function seedApi() {
  const cpu = await seed(collector, withTime(fixture('cpu'), T0), { service: 'api', type: 'cpu', labels: { pod: 'api-1' } });
  const heap = await seed(collector, withTime(fixture('heap'), new Date(T0.getTime() + 3_600_000)), { service: 'api', type: 'heap' });
  return { cpu, heap };
}

/** The requests the collector got from the plugin (seeding uploads left out). */
function collectorGets(): Array<[string, string | undefined]> {
  return collector.requests.filter((r) => r.method === 'GET').map((r) => [r.url, r.headers.authorization]);
}

describe('finding the collector Service', () => {
  it('get services: the context namespace first, then all namespaces, then one request through the proxy', async () => {
    cluster.api.setServices([
      { service: collectorService(), backend: collector.url },
      { service: makeService({ name: 'web', namespace: 'default', labels: { app: 'web' } }) },
    ]);
    await seedApi();
    cluster.api.requests.length = 0;
    const result = await profefe(['get', 'services']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('SERVICE\napi\n');
    expect(apiCalls()).toEqual([
      `GET /api/v1/namespaces/default/services?labelSelector=${SELECTOR} 200`,
      `GET /api/v1/services?labelSelector=${SELECTOR} 200`,
      `GET ${PROXY}/api/0/services 200`,
    ]);
    // The collector saw its own path, never the user's token.
    expect(collectorGets()).toEqual([['/api/0/services', undefined]]);
  });

  it('-n names the namespace to look in first: found there, nothing else is listed', async () => {
    const result = await profefe(['get', 'services', '-n', 'kube-profefe']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      'No services found in collector service kube-profefe/kube-profefe-collector:http through the Kubernetes API at ' +
        `${cluster.api.url} (context "fake").\n`,
    );
    expect(apiCalls()).toEqual([`GET /api/v1/namespaces/kube-profefe/services?labelSelector=${SELECTOR} 200`, `GET ${PROXY}/api/0/services 404`]);
  });

  it('--collector NAMESPACE/SERVICE[:PORT] is used as given, without listing Services; the port defaults to 10100', async () => {
    await seedApi();
    const named = await profefe(['get', 'services', '--collector', 'kube-profefe/kube-profefe-collector:http', '-o', 'json']);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toEqual(['api']);
    const byNumber = await profefe(['get', 'services', '--collector', 'kube-profefe/kube-profefe-collector', '-o', 'json']);
    expect(byNumber.code, byNumber.stderr).toBe(0);
    expect(apiCalls()).toEqual([
      `GET ${PROXY}/api/0/services 200`,
      'GET /api/v1/namespaces/kube-profefe/services/kube-profefe-collector:10100/proxy/api/0/services 200',
    ]);
  });

  it('the plugin loads no Kubernetes code when given a URL, and no client-node for a token kubeconfig', async () => {
    const record = join(await tempDir('record-imports-'), 'modules.txt');
    const env = (file: string) => ({ NODE_OPTIONS: `--import=${new URL('../doubles/record-imports.mjs', import.meta.url).pathname}`, RECORD_IMPORTS: file });
    const withUrl = await cluster.kubectl(['profefe', 'get', 'services', '--profefe-hostport', collector.url], { env: env(record) });
    expect(withUrl.code, withUrl.stderr).toBe(0);
    const urlModules = (await readFile(record, 'utf8')).split('\n');
    // Only the error class the failure report knows (no dependencies); no kubeconfig reading, no API access.
    expect(urlModules.filter((m) => m.includes('/dist/kube/') || m.includes('@kubernetes/client-node'))).toEqual([
      expect.stringMatching(/\/dist\/kube\/kube-api-error\.js$/),
    ]);
    const found = join(await tempDir('record-imports-'), 'modules.txt');
    const inCluster = await profefe(['get', 'services'], { env: env(found) });
    expect(inCluster.code, inCluster.stderr).toBe(0);
    const clusterModules = (await readFile(found, 'utf8')).split('\n');
    expect(clusterModules.some((m) => m.endsWith('/dist/kube/service-proxy.js'))).toBe(true);
    expect(clusterModules.filter((m) => m.includes('@kubernetes/client-node'))).toEqual([]);
  });
});

describe('the query commands through the service proxy', () => {
  it('get profiles --service, get profile ID', async () => {
    const { cpu, heap } = await seedApi();
    const list = await profefe(['get', 'profiles', '--service', 'api', ...RANGE, '-o', 'wide']);
    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID {3,}TYPE {3,}SERVICE {3,}CREATED {3,}LABELS$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/))).toEqual([
      [cpu.id, 'cpu', 'api', '2026-03-01T10:00:00Z', 'pod=api-1'],
      [heap.id, 'heap', 'api', '2026-03-01T11:00:00Z', '<none>'],
    ]);
    // The query string reached the collector unchanged.
    expect(collectorGets()[0]).toEqual(['/api/0/profiles?service=api&from=2026-03-01T09%3A00%3A00&to=2026-03-01T13%3A00%3A01', undefined]);

    const cwd = await tempDir('get-profile-');
    const got = await profefe(['get', 'profile', heap.id], { cwd });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toBe(`${heap.id}.pb.gz\n`);
    expect(await readFile(join(cwd, `${heap.id}.pb.gz`))).toEqual(withTime(fixture('heap'), new Date(T0.getTime() + 3_600_000)));
  });

  it('merge and top: the same profile and numbers as through --profefe-hostport', async () => {
    await seedApi();
    const cwd = await tempDir('merge-');
    const merged = await profefe(['merge', '--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'cpu.pb.gz'], { cwd });
    expect(merged.code, merged.stderr).toBe(0);
    const direct = await cluster.kubectl(
      ['profefe', 'merge', '--service', 'api', '--type', 'cpu', ...RANGE, '-O', 'direct.pb.gz', '--profefe-hostport', collector.url],
      { cwd },
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(await readFile(join(cwd, 'cpu.pb.gz'))).toEqual(await readFile(join(cwd, 'direct.pb.gz')));

    const top = await profefe(['top', '--service', 'api', '--type', 'cpu', ...RANGE, '--nodecount', '5']);
    expect(top.code, top.stderr).toBe(0);
    const topDirect = await cluster.kubectl([
      'profefe',
      'top',
      '--service',
      'api',
      '--type',
      'cpu',
      ...RANGE,
      '--nodecount',
      '5',
      '--profefe-hostport',
      collector.url,
    ]);
    expect(top.stdout).toBe(topDirect.stdout);
    expect(top.stdout).toMatch(/flat%/);
  });

  it('load uploads through the proxy and lists the API path, which kubectl get --raw downloads', async () => {
    const result = await profefe(['load', fixturePath('heap'), '--service', 'upload', '-o', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const [loaded] = JSON.parse(result.stdout) as Array<{ id: string; url: string }>;
    expect(loaded?.url).toBe(`${PROXY}/api/0/profiles/${loaded?.id}`);
    expect(collector.uploads.map((u) => [u.service, u.type, u.status])).toEqual([['upload', 'heap', 200]]);
    expect(cluster.api.requests.find((r) => r.method === 'POST')?.path).toBe(`${PROXY}/api/0/profiles`);
    const raw = await cluster.kubectl(['get', '--raw', loaded?.url ?? '', '--kubeconfig', cluster.kubeconfig]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout.length).toBeGreaterThan(0);
    expect(collector.requests.at(-1)?.url).toBe(`/api/0/profiles/${loaded?.id}`);
  });
});

describe('no collector, several, or not allowed: exit 2 with what to do', () => {
  it('no collector Service and no URL: what was looked for, where, and the flags to pass', async () => {
    cluster.api.setServices([{ service: makeService({ name: 'web', namespace: 'default' }) }]);
    const result = await profefe(['get', 'services']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: no profefe collector found: no Service labelled ${SELECTOR} in namespace "default" or in any other namespace ` +
        `(the Kubernetes API at ${cluster.api.url} (context "fake")). Install the chart's collector (collector.enabled), ` +
        'or name the collector with --collector NAMESPACE/SERVICE[:PORT] (a Service, reached through the API server) or --profefe-hostport URL\n',
    );
  });

  it('two collector Services: both named, and --collector asked for', async () => {
    cluster.api.setServices([
      { service: collectorService(), backend: collector.url },
      { service: collectorService({ namespace: 'team-b', release: 'other' }), backend: collector.url },
    ]);
    const result = await profefe(['get', 'profiles', '--service', 'api']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: 2 profefe collector Services found in the cluster (labelled ${SELECTOR}): kube-profefe/kube-profefe-collector:http, team-b/other-collector:http. ` +
        'Choose one with --collector, e.g. --collector kube-profefe/kube-profefe-collector:http\n',
    );
    expect(collectorGets()).toHaveLength(0);
    const chosen = await profefe(['get', 'profiles', '--service', 'api', '--collector', 'team-b/other-collector:http']);
    expect(chosen.code, chosen.stderr).toBe(0);
  });

  it('listing Services forbidden: the missing "list" on "services" named, with the flags that avoid the lookup', async () => {
    cluster.api.setForbidden([{ verb: 'list', resource: 'services', namespace: 'default' }]);
    const here = await profefe(['merge', '--service', 'api', '--type', 'cpu']);
    expect(here.code).toBe(2);
    expect(here.stderr).toContain('error: cannot look for the profefe collector in namespace "default": ');
    expect(here.stderr).toContain('refused to list services in namespace "default" (403 Forbidden)');
    expect(here.stderr).toContain('grant "list" on "services" in namespace "default"');
    expect(here.stderr).toContain('to user "jane@example.com"');
    expect(here.stderr).toContain('Or name the collector with --collector NAMESPACE/SERVICE[:PORT]');

    cluster.api.setForbidden([{ verb: 'list', resource: 'services', namespace: CLUSTER_SCOPE_ONLY }]);
    const everywhere = await profefe(['top', '--service', 'api', '--type', 'cpu']);
    expect(everywhere.code).toBe(2);
    expect(everywhere.stderr).toContain(
      'error: no profefe collector Service in namespace "default", and the other namespaces cannot be searched: ' +
        `the Kubernetes API at ${cluster.api.url} (context "fake") refused to list services in all namespaces (403 Forbidden)`,
    );
    expect(everywhere.stderr).toContain('grant "list" on "services" cluster-wide');
  });

  it('the service proxy forbidden: "get" on "services/proxy" to read, "create" to upload', async () => {
    cluster.api.setForbidden([{ verb: 'get', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    const read = await profefe(['get', 'services']);
    expect(read.code).toBe(2);
    expect(read.stderr).toContain('refused to get services/proxy "kube-profefe-collector:http" in namespace "kube-profefe" (403 Forbidden)');
    expect(read.stderr).toContain('grant "get" on "services/proxy" in namespace "kube-profefe"');

    cluster.api.setForbidden([{ verb: 'create', resource: 'services/proxy', namespace: 'kube-profefe' }]);
    const upload = await profefe(['load', fixturePath('heap'), fixturePath('cpu'), '--service', 'api']);
    expect(upload.code).toBe(2);
    expect(upload.stdout).toBe('');
    expect(upload.stderr.trim().split('\n')).toHaveLength(1);
    expect(upload.stderr).toContain('refused to create services/proxy "kube-profefe-collector:http" in namespace "kube-profefe" (403 Forbidden)');
    expect(upload.stderr).toContain('grant "create" on "services/proxy"');
    expect(collector.uploads).toHaveLength(0);
  });

  it("no ready endpoint behind the Service: the API server's 503 quoted, exit 1", async () => {
    cluster.api.setServiceBackend('kube-profefe', 'kube-profefe-collector', undefined);
    const result = await profefe(['get', 'services']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: the Service kube-profefe/kube-profefe-collector port http cannot be reached: the API server's service proxy answered 503: " +
        'no endpoints available for service "kube-profefe-collector". No ready pod backs the Service: check its pods (kubectl describe service -n kube-profefe kube-profefe-collector).\n',
    );
  });

  it('flag mistakes and no cluster configuration', async () => {
    const cases: Array<[string[], string]> = [
      [['--collector', 'kube-profefe'], 'error: --collector "kube-profefe": expected NAMESPACE/SERVICE[:PORT]'],
      [
        ['--collector', 'a/b', '--profefe-hostport', collector.url],
        'error: give --collector (a Service, through the API server) or --profefe-hostport (a URL), not both',
      ],
      [
        ['--profefe-header', 'X-Token: s3cret'],
        'error: --profefe-header and --profefe-header-file are for a proxy in front of the collector at --profefe-hostport',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await profefe(['get', 'services', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('s3cret');
    }
    expect(cluster.api.requests).toHaveLength(0);
    const none = await cluster.kubectl(['profefe', 'get', 'services']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no collector URL given \(--profefe-hostport, PROFEFE_HOSTPORT\) and no cluster to find the collector Service in: /);
  });
});

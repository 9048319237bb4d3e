import { randomUUID } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';

/**
 * The fake API server's Services, ordered by `namespace/name` like etcd keys, each with the
 * endpoint its proxy reaches (the Endpoints object the real server keeps): one backend URL (a
 * test server on 127.0.0.1) that every port of the Service forwards to, or none (no ready pod).
 */

export interface StoredService {
  readonly service: V1Service;
  /** The Service's JSON as GET serves it (with `kind` and `apiVersion`). */
  readonly json: string;
  /** The Service's JSON as a list item (no `kind`/`apiVersion`, like the real server's). */
  readonly itemJson: string;
  /** `http://127.0.0.1:<port>` of the ready endpoint; undefined: the Service has no endpoints. */
  readonly backend: string | undefined;
}

const WHOLE_SECONDS_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;

/** Timestamps as the server writes them: RFC 3339 without fractional seconds. */
function serialise(value: object): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && WHOLE_SECONDS_ISO.test(v) ? `${v.slice(0, 19)}Z` : v));
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ServiceStore {
  private readonly byKey = new Map<string, StoredService>();
  private revision = 5000;

  get resourceVersion(): number {
    return this.revision;
  }

  /** Stores a copy of the Service (replacing one with the same namespace/name) and returns it. */
  put(service: V1Service, backend: string | undefined): V1Service {
    const name = service.metadata?.name;
    if (name === undefined || name === '') throw new Error('fake kube API: a service needs metadata.name');
    const namespace = service.metadata?.namespace ?? 'default';
    this.revision += 1;
    const stored: V1Service = {
      ...service,
      metadata: { ...service.metadata, name, namespace, uid: service.metadata?.uid ?? randomUUID(), resourceVersion: String(this.revision) },
    };
    const { kind: _kind, apiVersion: _apiVersion, ...item } = stored;
    this.byKey.set(keyOf(namespace, name), {
      service: stored,
      json: serialise({ kind: 'Service', apiVersion: 'v1', ...item }),
      itemJson: serialise(item),
      backend,
    });
    return stored;
  }

  /** Points the Service's endpoint at `backend` (undefined: no endpoints); false when there is no such Service. */
  setBackend(namespace: string, name: string, backend: string | undefined): boolean {
    const stored = this.byKey.get(keyOf(namespace, name));
    if (stored === undefined) return false;
    this.byKey.set(keyOf(namespace, name), { ...stored, backend });
    return true;
  }

  remove(namespace: string, name: string): boolean {
    const removed = this.byKey.delete(keyOf(namespace, name));
    if (removed) this.revision += 1;
    return removed;
  }

  clear(): void {
    this.byKey.clear();
    this.revision += 1;
  }

  get(namespace: string, name: string): StoredService | undefined {
    return this.byKey.get(keyOf(namespace, name));
  }

  /** The Services of `namespace` (all when undefined) that `match`, in key order. */
  list(namespace: string | undefined, match: (service: V1Service) => boolean): StoredService[] {
    return [...this.byKey.entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, stored]) => stored)
      .filter((stored) => match(stored.service));
  }

  namespaces(): Set<string> {
    return new Set([...this.byKey.values()].map((stored) => stored.service.metadata?.namespace ?? 'default'));
  }
}

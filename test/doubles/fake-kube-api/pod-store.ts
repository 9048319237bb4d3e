import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';

/**
 * The fake API server's pods, kept like etcd keeps them: ordered by key (`namespace/name`), each
 * write bumping a global resourceVersion. A paginated list reads from the snapshot taken at its
 * first page (as an etcd MVCC read at that revision would); continue tokens name that revision.
 * Only the most recent snapshots are kept: an older token gets 410 Expired, like after compaction.
 * Each pod is serialised once when stored, so listing 10,000 pods stays cheap.
 */

export interface StoredPod {
  readonly key: string;
  readonly pod: V1Pod;
  /** The pod's JSON as GET serves it (with `kind` and `apiVersion`). */
  readonly json: string;
  /** The pod's JSON as a list item: the real server leaves `kind`/`apiVersion` to the list. */
  readonly itemJson: string;
}

export interface PodPage {
  items: StoredPod[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type ListResult = { kind: 'page'; page: PodPage } | { kind: 'expired'; inconsistentContinue: string } | { kind: 'invalid-continue'; message: string };

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  /** The snapshot's resourceVersion; -1 continues on the current state (no consistency). */
  rv: number;
  start: string;
}

const MAX_SNAPSHOTS = 32;
const WHOLE_SECONDS_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Timestamps as the server writes them: RFC 3339 without fractional seconds. */
function serialise(pod: V1Pod): string {
  return JSON.stringify(pod, (_key, value: unknown) => (typeof value === 'string' && WHOLE_SECONDS_ISO.test(value) ? `${value.slice(0, 19)}Z` : value));
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeContinue(raw: string): ContinueToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Partial<ContinueToken>;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') return undefined;
    return token as ContinueToken;
  } catch {
    return undefined;
  }
}

/** First index whose key is >= `key`. */
function lowerBound(items: readonly StoredPod[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as StoredPod).key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PodStore {
  private readonly byKey = new Map<string, StoredPod>();
  private revision = 1000;
  private sortedCache: StoredPod[] | undefined;
  private readonly snapshots = new Map<number, StoredPod[]>();

  get resourceVersion(): number {
    return this.revision;
  }

  /** Stores a copy of the pod (replacing one with the same namespace/name) and returns it. */
  put(pod: V1Pod): V1Pod {
    const name = pod.metadata?.name;
    if (name === undefined || name === '') throw new Error('fake kube API: a pod needs metadata.name');
    const namespace = pod.metadata?.namespace ?? 'default';
    this.revision += 1;
    const stored: V1Pod = {
      ...pod,
      metadata: { ...pod.metadata, name, namespace, uid: pod.metadata?.uid ?? randomUUID(), resourceVersion: String(this.revision) },
    };
    const key = keyOf(namespace, name);
    const { kind: _kind, apiVersion: _apiVersion, ...item } = stored;
    this.byKey.set(key, {
      key,
      pod: stored,
      json: serialise({ kind: 'Pod', apiVersion: 'v1', ...item }),
      itemJson: serialise(item),
    });
    this.sortedCache = undefined;
    return stored;
  }

  remove(namespace: string, name: string): boolean {
    const removed = this.byKey.delete(keyOf(namespace, name));
    if (removed) {
      this.revision += 1;
      this.sortedCache = undefined;
    }
    return removed;
  }

  clear(): void {
    this.byKey.clear();
    this.revision += 1;
    this.sortedCache = undefined;
  }

  get(namespace: string, name: string): V1Pod | undefined {
    return this.byKey.get(keyOf(namespace, name))?.pod;
  }

  getStored(namespace: string, name: string): StoredPod | undefined {
    return this.byKey.get(keyOf(namespace, name));
  }

  namespaces(): Set<string> {
    const names = new Set<string>();
    for (const stored of this.byKey.values()) names.add(stored.pod.metadata?.namespace ?? 'default');
    return names;
  }

  /** Drops every snapshot: tokens handed out so far get 410 Expired. */
  expireSnapshots(): void {
    this.snapshots.clear();
    // Move to a new revision, so the snapshots of lists started from now on are not the expired ones.
    this.revision += 1;
    this.sortedCache = undefined;
  }

  private sorted(): StoredPod[] {
    if (this.sortedCache === undefined) {
      this.sortedCache = Array.from(this.byKey.values()).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.sortedCache;
  }

  private remember(rv: number, items: StoredPod[]): void {
    if (this.snapshots.has(rv)) return;
    this.snapshots.set(rv, items);
    if (this.snapshots.size > MAX_SNAPSHOTS) {
      const oldest = this.snapshots.keys().next().value as number;
      this.snapshots.delete(oldest);
    }
  }

  /**
   * One page of pods in `namespace` (all when undefined) that `match`. `filtered` says whether a
   * selector applies: the server then cannot count the rest and leaves `remainingItemCount` out.
   */
  list(opts: { namespace?: string; match: (pod: V1Pod) => boolean; filtered: boolean; limit?: number; continueToken?: string }): ListResult {
    let items: StoredPod[];
    let rv: number;
    let start = opts.namespace === undefined ? '' : `${opts.namespace}/`;
    if (opts.continueToken !== undefined && opts.continueToken !== '') {
      const token = decodeContinue(opts.continueToken);
      if (token === undefined) {
        return { kind: 'invalid-continue', message: 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)' };
      }
      start = token.start;
      if (token.rv === -1) {
        items = this.sorted();
        rv = this.revision;
      } else {
        const snapshot = this.snapshots.get(token.rv);
        if (snapshot === undefined) {
          return { kind: 'expired', inconsistentContinue: encodeContinue({ v: 'meta.k8s.io/v1', rv: -1, start: token.start }) };
        }
        items = snapshot;
        rv = token.rv;
      }
    } else {
      items = this.sorted();
      rv = this.revision;
    }
    // Keys of one namespace are contiguous: `ns/` up to (not including) `ns0` ('0' follows '/').
    const end = opts.namespace === undefined ? items.length : lowerBound(items, `${opts.namespace}0`);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const page: StoredPod[] = [];
    let index = lowerBound(items, start);
    for (; index < end && page.length < limit; index += 1) {
      const stored = items[index] as StoredPod;
      if (opts.match(stored.pod)) page.push(stored);
    }
    const result: PodPage = { items: page, resourceVersion: String(rv) };
    const last = page[page.length - 1];
    if (page.length >= limit && index < end && last !== undefined) {
      this.remember(rv, items);
      result.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv, start: `${last.key}\u0000` });
      if (!opts.filtered) result.remainingItemCount = end - index;
    }
    return { kind: 'page', page: result };
  }
}

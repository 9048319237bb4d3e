import { randomBytes } from 'node:crypto';
import { formatCreatedAt, includesLabels, type Label, type StoredType } from './query.js';

/** One stored profile. `body` is undefined when the collector was started with storeBodies: false. */
export interface StoredProfile {
  readonly id: string;
  readonly service: string;
  readonly type: StoredType;
  /** Sorted by key. */
  readonly labels: readonly Label[];
  readonly createdAtNanos: bigint;
  /** RFC 3339 UTC, whole seconds. */
  readonly createdAt: string;
  readonly size: number;
  readonly body: Buffer | undefined;
}

export interface FindQuery {
  service: string;
  /** undefined: every type. */
  type: StoredType | undefined;
  labels: readonly Label[];
  fromNanos: bigint;
  toNanos: bigint;
  /** Keep the N newest; 0 or less: all. */
  limit: number;
}

/** The collector's JSON for a stored profile: `labels` left out when there are none. */
export function profileItem(p: StoredProfile): Record<string, unknown> {
  return {
    id: p.id,
    type: p.type,
    service: p.service,
    ...(p.labels.length > 0 ? { labels: p.labels.map((l) => ({ key: l.key, value: l.value })) } : {}),
    created_at: p.createdAt,
  };
}

export class ProfileStore {
  private readonly byId = new Map<string, StoredProfile>();
  private readonly ids = new IdSource();

  add(input: Omit<StoredProfile, 'id' | 'createdAt'>): StoredProfile {
    const profile: StoredProfile = { ...input, id: this.ids.next(), createdAt: formatCreatedAt(input.createdAtNanos) };
    this.byId.set(profile.id, profile);
    return profile;
  }

  all(): StoredProfile[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
  }

  /** Exact id, or (a quirk of the real store) the first profile whose id starts with `id`. */
  get(id: string): StoredProfile | undefined {
    const exact = this.byId.get(id);
    if (exact || id.length >= 20) return exact;
    for (const p of this.byId.values()) if (p.id.startsWith(id)) return p;
    return undefined;
  }

  /** Oldest first; both bounds inclusive at nanosecond precision. */
  find(q: FindQuery): StoredProfile[] {
    const found = this.all().filter(
      (p) =>
        p.service === q.service &&
        (q.type === undefined || p.type === q.type) &&
        p.createdAtNanos >= q.fromNanos &&
        p.createdAtNanos <= q.toNanos &&
        includesLabels(p.labels, q.labels),
    );
    found.sort((a, b) => (a.createdAtNanos < b.createdAtNanos ? -1 : a.createdAtNanos > b.createdAtNanos ? 1 : 0));
    return q.limit > 0 ? found.slice(-q.limit) : found;
  }

  services(): string[] {
    return [...new Set(this.all().map((p) => p.service))].sort();
  }
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * Ids shaped like the collector's (rs/xid): 12 bytes (4 of seconds, 5 random per store, 3 of
 * counter) in base32hex, 20 characters of `0-9a-v`.
 */
class IdSource {
  private readonly machine = randomBytes(5);
  private counter = randomBytes(3).readUIntBE(0, 3);

  next(): string {
    const raw = Buffer.alloc(12);
    raw.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
    this.machine.copy(raw, 4);
    this.counter = (this.counter + 1) % 0x1000000;
    raw.writeUIntBE(this.counter, 9, 3);
    return encodeBase32Hex(raw);
  }
}

function encodeBase32Hex(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

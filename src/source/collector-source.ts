/**
 * The profefe collector as a ProfileSource: its services, its listing (labels as a record, the
 * listed `created_at` as a Date), a profile by id (the stored bytes), and its own merge. A profile
 * the collector no longer has (404 `nothing found`, it was deleted since the listing) is a
 * ProfileGoneError; a merge that finds nothing is undefined. Ids are immutable, so reads are worth
 * caching. The client's connection is the caller's to close.
 */
import { parseCreatedAt } from '../profefe/collector-time.js';
import { labelsToRecord } from '../profefe/labels.js';
import type { ProfefeClient, ProfileItem } from '../profefe/profefe-client.js';
import { ProfefeError } from '../profefe/profefe-error.js';
import type { CollectorType } from '../profile-types.js';
import { ProfileGoneError, type ProfileSource, type SourceQuery, type StoredProfile } from './profile-source.js';

export function collectorSource(client: ProfefeClient): ProfileSource {
  const name = `collector ${client.name}`;
  return {
    name,
    cacheable: true,
    services: (signal) => client.services({ signal }),
    async list(query, signal) {
      const { service, type, labels, from, to, limit } = query;
      const items = await client.list({ service, type, labels, from, to, limit }, { signal });
      return items.map(storedProfile);
    },
    async read(id, signal) {
      try {
        return await client.getProfiles([id], { signal });
      } catch (err) {
        if (err instanceof ProfefeError && err.status === 404) {
          throw new ProfileGoneError(id, name, `404 ${err.serverError ?? 'not found'}`, { cause: err });
        }
        throw err;
      }
    },
    async serverMerge(query: SourceQuery & { readonly type: CollectorType }, signal?: AbortSignal) {
      const { service, type, labels, from, to } = query;
      try {
        return await client.merge({ service, type, labels, from, to }, { signal });
      } catch (err) {
        if (err instanceof ProfefeError && err.nothingFound) return undefined;
        throw err;
      }
    },
    close: async () => {},
  };
}

/** A listed profile as sources describe it; a `created_at` that is not RFC 3339 (profefe always writes it so) reads as the epoch. */
function storedProfile(item: ProfileItem): StoredProfile {
  return {
    id: item.id,
    service: item.service,
    type: item.type,
    labels: labelsToRecord(item.labels),
    createdAt: parseCreatedAt(item.created_at) ?? new Date(0),
  };
}

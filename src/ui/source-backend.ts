/** The UI's backend over a ProfileSource: merges through mergeFromSource (with the profile cache when the source downloads). */
import type { ProfileCache } from '../merge/profile-cache.js';
import { mergeFromSource } from '../source/merge-from-source.js';
import type { ProfileSource } from '../source/profile-source.js';
import type { UiBackend } from './backend.js';

export function sourceBackend(source: ProfileSource, options: { cache?: ProfileCache; now?: () => Date } = {}): UiBackend {
  return {
    source,
    now: options.now ?? (() => new Date()),
    async merge(query, signal) {
      const merged = await mergeFromSource(source, query, { cache: options.cache, signal });
      return { bytes: merged.bytes, listed: merged.listed.length, used: merged.used, skipped: merged.skipped };
    },
  };
}

import type { ScrapedProfile } from '../scrape/scraped-profile.js';

/**
 * Where profiles go. A new destination is one file implementing this interface.
 * `store` resolves to a location a person can use (a file path, a collector URL) or rejects
 * with a ProfileError whose code starts with `SINK_`.
 */
export interface Sink {
  /** Short description for logs, e.g. `profefe http://collector:10100` or `directory ./profiles`. */
  readonly description: string;
  store(profile: ScrapedProfile, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

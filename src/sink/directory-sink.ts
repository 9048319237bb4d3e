/**
 * Writes each profile to `DIR/<namespace>/<service>/<type>/<pod>-<UTC time>.pb.gz`, atomically
 * (a temporary file in the same directory, then rename), so a reader never sees half a profile
 * and an interrupted run leaves no partial files behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isGzip } from '../pprof/gzip.js';
import { ProfileError } from '../profile-error.js';
import type { ScrapedProfile } from '../scrape/scraped-profile.js';
import type { Sink } from './sink.js';

/** A path component people can read that cannot climb out of its directory. */
export function safePathComponent(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned.slice(0, 200);
}

/** `20261122T024512.345Z`: sortable, UTC, no characters file systems dislike. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

export function profileFilePath(dir: string, profile: ScrapedProfile): string {
  const { target, body } = profile;
  const file = `${safePathComponent(target.pod.name)}-${fileTimestamp(profile.scrapedAt)}${isGzip(body) ? '.pb.gz' : '.pb'}`;
  return join(dir, safePathComponent(target.pod.namespace), safePathComponent(target.service), target.type, file);
}

export class DirectorySink implements Sink {
  readonly description: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.description = `directory ${this.dir}`;
  }

  async store(profile: ScrapedProfile): Promise<string> {
    const path = profileFilePath(this.dir, profile);
    const tmp = join(path, '..', `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(tmp, profile.body, { flag: 'wx' });
      await rename(tmp, path);
      return path;
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new ProfileError('SINK_IO', `could not write ${path}: ${reason} (check that --output-dir is writable and has space)`, { cause: err });
    }
  }

  async close(): Promise<void> {}
}

// Compile-time check that the class satisfies the Sink interface.
const _sink: new (dir: string) => Sink = DirectorySink;
void _sink;

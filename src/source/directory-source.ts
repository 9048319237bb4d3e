/**
 * A directory the directory sink wrote (`kprofefe --output-dir`, `kubectl profefe capture`) as a
 * ProfileSource, read as the collector would answer: the type directory maps to the collector type
 * and labels kprofefe would have sent (allocs: type `other` + pprof_type=allocs), each profile has
 * the labels `namespace` and `pod` (from its path), and its time is the one in its file name. A
 * query's bounds are inclusive of whole seconds, as the collector's are; `limit` keeps the newest.
 * Reads are local, so nothing is cached; an id is a path below the directory and never leaves it.
 */
import type { Dirent } from 'node:fs';
import { access, constants, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isLayoutDirName, parseProfileId, serviceDirName, storedProfileAt, typeDirsFor } from './directory-layout.js';
import { ProfileGoneError, type ProfileSource, type SourceQuery, type StoredProfile } from './profile-source.js';
import { SourceError } from './source-error.js';

/** The directory as a source; a SourceError (`unavailable`) naming it when it is missing, not a directory or not readable. */
export async function directorySource(dir: string): Promise<ProfileSource> {
  const root = resolve(dir);
  await checkReadableDirectory(root);
  return new DirectorySource(root, await realpath(root));
}

async function checkReadableDirectory(root: string): Promise<void> {
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'does not exist' : `cannot be opened (${err.code ?? err.message})`;
    throw new SourceError('unavailable', `profiles directory ${root} ${why}: give the directory kprofefe --output-dir (or capture) wrote`, { cause: err });
  });
  if (!info.isDirectory())
    throw new SourceError('unavailable', `profiles directory ${root} is not a directory: give the directory kprofefe --output-dir wrote`);
  await access(root, constants.R_OK | constants.X_OK).catch((err: NodeJS.ErrnoException) => {
    throw new SourceError('unavailable', `profiles directory ${root} is not readable (${err.code ?? err.message}): check its permissions`, { cause: err });
  });
}

class DirectorySource implements ProfileSource {
  readonly name: string;
  readonly cacheable = false;

  constructor(
    private readonly root: string,
    private readonly realRoot: string,
  ) {
    this.name = `directory ${root}`;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    const names = new Set<string>();
    for (const namespace of await this.subdirs([])) {
      for (const service of await this.subdirs([namespace])) {
        signal?.throwIfAborted();
        if (!names.has(service) && (await this.holdsProfiles(namespace, service))) names.add(service);
      }
    }
    return [...names].sort(byteOrder);
  }

  async list(query: SourceQuery, signal?: AbortSignal): Promise<StoredProfile[]> {
    const service = serviceDirName(query.service);
    const from = Math.floor(query.from.getTime() / 1000) * 1000;
    const to = Math.floor(query.to.getTime() / 1000) * 1000 + 999;
    const found: StoredProfile[] = [];
    for (const namespace of await this.subdirs([])) {
      for (const typeDir of typeDirsFor(query.type)) {
        signal?.throwIfAborted();
        for (const profile of await this.profilesIn(namespace, service, typeDir)) {
          const time = profile.createdAt.getTime();
          if (time >= from && time <= to && hasLabels(profile, query.labels)) found.push(profile);
        }
      }
    }
    found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byteOrder(a.id, b.id));
    return query.limit === undefined ? found : found.slice(Math.max(0, found.length - query.limit));
  }

  async read(id: string, signal?: AbortSignal): Promise<Uint8Array> {
    const parsed = parseProfileId(id);
    if ('reason' in parsed) throw new SourceError('bad-id', `"${id}" is not a profile of ${this.name}: ${parsed.reason}`);
    const file = join(this.root, ...parsed.parts);
    try {
      const real = await realpath(file);
      if (!real.startsWith(this.realRoot + sep)) throw new SourceError('bad-id', `"${id}" is not a profile of ${this.name}: it is a link out of the directory`);
      return await readFile(real, { signal });
    } catch (err) {
      if (err instanceof SourceError || (err as Error).name === 'AbortError') throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ProfileGoneError(id, this.name, 'the file was deleted since it was listed', { cause: err });
      throw new SourceError('unreadable', `${file} cannot be read (${code ?? (err as Error).message}): check its permissions`, { cause: err });
    }
  }

  async close(): Promise<void> {}

  /** Whether the service directory holds at least one profile file of the layout. */
  private async holdsProfiles(namespace: string, service: string): Promise<boolean> {
    for (const typeDir of typeDirsFor(undefined)) {
      if ((await this.profilesIn(namespace, service, typeDir)).length > 0) return true;
    }
    return false;
  }

  /** The profiles of one type directory; none when it does not exist. */
  private async profilesIn(namespace: string, service: string, typeDir: string): Promise<StoredProfile[]> {
    const entries = await this.entries([namespace, service, typeDir]);
    const profiles: StoredProfile[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const profile = storedProfileAt(namespace, service, typeDir, entry.name);
      if (profile !== undefined) profiles.push(profile);
    }
    return profiles;
  }

  /** The layout's subdirectories of a directory (not hidden ones, not links). */
  private async subdirs(parts: readonly string[]): Promise<string[]> {
    return (await this.entries(parts)).filter((e) => e.isDirectory() && isLayoutDirName(e.name)).map((e) => e.name);
  }

  /** A directory's entries; none when it does not exist (or is a file), a SourceError naming it when it cannot be read. */
  private async entries(parts: readonly string[]): Promise<Dirent[]> {
    const path = join(this.root, ...parts);
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw new SourceError('unreadable', `${path} cannot be listed (${code ?? (err as Error).message}): check its permissions`, { cause: err });
    }
  }
}

function hasLabels(profile: StoredProfile, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(labels).every(([key, value]) => profile.labels[key] === value);
}

/** Byte-wise order, as the collector sorts service names. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

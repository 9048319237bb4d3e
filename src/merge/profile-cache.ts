/**
 * Downloaded profiles kept on disk by id, so merging the same profiles again (another time
 * range, another sample type) does not download them again. Profile ids are immutable: a
 * cached file is never stale. One small file per profile in the user's cache directory
 * ($XDG_CACHE_HOME/kube-profefe/profiles, else ~/.cache/kube-profefe/profiles), readable by the
 * user only. Writes go to a temporary file renamed into place, so a reader (or another process
 * writing the same id) never sees half a profile. Past `maxBytes` the least recently used files
 * are deleted; a read counts as a use (it touches the file's mtime).
 *
 * Several processes may share the directory: each deletes by what it finds there when its own
 * count says the cap is passed, so the directory can go over the cap by what other processes
 * wrote since, until the next eviction.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const DEFAULT_PROFILE_CACHE_MAX_BYTES = 512 * 1024 * 1024;

/** Temporary files of writers that died are deleted after this long. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_PREFIX = '.tmp-';
const SUFFIX = '.pprof';

/** $XDG_CACHE_HOME/kube-profefe/profiles (an absolute XDG_CACHE_HOME only, as the XDG spec says), else ~/.cache/kube-profefe/profiles. */
export function defaultProfileCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache');
  return join(base, 'kube-profefe', 'profiles');
}

export interface ProfileCacheOptions {
  /** Default: defaultProfileCacheDir(). */
  readonly dir?: string;
  /** Default DEFAULT_PROFILE_CACHE_MAX_BYTES (512 MiB). */
  readonly maxBytes?: number;
}

interface CachedFile {
  readonly name: string;
  readonly size: number;
  readonly usedAt: number;
}

export class ProfileCache {
  readonly dir: string;
  readonly maxBytes: number;
  /** Bytes in the directory by the last scan plus what this process wrote since; undefined before the first scan. */
  private estimatedBytes: number | undefined;
  private ready: Promise<unknown> | undefined;

  constructor(options: ProfileCacheOptions = {}) {
    this.dir = options.dir ?? defaultProfileCacheDir();
    this.maxBytes = options.maxBytes ?? DEFAULT_PROFILE_CACHE_MAX_BYTES;
  }

  /** The profile's bytes, or undefined when it is not cached. */
  async get(id: string): Promise<Buffer | undefined> {
    const file = this.path(id);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined); // evicted meanwhile: the bytes are still good
    return bytes;
  }

  /** Keeps the profile's bytes (not when they alone are over the cap), then evicts past the cap. */
  async put(id: string, bytes: Uint8Array): Promise<void> {
    if (bytes.length > this.maxBytes) return;
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomUUID()}`);
    try {
      await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
      await rename(temp, this.path(id));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    if (this.estimatedBytes !== undefined) this.estimatedBytes += bytes.length;
    if (this.estimatedBytes === undefined || this.estimatedBytes > this.maxBytes) await this.evict();
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /** The cached profiles and their total size, as the directory holds them now. */
  async usage(): Promise<{ files: number; bytes: number }> {
    const files = await this.scan();
    return { files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  }

  /** Deletes the least recently used files until the rest fit under the cap. */
  private async evict(): Promise<void> {
    const files = await this.scan();
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.usedAt - b.usedAt || (a.name < b.name ? -1 : 1));
    for (const file of files) {
      if (total <= this.maxBytes) break;
      await unlink(join(this.dir, file.name)).catch((err: unknown) => {
        if (!isMissing(err)) throw err;
      });
      total -= file.size;
    }
    this.estimatedBytes = total;
  }

  /** The cache's files; deletes temporary files left by writers that died. */
  private async scan(): Promise<CachedFile[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const files: CachedFile[] = [];
    const now = Date.now();
    for (const name of names) {
      const isTemp = name.startsWith(TEMP_PREFIX);
      if (!isTemp && !name.endsWith(SUFFIX)) continue;
      const info = await stat(join(this.dir, name)).catch((err: unknown) => {
        if (isMissing(err)) return undefined; // deleted by another process meanwhile
        throw err;
      });
      if (info === undefined) continue;
      if (isTemp) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await rm(join(this.dir, name), { force: true });
        continue;
      }
      files.push({ name, size: info.size, usedAt: info.mtimeMs });
    }
    return files;
  }

  private path(id: string): string {
    return join(this.dir, cacheFileName(id));
  }
}

/**
 * The file an id is kept in: the id itself when it is short and of lowercase letters, digits,
 * '-' and '_' (as profefe's ids are: safe on case-insensitive file systems too), else its SHA-256
 * (with '.h' before the suffix, which an id kept as itself never has).
 */
export function cacheFileName(id: string): string {
  if (/^[a-z0-9_-]{1,200}$/.test(id)) return `${id}${SUFFIX}`;
  return `${createHash('sha256').update(id, 'utf8').digest('hex')}.h${SUFFIX}`;
}

function isMissing(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Profile directories as kprofefe --output-dir writes them: each profile stored by the real
 * DirectorySink (its layout, names and atomic rename), from a real Go profile of test/fixtures.
 */
import { relative } from 'node:path';
import { DirectorySink } from '../../src/sink/directory-sink.js';
import type { ProfileType } from '../../src/profile-types.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture, type PprofFixtureName } from '../doubles/fixtures.js';
import { makeTarget } from '../doubles/make-target.js';

export interface StoredFile {
  readonly namespace: string;
  readonly service: string;
  readonly pod: string;
  readonly type: ProfileType;
  readonly at: string;
  /** The fixture stored (default: the one named after the type), or the bytes themselves. */
  readonly profile?: PprofFixtureName | Buffer;
}

export interface WrittenFile extends StoredFile {
  /** The path below the directory: the profile's id in a directory source. */
  readonly id: string;
  readonly path: string;
  readonly bytes: Buffer;
}

/** Stores each profile with the DirectorySink into `dir` (a fresh temporary directory by default). */
export async function writeProfiles(files: readonly StoredFile[], dir?: string): Promise<{ dir: string; written: WrittenFile[] }> {
  const root = dir ?? (await tempDir('profiles-dir-'));
  const sink = new DirectorySink(root);
  const written: WrittenFile[] = [];
  for (const file of files) {
    const bytes = Buffer.isBuffer(file.profile) ? file.profile : fixture(file.profile ?? file.type);
    const base = makeTarget(file.type);
    const target = { ...base, service: file.service, pod: { ...base.pod, namespace: file.namespace, name: file.pod } };
    const path = await sink.store({ target, body: bytes, scrapedAt: new Date(file.at) });
    written.push({ ...file, id: relative(root, path), path, bytes });
  }
  return { dir: root, written };
}

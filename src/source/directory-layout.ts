/**
 * The directory sink's layout, read back: `<namespace>/<service>/<type>/<pod>-<YYYYMMDDTHHMMSS.mmmZ>.pb.gz`
 * (or `.pb`) below the directory, <type> a Go profile type name. A stored profile's id is that
 * relative path with '/' separators. Everything else (the sink's `.<hex>.tmp` files, hidden names,
 * other files) is not a stored profile.
 */
import { fileTimestamp, safePathComponent } from '../sink/directory-sink.js';
import { isProfileType, PROFILE_TYPE_SPECS, type ProfileType } from '../profile-types.js';
import type { StoredProfile } from './profile-source.js';

/** `<pod>-<timestamp>.pb[.gz]`: the pod is everything before the last '-' that precedes the timestamp. */
const PROFILE_FILE = /^(.+)-(\d{8}T\d{6}\.\d{3}Z)\.pb(?:\.gz)?$/;
const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;

export interface ProfileFileName {
  readonly pod: string;
  readonly createdAt: Date;
}

/** A directory name the layout can hold (no hidden names: the sink never writes one). */
export function isLayoutDirName(name: string): boolean {
  return name !== '' && !name.startsWith('.');
}

/** The pod and time of a profile file, or undefined for a name the sink does not write. */
export function parseProfileFileName(name: string): ProfileFileName | undefined {
  if (name.startsWith('.')) return undefined;
  const match = PROFILE_FILE.exec(name);
  if (!match) return undefined;
  const createdAt = parseFileTimestamp(match[2] ?? '');
  return createdAt === undefined ? undefined : { pod: match[1] ?? '', createdAt };
}

/** `20261122T024512.345Z` as the sink writes it (fileTimestamp), or undefined for a time that does not exist. */
export function parseFileTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  // Rejects 2026-02-30 (Date rolls it over) and 24:00.
  return Number.isNaN(date.getTime()) || fileTimestamp(date) !== text ? undefined : date;
}

/** The directory a service's profiles are under: the name as the sink wrote it. */
export function serviceDirName(service: string): string {
  return safePathComponent(service);
}

/** The type directories holding profiles stored as `type` (`other` is allocs: pprof_type=allocs). */
export function typeDirsFor(type: string | undefined): ProfileType[] {
  return (Object.keys(PROFILE_TYPE_SPECS) as ProfileType[]).filter((name) => type === undefined || PROFILE_TYPE_SPECS[name].collectorType === type);
}

/** A profile file as a StoredProfile: the type directory maps to the collector type and labels kprofefe would have sent. */
export function storedProfileAt(namespace: string, service: string, typeDir: string, file: string): StoredProfile | undefined {
  if (!isProfileType(typeDir)) return undefined;
  const parsed = parseProfileFileName(file);
  if (parsed === undefined) return undefined;
  const spec = PROFILE_TYPE_SPECS[typeDir];
  return {
    id: `${namespace}/${service}/${typeDir}/${file}`,
    service,
    type: spec.collectorType,
    labels: { ...spec.collectorLabels, namespace, pod: parsed.pod },
    createdAt: parsed.createdAt,
  };
}

/**
 * The id split into its four layout names, or a reason it is not the id of a stored profile:
 * absolute, '..', '.', empty or hidden parts, a backslash or NUL, another shape.
 */
export function parseProfileId(id: string): { parts: [string, string, string, string] } | { reason: string } {
  if (id.includes('\0') || id.includes('\\')) return { reason: 'it holds a backslash or NUL' };
  if (id.startsWith('/')) return { reason: 'it is an absolute path' };
  const parts = id.split('/');
  if (parts.some((part) => part === '..' || part === '.')) return { reason: "it climbs out of the directory ('..' or '.')" };
  if (parts.length !== 4 || !parts.every(isLayoutDirName)) {
    return { reason: 'it is not <namespace>/<service>/<type>/<pod>-<time>.pb.gz' };
  }
  const [namespace, service, typeDir, file] = parts as [string, string, string, string];
  if (storedProfileAt(namespace, service, typeDir, file) === undefined) {
    return { reason: 'it is not <namespace>/<service>/<type>/<pod>-<time>.pb.gz with a Go profile type' };
  }
  return { parts: [namespace, service, typeDir, file] };
}

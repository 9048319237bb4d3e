/**
 * The pod annotations kube-profefe reads, and one parser per annotation. Each parser returns a
 * value or an `AnnotationProblem` that names the annotation, the value and what is accepted.
 */
import { isIP } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { parseProfileTypeList, PROFILE_TYPES, type ProfileType } from '../profile-types.js';

export const ANNOTATION_PREFIX = 'profefe.com/';
export const ENABLE = 'profefe.com/enable';
export const PORT = 'profefe.com/port';
export const PATH = 'profefe.com/path';
export const SERVICE = 'profefe.com/service';
export const PROFILE_TYPES_ANNOTATION = 'profefe.com/profile-types';
export const LABELS = 'profefe.com/labels';
export const SCHEME = 'profefe.com/scheme';

export const DEFAULT_PORT = 6060;
export const DEFAULT_PATH = '/debug/pprof';

/** How the pprof endpoint is spoken to: plain HTTP, or HTTPS (still to the pod IP). */
export type TargetScheme = 'http' | 'https';

export interface AnnotationProblem {
  readonly annotation: string;
  readonly value: string;
  readonly reason: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: AnnotationProblem };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (annotation: string, value: string, reason: string): Parsed<never> => ({
  ok: false,
  problem: { annotation, value, reason },
});

/** Only the exact string "true" enables a pod, as the annotation's documentation says. */
export function isEnabled(annotations: Readonly<Record<string, string>>): boolean {
  return annotations[ENABLE] === 'true';
}

/**
 * A port number (1-65535) or the name of a port declared by one of the pod's containers.
 * Returns the number and, when known, the container that declares it.
 */
export function parsePort(value: string | undefined, pod: V1Pod, annotation = PORT): Parsed<{ port: number; container?: string }> {
  if (value === undefined) return ok(containerForPort(pod, DEFAULT_PORT));
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) {
    const port = Number(v);
    if (port < 1 || port > 65535) return bad(annotation, value, 'a port must be between 1 and 65535');
    return ok(containerForPort(pod, port));
  }
  for (const container of pod.spec?.containers ?? []) {
    for (const p of container.ports ?? []) {
      if (p.name === v) return ok({ port: p.containerPort, container: container.name });
    }
  }
  const declared = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name).filter((n): n is string => !!n));
  return bad(
    annotation,
    value,
    declared.length > 0
      ? `not a port number nor a declared container port name (declared: ${declared.join(', ')})`
      : 'not a port number, and the pod declares no named container ports',
  );
}

function containerForPort(pod: V1Pod, port: number): { port: number; container?: string } {
  for (const container of pod.spec?.containers ?? []) {
    if ((container.ports ?? []).some((p) => p.containerPort === port)) return { port, container: container.name };
  }
  return { port };
}

/**
 * The pprof prefix: an absolute path only. Anything that could make the scraper talk to
 * another host or escape the prefix (scheme, host, `//`, `..`, query, fragment, backslash,
 * whitespace, percent-escapes) is refused. A trailing slash is dropped.
 */
export function parsePath(value: string | undefined, annotation = PATH): Parsed<string> {
  if (value === undefined) return ok(DEFAULT_PATH);
  const v = value.trim();
  const reject = (why: string) => bad(annotation, value, `${why}; expected an absolute path such as ${DEFAULT_PATH}`);
  if (v === '') return reject('empty');
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return reject('a URL with a scheme is not allowed (the scraper only talks to the pod IP)');
  if (!v.startsWith('/')) return reject('not an absolute path');
  if (v.startsWith('//') || v.includes('//')) return reject('"//" is not allowed');
  if (v.includes('?') || v.includes('#')) return reject('a query or fragment is not allowed');
  if (v.includes('\\') || v.includes('%') || /[\s\u0000-\u001f\u007f]/.test(v))
    return reject('backslashes, percent-escapes, spaces and control characters are not allowed');
  if (v.split('/').some((segment) => segment === '..' || segment === '.')) return reject('"." and ".." segments are not allowed');
  if (!/^[A-Za-z0-9/._~!$&'()*+,;=:@-]+$/.test(v)) return reject('characters outside a URL path are not allowed');
  return ok(v.length > 1 ? v.replace(/\/+$/, '') : v);
}

/** `http` or `https` (case-insensitive); anything else names the annotation (or flag) and its value. */
export function parseScheme(value: string | undefined, fallback: TargetScheme, annotation = SCHEME): Parsed<TargetScheme> {
  if (value === undefined) return ok(fallback);
  const v = value.trim().toLowerCase();
  if (v === 'http' || v === 'https') return ok(v);
  return bad(annotation, value, 'the scheme must be http or https (the host is always the pod IP)');
}

export function parseService(value: string | undefined): Parsed<string | undefined> {
  if (value === undefined) return ok(undefined);
  const v = value.trim();
  if (v === '') return bad(SERVICE, value, 'the service name is empty; remove the annotation to use the workload name');
  if (v.length > 253 || /[\u0000-\u001f\u007f]/.test(v)) return bad(SERVICE, value, 'use a service name of at most 253 printable characters');
  return ok(v);
}

export function parseProfileTypesAnnotation(value: string | undefined): Parsed<readonly ProfileType[] | undefined> {
  if (value === undefined) return ok(undefined);
  const parsed = parseProfileTypeList(value);
  if ('unknown' in parsed) return bad(PROFILE_TYPES_ANNOTATION, value, `unknown profile type "${parsed.unknown}"; known types: ${PROFILE_TYPES.join(', ')}`);
  if (parsed.types.length === 0) return bad(PROFILE_TYPES_ANNOTATION, value, `lists no profile type; known types: ${PROFILE_TYPES.join(', ')}`);
  return ok(parsed.types);
}

/** `k=v,k2=v2`. Keys are label names ([A-Za-z_][A-Za-z0-9_.-]*), values any text without `,`. */
export function parseLabelsAnnotation(value: string | undefined): Parsed<Record<string, string>> {
  if (value === undefined) return ok({});
  const labels: Record<string, string> = {};
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) return bad(LABELS, value, `"${pair.trim()}" is not key=value; write k=v,k2=v2`);
    const key = pair.slice(0, eq).trim();
    const val = pair.slice(eq + 1).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return bad(LABELS, value, `label name "${key}" must match [A-Za-z_][A-Za-z0-9_.-]*`);
    labels[key] = val;
  }
  return ok(labels);
}

/** `status.podIP` when it is an IP address; IPv6 is bracketed for URLs by the caller. */
export function podIp(pod: V1Pod): string | undefined {
  const ip = pod.status?.podIP;
  return ip && isIP(ip) !== 0 ? ip : undefined;
}

/**
 * Renders charts/kube-profefe as `helm template` would: the Go renderer in ./renderer (text/template
 * + sprig + Helm's functions), with values.schema.json checked on the merged values first.
 * The renderer is built with `go build` once per source version and reused (keyed by a hash of its
 * source and the Go version), so test files running in parallel share one build.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { validateSchema, type SchemaViolation } from './values-schema.js';

export const CHART_DIR = fileURLToPath(new URL('../../charts/kube-profefe', import.meta.url));
const RENDERER_DIR = fileURLToPath(new URL('./renderer', import.meta.url));

/** Debian's packaged Go libraries (golang-github-masterminds-sprig-dev and its dependencies). */
const GOPATH = '/usr/share/gocode';

export interface Release {
  readonly name: string;
  readonly namespace: string;
  readonly service?: string;
}

export const DEFAULT_RELEASE: Release = { name: 'kube-profefe', namespace: 'kube-profefe', service: 'Helm' };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Rendered {
  /** The values after merging the chart's values.yaml with the given ones. */
  readonly values: Record<string, unknown>;
  /** Every object, with the template it came from ("kube-profefe/templates/cronjob.yaml"). */
  readonly objects: ReadonlyArray<{ readonly source: string; readonly object: KubeObject }>;
  /** The rendered templates' text, by template. */
  readonly manifests: ReadonlyArray<{ readonly name: string; readonly content: string }>;
  readonly notes: string;
}

/** values.schema.json rejected the values: Helm stops here, before rendering. */
export class ChartSchemaError extends Error {
  constructor(readonly violations: readonly SchemaViolation[]) {
    super(`values don't meet the chart's schema:\n${violations.map((v) => `- ${v.message}`).join('\n')}`);
  }
}

/** A template failed (`fail`, `required`, an execution error). */
export class ChartRenderError extends Error {}

function goEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '' };
  if (env.GOCACHE === undefined && env.HOME === undefined && env.XDG_CACHE_HOME === undefined) {
    env.GOCACHE = join(tmpdir(), 'kube-profefe-go-build-cache');
  }
  return env;
}

/** Builds the renderer if this version of its source has not been built yet; returns its path. */
export function buildRenderer(): string {
  let goVersion: string;
  try {
    goVersion = execFileSync('go', ['version'], { encoding: 'utf8', env: goEnv() });
  } catch (error) {
    throw new Error('the chart tests need Go: apt-get install -y golang-go golang-github-masterminds-sprig-dev', { cause: error });
  }
  const hash = createHash('sha256').update(goVersion);
  for (const file of readdirSync(RENDERER_DIR)
    .filter((f) => f.endsWith('.go'))
    .sort()) {
    hash.update(file).update(readFileSync(join(RENDERER_DIR, file)));
  }
  const dir = join(tmpdir(), `kube-profefe-helm-renderer-${hash.digest('hex').slice(0, 16)}`);
  const binary = join(dir, 'renderer');
  if (existsSync(binary)) return binary;

  const staging = mkdtempSync(join(tmpdir(), 'kube-profefe-helm-renderer-build-'));
  try {
    execFileSync('go', ['build', '-o', join(staging, 'renderer'), '.'], { cwd: RENDERER_DIR, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`go build of test/helm/renderer failed (needs golang-github-masterminds-sprig-dev under ${GOPATH}):\n${stderr}`, { cause: error });
  }
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file built the same source first: use its build.
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

export interface RenderOptions {
  /** Values files, merged in order over the chart's values.yaml (like `helm template -f`). */
  readonly valuesFiles?: readonly string[];
  /** Values given as an object (written to a file and passed after valuesFiles). */
  readonly values?: Record<string, unknown>;
  readonly release?: Release;
  /** The cluster's version, for .Capabilities and the chart's kubeVersion (default v1.30.0). */
  readonly kubeVersion?: string;
}

export function renderChart(renderer: string, options: RenderOptions = {}): Rendered {
  const release = options.release ?? DEFAULT_RELEASE;
  const files = [...(options.valuesFiles ?? [])];
  let scratch: string | undefined;
  if (options.values !== undefined) {
    scratch = mkdtempSync(join(tmpdir(), 'kube-profefe-values-'));
    const file = join(scratch, 'values.yaml');
    // JSON, a subset of YAML, so no string is read back as another type ("yes" is a boolean in YAML 1.1).
    writeFileSync(file, JSON.stringify(options.values));
    files.push(file);
  }
  let output: string;
  try {
    const args = [
      '-chart',
      CHART_DIR,
      '-name',
      release.name,
      '-namespace',
      release.namespace,
      '-service',
      release.service ?? 'Helm',
      '-kube-version',
      options.kubeVersion ?? 'v1.30.0',
    ];
    for (const file of files) args.push('-values', file);
    output = execFileSync(renderer, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
  const result = JSON.parse(output) as {
    values: Record<string, unknown>;
    manifests: Array<{ name: string; content: string }>;
    notes: string;
    error?: string;
  };

  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
  const violations = validateSchema(schema, result.values);
  if (violations.length > 0) throw new ChartSchemaError(violations);
  if (result.error !== undefined) throw new ChartRenderError(result.error);

  return { values: result.values, objects: parseManifests(result.manifests), manifests: result.manifests, notes: result.notes };
}

/** Parses rendered YAML as kubectl does (YAML 1.1, duplicate keys rejected). */
export function parseManifests(manifests: ReadonlyArray<{ name: string; content: string }>): Array<{ source: string; object: KubeObject }> {
  const objects: Array<{ source: string; object: KubeObject }> = [];
  for (const { name, content } of manifests) {
    for (const doc of parseAllDocuments(content, { version: '1.1', uniqueKeys: true })) {
      if (doc.errors.length > 0) throw new Error(`${name}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}\n${content}`);
      const object = doc.toJS() as KubeObject | null;
      if (object !== null) objects.push({ source: name, object });
    }
  }
  return objects;
}

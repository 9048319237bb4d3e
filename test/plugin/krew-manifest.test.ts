/**
 * krew/profefe.yaml: a krew Plugin manifest (krew.googlecontainertools.github.com/v1alpha2) with the
 * fields krew requires, consistent with the package it installs (version, executables, Node
 * requirement).
 */
import { access, constants, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: Array<{ from?: string; to?: string }>;
}

interface KrewManifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    homepage?: string;
    shortDescription?: string;
    description?: string;
    caveats?: string;
    platforms?: KrewPlatform[];
  };
}

const manifest = parse(await readFile(`${ROOT}krew/profefe.yaml`, 'utf8')) as KrewManifest;
const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { version: string; engines: { node: string }; files: string[] };

describe('krew/profefe.yaml', () => {
  it('is a krew v1alpha2 Plugin named after its file, installing `kubectl profefe`', () => {
    expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.metadata?.name).toBe('profefe');
    // krew: lower-case letters, digits and dashes.
    expect(manifest.metadata?.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('has the spec fields krew requires, its version the package version with a v prefix', () => {
    const spec = manifest.spec!;
    expect(spec.version).toBe(`v${pkg.version}`);
    expect(spec.version).toMatch(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(spec.homepage).toMatch(/^https:\/\//);
    expect(spec.shortDescription).toBeTruthy();
    // krew-index asks for a short description of a few words.
    expect(spec.shortDescription!.length).toBeLessThanOrEqual(50);
    expect(spec.description).toContain('port-forward');
    expect(spec.description).toContain('kubectl profefe capture');
  });

  it('caveats say it needs Node.js 20 (as package.json engines), the RBAC it needs and how to enable completion', () => {
    const caveats = manifest.spec?.caveats ?? '';
    const minimum = /^>=(\d+\.\d+)/.exec(pkg.engines.node)?.[1];
    expect(minimum).toBe('20.11');
    expect(caveats).toContain(`Node.js 20 (${minimum} or newer)`);
    expect(caveats).toContain('pods/portforward');
    expect(caveats).toContain(`store/profefe/${manifest.spec?.version}/bin/kubectl_complete-profefe`);
  });

  it('has a platform entry per OS with a selector, an https archive of this version, a sha256 and a bin shipped by the package', async () => {
    const platforms = manifest.spec?.platforms ?? [];
    expect(platforms.length).toBeGreaterThan(0);
    for (const platform of platforms) {
      const selector = platform.selector;
      expect(selector?.matchLabels ?? selector?.matchExpressions).toBeDefined();
      for (const expr of selector?.matchExpressions ?? []) {
        expect(['In', 'NotIn', 'Exists', 'DoesNotExist']).toContain(expr.operator);
        expect(['os', 'arch']).toContain(expr.key);
      }
      expect(platform.uri).toMatch(new RegExp(`^https://.+/${manifest.spec?.version}/kubectl-profefe-${manifest.spec?.version}\\.tar\\.gz$`));
      expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
      // The archive holds the npm package under package/; files maps it to the install root.
      expect(platform.files).toEqual([{ from: 'package/*', to: '.' }]);
      expect(platform.bin).toBe('bin/kubectl-profefe.js');
      // The executables exist, are executable, and are part of the published package.
      for (const bin of [platform.bin!, 'bin/kubectl_complete-profefe']) {
        await access(`${ROOT}${bin}`, constants.X_OK);
        expect(pkg.files.some((f) => bin.startsWith(f))).toBe(true);
      }
    }
    const oses = platforms.flatMap((p) => p.selector?.matchExpressions?.find((e) => e.key === 'os')?.values ?? [p.selector?.matchLabels?.os ?? '']);
    expect(oses.sort()).toEqual(['darwin', 'linux']);
  });
});

/**
 * The browser assets scripts/build-assets.mjs builds (dist/assets/flame-view.js and .css), read
 * at run time to be inlined into a page. Found from the package root, which is two directories
 * above this file both when it runs compiled (dist/flame/) and from source under tsx (src/flame/).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface FlameAssets {
  /** The IIFE defining the global `KubeProfefeFlame` (render(element, data, options)). */
  readonly script: string;
  readonly style: string;
}

export const ASSET_DIR = resolve(import.meta.dirname, '..', '..', 'dist', 'assets');

let loaded: FlameAssets | undefined;

/** The built assets (read once); throws an error saying to run `npm run build` when they are missing. */
export function flameAssets(): FlameAssets {
  loaded ??= readFlameAssets(ASSET_DIR);
  return loaded;
}

/** The assets in `dir`, read now. */
export function readFlameAssets(dir: string): FlameAssets {
  return { script: readAsset(dir, 'flame-view.js'), style: readAsset(dir, 'flame-view.css') };
}

function readAsset(dir: string, name: string): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`the flame graph's browser asset ${path} cannot be read (${code}): run npm run build (it builds dist/assets/)`, { cause: err });
  }
}

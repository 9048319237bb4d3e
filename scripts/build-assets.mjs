#!/usr/bin/env node
/**
 * Builds the browser assets the CLI inlines into pages: src/flame/browser/flame-view.ts with
 * d3-flame-graph and d3-selection (devDependencies) into one minified IIFE,
 * dist/assets/flame-view.js (global `KubeProfefeFlame`), and its stylesheet,
 * dist/assets/flame-view.css. Run by `npm run build` and `prepare`, after tsc.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  absWorkingDir: root,
  entryPoints: ['src/flame/browser/flame-view.ts'],
  outdir: 'dist/assets',
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'KubeProfefeFlame',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  // measurement.ts asks Buffer for a unit name's UTF-8 length; the page has no Buffer.
  inject: ['src/flame/browser/buffer-shim.ts'],
  legalComments: 'eof',
  logLevel: 'warning',
});

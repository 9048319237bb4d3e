/**
 * flamePageHtml's document without a browser: the data is inline JSON that no name can break out
 * of, the page references nothing outside itself, and its Content-Security-Policy allows exactly
 * its own inline scripts and stylesheet (by hash) and no connection; the built assets it inlines.
 * (flame-browser.test.ts opens it in Chromium.)
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ASSET_DIR, flameAssets, readFlameAssets } from '../../src/flame/flame-assets.js';
import { flamePageHtml, jsonForScript } from '../../src/flame/flame-page.js';
import { flameGraphData } from '../../src/flame/flame-tree.js';
import { syntheticProfile } from '../pprof/synthetic-profile.js';
import { profileFlame } from './flame-input.js';

const EVIL = '</script><script>alert(1)</script><!--';

function page(): { html: string; data: ReturnType<typeof flameGraphData> } {
  const profile = syntheticProfile({ sampleTypes: [['samples', 'count']], samples: [{ stack: [[EVIL], ['main.main']], values: [3] }] });
  const data = flameGraphData(profileFlame(profile), { title: `t ${EVIL}` });
  return { html: flamePageHtml(data), data };
}

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('flamePageHtml', () => {
  it('holds the data as JSON in a script element no name can close, and gives it back unchanged', () => {
    const { html, data } = page();
    const m = /<script type="application\/json" id="kpf-flame-data">([^]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    expect(m![1]).not.toContain('<');
    expect(JSON.parse(m![1]!)).toEqual(data);
    expect(jsonForScript({ name: '<!--</script>' })).toBe('{"name":"\\u003c!--\\u003c/script>"}');
    expect(html.split('<script').length - 1).toBe(3);
    expect(html).toContain('<title>t &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;!-- - flame graph</title>');
  });

  it('references nothing outside itself and allows only its own inline scripts and stylesheet', () => {
    const { html } = page();
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    expect(policy).toBeDefined();
    const scripts = [...html.matchAll(/<script>([^]*?)<\/script>/g)].map((m) => m[1]!);
    const style = /<style>([^]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(scripts).toHaveLength(2);
    expect(policy).toBe(
      [
        "default-src 'none'",
        `script-src ${scripts.map(hash).join(' ')}`,
        `style-src ${hash(style)}`,
        "img-src 'none'",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
  });
});

describe('flame assets', () => {
  it('are read from dist/assets, where npm run build puts them; missing, the error says to build', async () => {
    expect(ASSET_DIR).toBe(fileURLToPath(new URL('../../dist/assets', import.meta.url)));
    expect(flameAssets().script).toContain('KubeProfefeFlame');
    const empty = await mkdtemp(join(tmpdir(), 'flame-assets-'));
    expect(() => readFlameAssets(empty)).toThrow(
      `the flame graph's browser asset ${join(empty, 'flame-view.js')} cannot be read (ENOENT): run npm run build (it builds dist/assets/)`,
    );
  });
});

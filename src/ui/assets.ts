/**
 * The static files the pages load from /assets/: the flame graph's bundle and stylesheet (built by
 * scripts/build-assets.mjs, read through flame-assets.ts) and the page starter below, which draws
 * every flame graph of the page from the JSON beside its mount (the CSP forbids inline scripts).
 */
import { flameAssets } from '../flame/flame-assets.js';

const STARTER = `'use strict';
for (const mount of document.querySelectorAll('[data-flame]')) {
  const data = JSON.parse(document.getElementById(mount.getAttribute('data-flame')).textContent);
  KubeProfefeFlame.render(mount, data, { transitionDuration: 0 });
  mount.setAttribute('data-drawn', 'true');
}
`;

export interface Asset {
  readonly type: string;
  readonly body: string;
}

/** The asset at `path` (/assets/NAME), or undefined. Throws when the flame graph's build is missing. */
export function asset(path: string): Asset | undefined {
  switch (path) {
    case '/assets/ui.js':
      return { type: 'text/javascript; charset=utf-8', body: STARTER };
    case '/assets/flame-view.js':
      return { type: 'text/javascript; charset=utf-8', body: flameAssets().script };
    case '/assets/flame-view.css':
      return { type: 'text/css; charset=utf-8', body: flameAssets().style };
    default:
      return undefined;
  }
}

/**
 * One self-contained HTML document holding an interactive flame graph: the view's script and
 * stylesheet (dist/assets, see flame-assets.ts) and the data inline, so the file opens anywhere,
 * offline, and fetches nothing. Its Content-Security-Policy allows only these inline scripts and
 * this stylesheet (by hash) and no connection of any kind. The data sits in a
 * `<script type="application/json">` with `<` escaped; names reach the page as text only.
 */
import { createHash } from 'node:crypto';
import { flameAssets } from './flame-assets.js';
import type { FlameGraphData } from './flame-tree.js';

const DATA_ID = 'kpf-flame-data';
const CHART_ID = 'kpf-flame';

const BOOT = `KubeProfefeFlame.render(document.getElementById(${JSON.stringify(CHART_ID)}), JSON.parse(document.getElementById(${JSON.stringify(DATA_ID)}).textContent));`;

export function flamePageHtml(data: FlameGraphData): string {
  const { script, style } = flameAssets();
  const view = inlineSafe(script, 'script');
  const css = inlineSafe(style, 'style');
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(view)} ${sha256(BOOT)}`,
    `style-src ${sha256(css)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${data.title} - flame graph`)}</title>
<style>${css}</style>
</head>
<body>
<div id="${CHART_ID}"></div>
<script type="application/json" id="${DATA_ID}">${jsonForScript(data)}</script>
<script>${view}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** JSON that cannot end its <script> element or open a comment: every `<` as \u003c (still the same JSON). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A built asset cannot close its element early: `</script` / `</style` would only appear inside strings, where `<\/` means the same. */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  const closing = new RegExp(`</(${tag})`, 'gi');
  return tag === 'script' ? text.replace(closing, '<\\/$1') : text.replace(closing, '\\3c /$1');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

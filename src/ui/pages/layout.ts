/** The frame of every page: title, navigation, styles; scripts only from /assets/ (the CSP forbids inline ones). */
import { html, SafeHtml } from '../html.js';

export interface PageOptions {
  /** Reload the page after this many seconds (the error page while the source is down). */
  readonly refreshSeconds?: number;
  /** Scripts under /assets/ the page needs (the flame graph). */
  readonly scripts?: readonly string[];
  readonly crumbs?: readonly Crumb[];
}

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

const STYLE = new SafeHtml(`
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d232b; background: #fafbfc; }
header { background: #24313f; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; }
header a { color: #cfe3ff; text-decoration: none; } header .brand { font-weight: 600; color: #fff; }
main { padding: 12px 16px; }
nav.crumbs { margin-bottom: 8px; color: #555; } nav.crumbs a { color: #1a5fb4; }
h1 { font-size: 20px; margin: 4px 0 12px; } h2 { font-size: 16px; margin: 16px 0 8px; }
table { border-collapse: collapse; background: #fff; } th, td { padding: 3px 8px; border-bottom: 1px solid #e3e6ea; text-align: right; white-space: nowrap; }
th { background: #eef1f4; } td.name, th.name { text-align: left; white-space: normal; word-break: break-all; font-family: ui-monospace, monospace; font-size: 12px; }
.notice { padding: 10px 12px; border-radius: 4px; margin: 8px 0; } .empty { background: #fff8e1; border: 1px solid #f0d37a; }
.error { background: #fdecea; border: 1px solid #f5a9a0; } .info { background: #eaf3fd; border: 1px solid #a9c9f0; }
.ranges a, .ranges strong { margin-right: 8px; } form.inline { display: inline-flex; gap: 6px; align-items: center; margin: 4px 0; }
.side { display: flex; gap: 16px; align-items: flex-start; } .side > .flame-box { flex: 3; min-width: 0; } .side > .top-box { flex: 2; max-height: 900px; overflow: auto; }
.flame { background: #fff; border: 1px solid #e3e6ea; min-height: 60px; }
code.cmd { display: block; background: #1d232b; color: #e8eef5; padding: 8px; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
.grow { color: #b3261e; } .shrink { color: #2e7d32; }
svg.timeline { background: #fff; border: 1px solid #e3e6ea; } svg.timeline text { font-size: 11px; fill: #333; }
`);

export function page(title: string, body: SafeHtml, options: PageOptions = {}): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · kube-profefe</title>
${options.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<style>${STYLE}</style>
${(options.scripts ?? []).length > 0 ? html`<link rel="stylesheet" href="/assets/flame-view.css">` : ''}
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head><body>
<header><a class="brand" href="/">kube-profefe</a><a href="/">Services</a><a href="/fleet">Fleet</a></header>
<main>${crumbs(options.crumbs ?? [])}<h1>${title}</h1>
${body}</main></body></html>`;
}

function crumbs(list: readonly Crumb[]): SafeHtml {
  if (list.length === 0) return html``;
  return html`<nav class="crumbs">${list.map((c, i) => html`${i > 0 ? ' › ' : ''}${c.href ? html`<a href="${c.href}">${c.label}</a>` : c.label}`)}</nav>`;
}

export function notice(kind: 'empty' | 'error' | 'info', body: SafeHtml | string): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${body}</div>`;
}

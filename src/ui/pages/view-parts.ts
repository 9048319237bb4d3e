/** Breadcrumbs of a service's pages and the download block (the merged .pb.gz and its go tool pprof command). */
import { html, type SafeHtml } from '../html.js';
import { absolute, pageUrl, type ViewParams, viewValues } from '../view-params.js';
import type { Crumb } from './layout.js';

export function viewCrumbs(view: ViewParams, last?: string): Crumb[] {
  const crumbs: Crumb[] = [
    { label: 'Services', href: '/' },
    { label: view.service, href: pageUrl('/service', { service: view.service, from: view.from, to: view.to }) },
  ];
  crumbs.push(last ? { label: view.type, href: pageUrl('/view', viewValues(view)) } : { label: view.type });
  if (last) crumbs.push({ label: last });
  return crumbs;
}

/** The download of the merged profile, pinned to the range's times, and the commands that open it. */
export function downloadBlock(origin: string, view: ViewParams, now: Date): SafeHtml {
  const pinned = absolute(view, now);
  const href = pageUrl('/download', { ...viewValues(pinned), sample: undefined });
  const file = downloadName(view);
  const url = `${origin}${href}`;
  return html`<details class="download" open><summary><a class="download-link" href="${href}" download="${file}">Download the merged profile (${file})</a></summary>
<code class="cmd pprof-command">go tool pprof -http=: ${file}</code>
<p>or, while this UI runs:</p><code class="cmd pprof-url-command">go tool pprof -http=: '${url}'</code></details>`;
}

export function downloadName(view: ViewParams): string {
  return `${view.service}-${view.type}.pb.gz`.replace(/[^A-Za-z0-9._-]/g, '_');
}

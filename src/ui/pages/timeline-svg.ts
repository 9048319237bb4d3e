/** The timeline of stored profiles: one row per pod, a dot per profile at the time it was stored. */
import type { Timeline } from '../data/timeline.js';
import { formatTime, plural } from '../format.js';
import { html, type SafeHtml } from '../html.js';

const WIDTH = 1000;
const LABEL_WIDTH = 240;
const ROW_HEIGHT = 20;
const AXIS_HEIGHT = 22;

/** `podHref(pod)`: the view of that pod's profiles alone (undefined: the row is not a link). */
export function timelineSvg(timeline: Timeline, podHref: (pod: string) => string | undefined = () => undefined): SafeHtml {
  const span = Math.max(1, timeline.to.getTime() - timeline.from.getTime());
  const x = (at: Date): number => LABEL_WIDTH + ((at.getTime() - timeline.from.getTime()) / span) * (WIDTH - LABEL_WIDTH - 10);
  const height = AXIS_HEIGHT + timeline.rows.length * ROW_HEIGHT + 4;
  const rows = timeline.rows.map((row, i) => {
    const y = AXIS_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    const dots = row.profiles.map(
      (p) =>
        html`<circle class="profile-dot" cx="${x(p.createdAt).toFixed(1)}" cy="${y}" r="4" fill="#1a5fb4"><title>${row.pod} ${formatTime(p.createdAt)} ${p.id}</title></circle>`,
    );
    return html`<g class="timeline-row" data-pod="${row.pod}">${podLabel(row.pod, row.profiles.length, y, podHref(row.pod))}
<line x1="${LABEL_WIDTH}" x2="${WIDTH - 10}" y1="${y}" y2="${y}" stroke="#e3e6ea"></line>${dots}</g>`;
  });
  return html`<p>${plural(timeline.profiles, 'profile')} stored from ${formatTime(timeline.from)} to ${formatTime(timeline.to)}, by pod:</p>
<svg class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="profiles stored over time, per pod">
<text x="${LABEL_WIDTH}" y="14">${formatTime(timeline.from)}</text><text x="${WIDTH - 10}" y="14" text-anchor="end">${formatTime(timeline.to)}</text>
${rows}</svg>`;
}

function podLabel(pod: string, count: number, y: number, href: string | undefined): SafeHtml {
  const label = html`<text x="4" y="${y + 4}">${pod} (${count})</text>`;
  return href === undefined ? label : html`<a class="pod-link" href="${href}">${label}</a>`;
}

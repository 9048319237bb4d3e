/** The timeline of stored profiles: one row per pod, a dot per profile at the time it was stored. */
import type { Timeline } from '../data/timeline.js';
import { formatTime, plural } from '../format.js';
import { html, type SafeHtml } from '../html.js';

const WIDTH = 1000;
const LABEL_WIDTH = 240;
const ROW_HEIGHT = 20;
const AXIS_HEIGHT = 22;

export function timelineSvg(timeline: Timeline): SafeHtml {
  const span = Math.max(1, timeline.to.getTime() - timeline.from.getTime());
  const x = (at: Date): number => LABEL_WIDTH + ((at.getTime() - timeline.from.getTime()) / span) * (WIDTH - LABEL_WIDTH - 10);
  const height = AXIS_HEIGHT + timeline.rows.length * ROW_HEIGHT + 4;
  const rows = timeline.rows.map((row, i) => {
    const y = AXIS_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    const dots = row.profiles.map(
      (p) =>
        html`<circle class="profile-dot" cx="${x(p.createdAt).toFixed(1)}" cy="${y}" r="4" fill="#1a5fb4"><title>${row.pod} ${formatTime(p.createdAt)} ${p.id}</title></circle>`,
    );
    return html`<g class="timeline-row" data-pod="${row.pod}"><text x="4" y="${y + 4}">${row.pod} (${row.profiles.length})</text>
<line x1="${LABEL_WIDTH}" x2="${WIDTH - 10}" y1="${y}" y2="${y}" stroke="#e3e6ea"></line>${dots}</g>`;
  });
  return html`<p>${plural(timeline.profiles, 'profile')} stored from ${formatTime(timeline.from)} to ${formatTime(timeline.to)}, by pod:</p>
<svg class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="profiles stored over time, per pod">
<text x="${LABEL_WIDTH}" y="14">${formatTime(timeline.from)}</text><text x="${WIDTH - 10}" y="14" text-anchor="end">${formatTime(timeline.to)}</text>
${rows}</svg>`;
}

/** Pieces several pages share: the range picker, the merge summary, the top table, the flame graph's mount. */
import type { FlameGraphData } from '../../flame/flame-tree.js';
import type { TopReport } from '../../pprof/top.js';
import { encodeLabels } from '../../profefe/labels.js';
import type { MergeOutcome } from '../backend.js';
import { plural } from '../format.js';
import { html, jsonForScript, type SafeHtml } from '../html.js';
import { pageUrl, type QueryValue, RANGE_PRESETS, type RangeParams } from '../view-params.js';
import { notice } from './layout.js';

/** Preset links and a custom from/to form; `values` are the page's other parameters, kept. */
export function rangePicker(path: string, values: Readonly<Record<string, QueryValue>>, range: RangeParams): SafeHtml {
  const presets = RANGE_PRESETS.map((preset) => {
    const current = range.from === preset && range.to === 'now';
    return current ? html`<strong>last ${preset}</strong>` : html`<a href="${pageUrl(path, { ...values, from: preset, to: 'now' })}">last ${preset}</a>`;
  });
  const hidden = Object.entries(values)
    .filter(([name]) => name !== 'from' && name !== 'to')
    .map(([name, value]) => (value === undefined || value === '' ? '' : html`<input type="hidden" name="${name}" value="${hiddenValue(value)}">`));
  return html`<div class="ranges">Range: ${presets}
<form class="inline" method="get" action="${path}">${hidden}
<label>from <input name="from" value="${range.from}" size="22"></label>
<label>to <input name="to" value="${range.to}" size="22"></label><button type="submit">Show</button>
<small>(15m, 2h, 7d ago, now, or 2026-11-20T10:00:00Z)</small></form></div>`;
}

function hiddenValue(value: Exclude<QueryValue, undefined>): string {
  return typeof value === 'string' ? value : encodeLabels(value);
}

/** "Merged 9 of 10 profiles" and every profile left out with why. */
export function mergeSummary(outcome: MergeOutcome): SafeHtml {
  const line = html`<p class="merge-summary">Merged ${outcome.used} of ${plural(outcome.listed, 'profile')}.</p>`;
  if (outcome.skipped.length === 0) return line;
  return html`${line}${notice(
    'error',
    html`<strong>${plural(outcome.skipped.length, 'profile')} could not be used and ${outcome.skipped.length === 1 ? 'is' : 'are'} left out:</strong>
<ul class="skipped">${outcome.skipped.map((s) => html`<li><code>${s.id}</code>: ${s.reason}</li>`)}</ul>`,
  )}`;
}

/** The table of `go tool pprof -top`: flat, flat%, sum%, cum, cum%, name, with pprof's own texts. */
export function topTable(top: TopReport, limit = 500): SafeHtml {
  const rows = top.rows.slice(0, limit);
  return html`<p class="top-labels">${top.reportLabels.map((l) => html`${l}<br>`)}</p>
<table class="top"><thead><tr><th>flat</th><th>flat%</th><th>sum%</th><th>cum</th><th>cum%</th><th class="name">function</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.flatText}</td><td>${r.flatPercent.trim()}</td><td>${r.sumPercent.trim()}</td><td>${r.cumText}</td><td>${r.cumPercent.trim()}</td><td class="name">${r.name}${r.inline === '' ? '' : ` (${r.inline})`}</td></tr>`,
  )}</tbody></table>${top.rows.length > limit ? html`<p>${top.rows.length - limit} more functions not shown: download the profile.</p>` : ''}`;
}

let flameIds = 0;

/** Where the flame graph is drawn (by /assets/ui.js, from the JSON next to it). */
export function flameMount(data: FlameGraphData): SafeHtml {
  const id = `flame-${++flameIds}`;
  return html`<div class="flame" id="${id}" data-flame="${id}-data" data-diff="${data.diff ? 'true' : 'false'}"></div>
<script type="application/json" id="${id}-data">${jsonForScript(data)}</script>`;
}

/** The flame graph's scripts: d3-flame-graph's bundle, then the page's starter. */
export const FLAME_SCRIPTS: readonly string[] = ['/assets/flame-view.js', '/assets/ui.js'];

/** /breakdown: a view's profiles by one label's values (pod, node, container, workload, any stored label), each merged on its own. */
import { breakdown, totalOf } from '../data/breakdown.js';
import { formatPercent, formatValue, tableUnit } from '../format.js';
import { html } from '../html.js';
import { pageUrl, sourceQuery, text, viewParams, viewValues } from '../view-params.js';
import { notice, page } from './layout.js';
import type { PageContext, PageResult } from './page-context.js';
import { rangePicker } from './parts.js';
import { emptyState } from './view-page.js';
import { viewCrumbs } from './view-parts.js';

export async function breakdownPage(ctx: PageContext): Promise<PageResult> {
  const view = viewParams(ctx.url.searchParams);
  const by = text(ctx.url.searchParams, 'by', 'pod');
  const now = ctx.backend.now();
  const result = await breakdown(ctx.backend, sourceQuery(view, now), by, view.sample, ctx.signal);
  const values = { ...viewValues(view), by };
  const pickers = result.labels.map((name) =>
    name === by ? html`<strong>${name}</strong> ` : html`<a href="${pageUrl('/breakdown', { ...values, by: name })}">${name}</a> `,
  );
  const unitOf = result.rows.find((r) => r.view.merged)?.view.merged?.top;
  const rows = result.rows.map((row) => {
    const top = row.view.merged?.top;
    const heaviest = top?.rows[0];
    const total = totalOf(row);
    return html`<tr><td class="name"><a class="label-value" href="${pageUrl('/view', { ...viewValues(view), labels: { ...view.labels, [by]: row.value } })}">${row.value}</a></td>
<td>${row.view.outcome.used} of ${row.view.outcome.listed}</td><td class="value">${top ? formatValue(total, top.sampleType.unit, tableUnit(totalOf(result.rows[0]!), top.sampleType.unit)) : '-'}</td>
<td class="share">${formatPercent(total, result.total)}</td><td class="name">${heaviest?.name ?? ''}</td></tr>`;
  });
  const table =
    result.rows.length === 0
      ? result.labels.length === 0
        ? emptyState(view, '/breakdown', now)
        : notice('empty', html`No profile in this range carries the label <code>${by}</code>; pick another label.`)
      : html`<table class="breakdown"><thead><tr><th class="name">${by}</th><th>profiles used</th><th>total${unitOf ? ` (${unitOf.sampleType.type})` : ''}</th><th>share</th><th class="name">heaviest function (flat)</th></tr></thead>
<tbody>${rows}</tbody></table>${result.without > 0 ? html`<p>${result.without} profiles carry no <code>${by}</code> label and are not in the table.</p>` : ''}`;
  const body = html`${rangePicker('/breakdown', values, view)}<p class="label-picker">Break down by: ${pickers}</p>${table}`;
  return { status: 200, body: page(`${view.service} · ${view.type} by ${by}`, body, { crumbs: viewCrumbs(view, `by ${by}`) }) };
}

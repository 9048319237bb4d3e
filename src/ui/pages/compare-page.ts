/**
 * /compare: the view's range and labels against a base (another range: base_from/base_to, or
 * another label value: base_labels). The diff flame graph (growth red, shrinkage green) and the
 * change per function.
 */
import { encodeLabels } from '../../profefe/labels.js';
import { type Comparison, compare } from '../data/compare.js';
import { formatChange, formatPercentChange, formatTime, formatValue } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { labelsParam, pageUrl, type RangeParams, rangeParams, resolveRange, sourceQuery, type ViewParams, viewParams, viewValues } from '../view-params.js';
import { notice, page } from './layout.js';
import type { PageContext, PageResult } from './page-context.js';
import { FLAME_SCRIPTS, flameMount, mergeSummary } from './parts.js';
import { viewCrumbs } from './view-parts.js';

export interface CompareParams {
  readonly view: ViewParams;
  readonly base: ViewParams;
}

export function compareParams(params: URLSearchParams): CompareParams {
  const view = viewParams(params);
  const given = params.has('base_from') || params.has('base_to');
  const range: RangeParams = given ? rangeParams(params, 'base_') : view;
  const baseLabels = params.has('base_labels') ? labelsParam(params, 'base_labels') : view.labels;
  return { view, base: { ...view, ...range, from: range.from, to: range.to, labels: baseLabels } };
}

export async function comparePage(ctx: PageContext): Promise<PageResult> {
  const { view, base } = compareParams(ctx.url.searchParams);
  const now = ctx.backend.now();
  resolveRange(base, now, 'base_');
  const result = await compare(ctx.backend, sourceQuery(view, now), sourceQuery(base, now), view.sample, ctx.signal);
  const body = html`${baseForm(view, base)}${sides(result, view, base, now)}${diffBody(result)}`;
  return { status: 200, body: page(`${view.service} · ${view.type}: compare`, body, { crumbs: viewCrumbs(view, 'compare'), scripts: FLAME_SCRIPTS }) };
}

function baseForm(view: ViewParams, base: ViewParams): SafeHtml {
  const hidden = Object.entries(viewValues(view)).map(([name, value]) =>
    value === undefined || value === '' || typeof value !== 'string' ? '' : html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const labels = encodeLabels(view.labels);
  const baseLabels = encodeLabels(base.labels);
  return html`<form class="inline base-form" method="get" action="/compare">${hidden}${labels === '' ? '' : html`<input type="hidden" name="labels" value="${labels}">`}
Base: <label>from <input name="base_from" value="${base.from}" size="22"></label><label>to <input name="base_to" value="${base.to}" size="22"></label>
<label>labels <input name="base_labels" value="${baseLabels}" size="30" placeholder="pod=api-1"></label><button type="submit">Compare</button></form>`;
}

function sides(result: Comparison, view: ViewParams, base: ViewParams, now: Date): SafeHtml {
  const side = (name: string, v: ViewParams, outcome: Comparison['current']['outcome']): SafeHtml => {
    const { from, to } = resolveRange(v, now);
    const labels = Object.entries(v.labels)
      .map(([k, val]) => `${k}=${val}`)
      .join(', ');
    return html`<div class="compare-side"><h2>${name}: ${formatTime(from)} to ${formatTime(to)}${labels ? ` (${labels})` : ''}</h2>
${outcome.listed === 0 ? notice('empty', html`<strong>No profiles in this range.</strong> Try a wider range.`) : mergeSummary(outcome)}
<a href="${pageUrl('/view', viewValues(v))}">view</a></div>`;
  };
  return html`${side('Now', view, result.current.outcome)}${side('Base', base, result.base.outcome)}`;
}

function diffBody(result: Comparison): SafeHtml {
  const diff = result.diff;
  if (!diff) return html``;
  const top = result.current.merged?.top;
  const outputUnit = top?.outputUnit ?? 'minimum';
  const unit = diff.unit;
  const rows = diff.changes.slice(0, 200).map((c) => {
    const delta = c.flat - c.baseFlat;
    const cls = delta > 0 ? 'grow' : delta < 0 ? 'shrink' : '';
    return html`<tr class="${cls}"><td>${formatValue(c.baseFlat, unit, outputUnit)}</td><td>${formatValue(c.flat, unit, outputUnit)}</td>
<td class="delta">${formatChange(delta, unit, outputUnit)}</td><td>${formatPercentChange(delta, diff.baseTotal)}</td>
<td>${formatChange(c.cum - c.baseCum, unit, outputUnit)}</td><td class="name">${c.name}</td></tr>`;
  });
  return html`<p>Total: ${formatValue(diff.baseTotal, unit, outputUnit)} → ${formatValue(diff.total, unit, outputUnit)} (${formatChange(diff.total - diff.baseTotal, unit, outputUnit)}).
Red grew, green shrank; a frame's width is both sides together.</p>
<div class="side"><div class="flame-box"><h2>Diff flame graph</h2>${flameMount(diff.flame)}</div>
<div class="top-box"><h2>Change per function</h2><table class="changes"><thead><tr><th>base flat</th><th>flat</th><th>Δ flat</th><th>Δ% of base</th><th>Δ cum</th><th class="name">function</th></tr></thead>
<tbody>${rows}</tbody></table></div></div>`;
}

/**
 * /view: one service's profiles of one type in a range: the timeline of what is stored (per pod),
 * the merged flame graph beside the top table, the download and its go tool pprof command, and
 * the ways on (compare, breakdown by label).
 */
import { type MergedView, flameOf, mergedView, sampleTypesOf } from '../data/merged-view.js';
import { NO_POD, timeline } from '../data/timeline.js';
import { formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { pageUrl, RANGE_PRESETS, resolveRange, sourceQuery, type ViewParams, viewParams, viewValues } from '../view-params.js';
import { notice, page } from './layout.js';
import type { PageContext, PageResult } from './page-context.js';
import { FLAME_SCRIPTS, flameMount, mergeSummary, rangePicker, topTable } from './parts.js';
import { timelineSvg } from './timeline-svg.js';
import { downloadBlock, viewCrumbs } from './view-parts.js';

export const BREAKDOWN_LABELS: readonly string[] = ['pod', 'node', 'container', 'workload', 'namespace'];

export async function viewPage(ctx: PageContext): Promise<PageResult> {
  const view = viewParams(ctx.url.searchParams);
  const now = ctx.backend.now();
  const query = sourceQuery(view, now);
  const title = `${view.service} · ${view.type}`;
  const head = html`${rangePicker('/view', viewValues(view), view)}${labelFilter(view)}`;
  const stored = await timeline(ctx.backend, query, ctx.signal);
  if (stored.profiles === 0) {
    return { status: 200, body: page(title, html`${head}${emptyState(view, '/view', now)}`, { crumbs: viewCrumbs(view) }) };
  }
  const merged = await mergedView(ctx.backend, query, view.sample, ctx.signal);
  const body = html`${head}<section class="timeline-box">${timelineSvg(stored, (pod) => (pod === NO_POD || view.labels.pod === pod ? undefined : pageUrl('/view', { ...viewValues(view), labels: { ...view.labels, pod } })))}</section>
${mergeSummary(merged.outcome)}${links(view, now)}${downloadBlock(ctx.origin, view, now)}${mergedBody(merged, view, title)}`;
  return { status: 200, body: page(title, body, { crumbs: viewCrumbs(view), scripts: FLAME_SCRIPTS }) };
}

/** The flame graph beside the top table, with the sample type picker. */
export function mergedBody(merged: MergedView, view: ViewParams, title: string): SafeHtml {
  if (!merged.merged) return notice('empty', 'No profile could be merged.');
  const { top, profile } = merged.merged;
  const flame = flameOf(merged, view.sample, title);
  return html`${samplePicker(view, sampleTypesOf(profile), top.sampleType.type)}
<div class="side"><div class="flame-box"><h2>Flame graph (${top.sampleType.type}, ${top.sampleType.unit})</h2>${flame ? flameMount(flame) : ''}</div>
<div class="top-box"><h2>Top functions (go tool pprof -top)</h2>${topTable(top)}</div></div>`;
}

function samplePicker(view: ViewParams, types: readonly string[], shown: string): SafeHtml {
  if (types.length < 2) return html``;
  const choices = types.map((t) =>
    t === shown ? html`<strong>${t}</strong>` : html`<a href="${pageUrl('/view', { ...viewValues(view), sample: t })}">${t}</a>`,
  );
  return html`<p class="samples">Sample type: ${choices.map((c) => html`${c} `)}</p>`;
}

function labelFilter(view: ViewParams): SafeHtml {
  const entries = Object.entries(view.labels);
  if (entries.length === 0) return html``;
  return html`<p class="label-filter">Only profiles with ${entries.map(([k, v]) => html`<code>${k}=${v}</code> `)}
<a href="${pageUrl('/view', { ...viewValues(view), labels: undefined })}">(all profiles)</a></p>`;
}

function links(view: ViewParams, now: Date): SafeHtml {
  const { from, to } = resolveRange(view, now);
  const span = to.getTime() - from.getTime();
  const previous = { base_from: new Date(from.getTime() - span).toISOString(), base_to: from.toISOString() };
  const compare = pageUrl('/compare', { ...viewValues(view), ...previous });
  const breakdowns = BREAKDOWN_LABELS.map((by) => html`<a href="${pageUrl('/breakdown', { ...viewValues(view), by })}">${by}</a> `);
  return html`<p class="actions"><a href="${compare}">Compare with the previous ${formatSpan(span)}</a> · Breakdown by ${breakdowns}</p>`;
}

/** An empty range says so, and offers wider ranges. */
export function emptyState(view: ViewParams, path: string, now: Date): SafeHtml {
  const { from, to } = resolveRange(view, now);
  const span = to.getTime() - from.getTime();
  const wider = RANGE_PRESETS.filter((preset) => resolveRange({ from: preset, to: 'now' }, now).from.getTime() < now.getTime() - span);
  const offers = wider.map((preset) => html`<a href="${pageUrl(path, { ...viewValues(view), from: preset, to: 'now' })}">last ${preset}</a> `);
  return notice(
    'empty',
    html`<strong>No ${view.type} profiles of ${view.service}${Object.keys(view.labels).length > 0 ? ' with these labels' : ''} from ${formatTime(from)} to ${formatTime(to)}.</strong>
<br>Try a wider range${offers.length > 0 ? html`: ${offers}` : ''}.`,
  );
}

function formatSpan(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size}${name}`;
  return `${Math.round(ms / 1000)}s`;
}

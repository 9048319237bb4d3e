/** /fleet: the heaviest functions across every service, for one profile type and range. */
import { fleet } from '../data/fleet.js';
import { formatPercent, formatValue, plural, tableUnit } from '../format.js';
import { html } from '../html.js';
import { pageUrl, rangeParams, resolveRange, storedType, text, viewValues } from '../view-params.js';
import { notice, page } from './layout.js';
import type { PageContext, PageResult } from './page-context.js';
import { rangePicker } from './parts.js';

const FLEET_TYPES = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate'];

export async function fleetPage(ctx: PageContext): Promise<PageResult> {
  const params = ctx.url.searchParams;
  const type = text(params, 'type', 'cpu').toLowerCase();
  const range = rangeParams(params);
  const sample = text(params, 'sample');
  const stored = storedType(type);
  const view = { service: '', type, ...range, labels: {}, sample };
  const result = await fleet(ctx.backend, { type: stored.type, labels: stored.labels, ...resolveRange(range, ctx.backend.now()) }, sample, ctx.signal);
  const typeLinks = FLEET_TYPES.map((t) =>
    t === type ? html`<strong>${t}</strong> ` : html`<a href="${pageUrl('/fleet', { ...viewValues(view), type: t })}">${t}</a> `,
  );
  const unit = result.sampleType?.unit ?? '';
  const outputUnit = tableUnit(result.functions[0]?.flat ?? result.total, unit);
  const fmt = (v: number): string => formatValue(v, unit, outputUnit);
  const services = result.services.map(
    (s) =>
      html`<li>${s.left ? html`${s.service}: ${s.left}` : html`<a href="${pageUrl('/view', { ...viewValues(view), service: s.service })}">${s.service}</a>: ${fmt(s.view?.merged?.top.total ?? 0)} (${plural(s.view?.outcome.used ?? 0, 'profile')})`}</li>`,
  );
  const rows = result.functions
    .slice(0, 100)
    .map(
      (f) =>
        html`<tr><td>${fmt(f.flat)}</td><td>${formatPercent(f.flat, result.total)}</td><td>${fmt(f.cum)}</td><td>${formatPercent(f.cum, result.total)}</td><td class="name">${f.name}</td><td class="name">${f.services.join(', ')}</td></tr>`,
    );
  const table =
    result.functions.length === 0
      ? notice('empty', html`<strong>No ${type} profiles of any service in this range.</strong> Try a wider range.`)
      : html`<p>Total over ${result.services.filter((s) => !s.left).length} services: ${fmt(result.total)} (${result.sampleType?.type ?? ''}).</p>
<table class="fleet"><thead><tr><th>flat</th><th>flat%</th><th>cum</th><th>cum%</th><th class="name">function</th><th class="name">services</th></tr></thead><tbody>${rows}</tbody></table>`;
  const body = html`<p>Type: ${typeLinks}</p>${rangePicker('/fleet', { type, sample }, range)}${table}<h2>Services</h2><ul class="fleet-services">${services}</ul>`;
  return { status: 200, body: page(`Fleet · ${type}`, body) };
}

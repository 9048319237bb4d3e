/** / lists the services; /service lists one service's profile types in a range. */
import { profileTypesOf } from '../data/profile-types-of.js';
import { formatTime, plural } from '../format.js';
import { html } from '../html.js';
import { labelsParam, pageUrl, rangeParams, resolveRange, text, ViewParamError } from '../view-params.js';
import { notice, page } from './layout.js';
import type { PageContext, PageResult } from './page-context.js';
import { rangePicker } from './parts.js';

export async function servicesPage(ctx: PageContext): Promise<PageResult> {
  const services = await ctx.backend.source.services(ctx.signal);
  const body =
    services.length === 0
      ? notice(
          'empty',
          html`<strong>No services in ${ctx.backend.source.name}.</strong> Profiles appear here once kprofefe (or <code>kubectl profefe capture --push</code>) has stored some.`,
        )
      : html`<p>${plural(services.length, 'service')} in ${ctx.backend.source.name}:</p>
<ul class="services">${services.map((s) => html`<li><a class="service" href="${pageUrl('/service', { service: s })}">${s}</a></li>`)}</ul>`;
  return { status: 200, body: page('Services', body) };
}

export async function servicePage(ctx: PageContext): Promise<PageResult> {
  const params = ctx.url.searchParams;
  const service = text(params, 'service');
  if (service === '') throw new ViewParamError('service is required: pick one on the services page');
  const range = rangeParams(params);
  const labels = labelsParam(params, 'labels');
  const types = await profileTypesOf(ctx.backend, { service, labels, ...resolveRange(range, ctx.backend.now()) }, ctx.signal);
  const list =
    types.length === 0
      ? notice('empty', html`<strong>No profiles of ${service} in this range.</strong> Try a wider range.`)
      : html`<table class="types"><thead><tr><th class="name">type</th><th>profiles</th><th>newest</th></tr></thead><tbody>${types.map(
          (t) =>
            html`<tr><td class="name"><a class="type" href="${pageUrl('/view', { service, type: t.type, from: range.from, to: range.to, labels })}">${t.type}</a></td><td>${t.profiles}</td><td>${formatTime(t.newest)}</td></tr>`,
        )}</tbody></table>`;
  const body = html`${rangePicker('/service', { service, labels }, range)}${list}`;
  return { status: 200, body: page(service, body, { crumbs: [{ label: 'Services', href: '/' }, { label: service }] }) };
}

/**
 * /api/...: the views' data as JSON, for scripts and tests: the same functions as the pages, the
 * numbers raw in the sample unit (top rows as go tool pprof -top computes them).
 */
import type { TopReport } from '../pprof/top.js';
import type { MergeOutcome } from './backend.js';
import { breakdown, totalOf } from './data/breakdown.js';
import { compare } from './data/compare.js';
import { fleet } from './data/fleet.js';
import { flameOf, type MergedView, mergedView } from './data/merged-view.js';
import { profileTypesOf } from './data/profile-types-of.js';
import { timeline } from './data/timeline.js';
import { compareParams } from './pages/compare-page.js';
import type { PageContext } from './pages/page-context.js';
import { labelsParam, rangeParams, resolveRange, sourceQuery, storedType, text, ViewParamError, viewParams } from './view-params.js';

type ApiHandler = (ctx: PageContext) => Promise<unknown>;

export const API_ROUTES: Readonly<Record<string, ApiHandler>> = {
  '/api/services': async (ctx) => ({ source: ctx.backend.source.name, services: await ctx.backend.source.services(ctx.signal) }),
  '/api/types': async (ctx) => {
    const service = text(ctx.url.searchParams, 'service');
    if (service === '') throw new ViewParamError('service is required');
    const range = resolveRange(rangeParams(ctx.url.searchParams), ctx.backend.now());
    return { types: await profileTypesOf(ctx.backend, { service, labels: labelsParam(ctx.url.searchParams, 'labels'), ...range }, ctx.signal) };
  },
  '/api/timeline': async (ctx) => {
    const result = await timeline(ctx.backend, sourceQuery(viewParams(ctx.url.searchParams), ctx.backend.now()), ctx.signal);
    return { from: result.from, to: result.to, profiles: result.profiles, pods: result.rows.map((r) => ({ pod: r.pod, profiles: r.profiles })) };
  },
  '/api/top': async (ctx) => {
    const view = viewParams(ctx.url.searchParams);
    return mergedJson(await mergedView(ctx.backend, sourceQuery(view, ctx.backend.now()), view.sample, ctx.signal));
  },
  '/api/flame': async (ctx) => {
    const view = viewParams(ctx.url.searchParams);
    const merged = await mergedView(ctx.backend, sourceQuery(view, ctx.backend.now()), view.sample, ctx.signal);
    return { ...outcomeJson(merged.outcome), flame: flameOf(merged, view.sample, `${view.service} ${view.type}`) ?? null };
  },
  '/api/compare': async (ctx) => {
    const { view, base } = compareParams(ctx.url.searchParams);
    const now = ctx.backend.now();
    const result = await compare(ctx.backend, sourceQuery(view, now), sourceQuery(base, now), view.sample, ctx.signal);
    return {
      current: outcomeJson(result.current.outcome),
      base: outcomeJson(result.base.outcome),
      diff: result.diff ? { unit: result.diff.unit, baseTotal: result.diff.baseTotal, total: result.diff.total, changes: result.diff.changes } : null,
    };
  },
  '/api/breakdown': async (ctx) => {
    const view = viewParams(ctx.url.searchParams);
    const by = text(ctx.url.searchParams, 'by', 'pod');
    const result = await breakdown(ctx.backend, sourceQuery(view, ctx.backend.now()), by, view.sample, ctx.signal);
    const rows = result.rows.map((row) => ({ value: row.value, total: totalOf(row), ...outcomeJson(row.view.outcome) }));
    return { label: by, labels: result.labels, total: result.total, without: result.without, rows };
  },
  '/api/fleet': async (ctx) => {
    const params = ctx.url.searchParams;
    const stored = storedType(text(params, 'type', 'cpu').toLowerCase());
    const range = resolveRange(rangeParams(params), ctx.backend.now());
    const result = await fleet(ctx.backend, { type: stored.type, labels: stored.labels, ...range }, text(params, 'sample'), ctx.signal);
    const services = result.services.map((s) => ({ service: s.service, left: s.left ?? null, total: s.view?.merged?.top.total ?? 0 }));
    return { sampleType: result.sampleType ?? null, total: result.total, services, functions: result.functions };
  },
};

function outcomeJson(outcome: MergeOutcome) {
  return { listed: outcome.listed, used: outcome.used, skipped: outcome.skipped };
}

function mergedJson(view: MergedView) {
  return { ...outcomeJson(view.outcome), top: view.merged ? topJson(view.merged.top) : null };
}

function topJson(top: TopReport) {
  return {
    sampleType: top.sampleType,
    total: top.total,
    reportLabels: top.reportLabels,
    rows: top.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum, flatText: r.flatText, cumText: r.cumText })),
  };
}

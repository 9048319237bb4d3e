/**
 * The flame graph page as a person sees it in Chromium (test/browser/chromium.ts), opened from
 * disk (file://) as `kubectl profefe flame` leaves it: the widest frames' labels and tooltip
 * values are pprof's cum values; search highlights and sums what `go tool pprof -focus` counts;
 * a click zooms and "Reset zoom" undoes it; a diff is red where pprof -diff_base says the profile
 * grew and green where it shrank; a function named like markup is text and runs nothing; and
 * nothing is fetched while the page is viewed. Screenshots in test-artifacts/screenshots/.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flamePageHtml } from '../../src/flame/flame-page.js';
import { flameSvg } from '../../src/flame/flame-svg.js';
import { diffFlameGraphData, type FlameGraphData, flameGraphData } from '../../src/flame/flame-tree.js';
import { type LaunchedBrowser, launchChromium, SCREENSHOT_DIR, saveScreenshot } from '../browser/chromium.js';
import { fixturePath, type PprofFixtureName } from '../doubles/fixtures.js';
import { expectPrintedAs } from '../pprof/go-pprof.js';
import { syntheticProfile } from '../pprof/synthetic-profile.js';
import { fixtureFlame, profileFlame } from './flame-input.js';
import { exactUnit, pprofCum } from './pprof-reference.js';
import { countNamed } from './tree-walk.js';

/** The page's own getComputedStyle, inside evaluate() callbacks (the project's TypeScript has no DOM lib). */
declare const getComputedStyle: (element: unknown) => { readonly fill: string };

let browser: LaunchedBrowser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'flame-browser-'));
});

afterAll(async () => {
  await browser?.close();
});

interface OpenedPage {
  readonly page: Page;
  /** Every request the page made besides loading its own file. */
  readonly requests: string[];
  readonly errors: string[];
  readonly dialogs: string[];
}

async function openFile(name: string, content: string): Promise<OpenedPage> {
  const path = join(dir, name);
  await writeFile(path, content);
  const url = pathToFileURL(path).href;
  const page = await browser.newPage();
  const opened: OpenedPage = { page, requests: [], errors: [], dialogs: [] };
  page.on('request', (request) => {
    if (request.url() !== url) opened.requests.push(request.url());
  });
  page.on('pageerror', (err) => opened.errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url);
  return opened;
}

async function openPage(name: string, data: FlameGraphData): Promise<OpenedPage> {
  const opened = await openFile(name, flamePageHtml(data));
  // Labels are written once the first layout's transition has run.
  await expect.poll(() => opened.page.locator('.d3-flame-graph-label').first().textContent()).toBe('root');
  return opened;
}

const frame = (page: Page, name: string) => page.locator(`g.frame[name=${JSON.stringify(name)}]`);

async function rectWidth(page: Page, name: string): Promise<number> {
  return Number(await frame(page, name).first().locator('rect').getAttribute('width'));
}

/** The frame's width once d3-flame-graph's first drawing has stopped animating (two reads 300 ms apart agree). */
async function settledWidth(page: Page, name: string): Promise<number> {
  let last = Number.NaN;
  for (let tries = 0; tries < 40; tries++) {
    const width = await rectWidth(page, name);
    if (width === last) return width;
    last = width;
    await page.waitForTimeout(300);
  }
  throw new Error(`the frame ${name} was still moving after 12 s`);
}

async function fillOf(page: Page, name: string): Promise<[number, number, number]> {
  const fill = await frame(page, name)
    .first()
    .locator('rect')
    .evaluate((rect) => getComputedStyle(rect).fill);
  const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(fill);
  if (m === null) throw new Error(`not an rgb() fill: ${fill}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The tooltip's lines after the mouse rests on the frame. */
async function tooltipOf(page: Page, name: string): Promise<string[]> {
  await frame(page, name).first().hover();
  const tip = page.locator('.kpf-tooltip');
  await expect.poll(() => tip.isVisible()).toBe(true);
  return tip.locator('div').allTextContents();
}

describe('flame graph page in Chromium', () => {
  const WIDEST: { fixture: PprofFixtureName; expected: string }[] = [
    { fixture: 'cpu', expected: 'main.hashLoop' },
    { fixture: 'heap-large', expected: 'main.main.func1' },
  ];
  for (const { fixture: name, expected } of WIDEST) {
    it(`${name}: the widest frames show their names, and their tooltips pprof -top -cum values and percentages`, { timeout: 120_000 }, async () => {
      const data = flameGraphData(fixtureFlame(name));
      const pprof = await pprofCum(fixturePath(name), exactUnit(data.sampleType.unit));
      const { page, requests, errors, dialogs } = await openPage(`${name}.html`, data);

      const widest = data.root.children.filter((c) => countNamed(data.root, c.name) === 1).slice(0, 2);
      expect(widest.map((c) => c.name)).toContain(expected);
      for (const child of widest) {
        await expect.poll(() => frame(page, child.name).locator('.d3-flame-graph-label').textContent()).toBe(child.name);
        const [label, value] = await tooltipOf(page, child.name);
        expect(label).toBe(child.name);
        const m = /^(\S+) \((\S+) of the total\)$/.exec(value ?? '');
        expect(m, value).not.toBeNull();
        expectPrintedAs(pprof.cum.get(child.name)!, m![1]!);
        expect(m![2]).toBe(pprof.cumPercent.get(child.name));
      }
      const summary = new RegExp(`^${data.sampleType.type}: (\\S+) total$`).exec((await page.locator('.kpf-summary').textContent()) ?? '');
      expect(summary).not.toBeNull();
      expectPrintedAs(pprof.total, summary![1]!);
      await saveScreenshot(page, `flame-${name}-tooltip`);
      expect({ requests, errors, dialogs }).toEqual({ requests: [], errors: [], dialogs: [] });
      await page.close();
    });
  }

  it('search highlights the matching frames and shows their count and the sum pprof -focus gives', async () => {
    const data = flameGraphData(fixtureFlame('cpu'));
    const focused = await pprofCum(fixturePath('cpu'), ['-focus=sha256', ...exactUnit(data.sampleType.unit)]);
    const { page, requests, errors } = await openPage('cpu-search.html', data);

    await page.locator('.kpf-search').fill('sha256');
    const matching = countAll(data.root, (name) => name.includes('sha256'));
    const matches = page.locator('.kpf-matches');
    await expect.poll(() => matches.textContent()).toMatch(/^\d+ matches, /);
    const m = /^(\d+) matches, (\S+) \((\S+)\)$/.exec((await matches.textContent()) ?? '');
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(matching);
    expectPrintedAs(focused.accountedFor, m![2]!);
    expect(m![3]).toBe(`${((100 * focused.accountedFor) / focused.total).toFixed(2)}%`);

    const highlighted = await page
      .locator('g.frame rect')
      .evaluateAll((rects) => rects.filter((r) => getComputedStyle(r).fill === 'rgb(230, 0, 230)').map((r) => r.parentElement?.getAttribute('name') ?? ''));
    expect(highlighted.length).toBeGreaterThan(0);
    for (const name of highlighted) expect(name).toContain('sha256');
    const [r, g] = await fillOf(page, 'main.hashLoop');
    expect([r, g]).not.toEqual([230, 0]);
    await saveScreenshot(page, 'flame-cpu-search');

    await page.locator('.kpf-search').fill('');
    await expect.poll(() => matches.textContent()).toBe('');
    await expect
      .poll(() => page.locator('g.frame rect').evaluateAll((rects) => rects.filter((r) => getComputedStyle(r).fill === 'rgb(230, 0, 230)').length))
      .toBe(0);
    expect({ requests, errors }).toEqual({ requests: [], errors: [] });
    await page.close();
  });

  it('a click zooms into a frame (full width, its siblings gone) and Reset zoom brings the whole graph back', async () => {
    const data = flameGraphData(fixtureFlame('cpu'));
    const { page, errors } = await openPage('cpu-zoom.html', data);
    const svgWidth = Number(await page.locator('svg.d3-flame-graph').getAttribute('width'));
    const zoomed = 'crypto/sha256.Sum256';
    const sibling = data.root.children.find((c) => c.name !== 'main.hashLoop')!.name;
    const before = await settledWidth(page, zoomed);
    expect(before).toBeLessThan(svgWidth * 0.99);
    expect(await rectWidth(page, sibling)).toBeGreaterThan(0);

    // d3-flame-graph animates a zoom: on a loaded machine the frames take longer than poll's 1 s default to settle.
    const settled = { timeout: 10_000 };
    await frame(page, zoomed).click();
    await expect.poll(() => rectWidth(page, zoomed), settled).toBeCloseTo(svgWidth, 0);
    await expect.poll(() => frame(page, sibling).count(), settled).toBe(0);
    await saveScreenshot(page, 'flame-cpu-zoomed');

    await page.locator('.kpf-reset').click();
    await expect.poll(() => rectWidth(page, zoomed), settled).toBeCloseTo(before, 0);
    await expect.poll(() => frame(page, sibling).count(), settled).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a diff is red where pprof -diff_base says the profile grew, green where it shrank; tooltips give the change', async () => {
    const data = diffFlameGraphData(fixtureFlame('cpu-large'), fixtureFlame('cpu'));
    const pprof = await pprofCum(fixturePath('cpu-large'), [`-diff_base=${fixturePath('cpu')}`, ...exactUnit(data.sampleType.unit)]);
    const { page, requests, errors } = await openPage('cpu-diff.html', data);

    const grew = data.root.children.find((c) => (c.delta ?? 0) > 0 && countNamed(data.root, c.name) === 1)!;
    const shrank = data.root.children.find((c) => (c.delta ?? 0) < 0 && countNamed(data.root, c.name) === 1)!;
    expect(pprof.cum.get(grew.name)).toBeGreaterThan(0);
    expect(pprof.cum.get(shrank.name)).toBeLessThan(0);

    const [gr, gg, gb] = await fillOf(page, grew.name);
    expect(gr).toBe(255);
    expect(gr - gg).toBeGreaterThan(60);
    expect(gg).toBe(gb);
    const [sr, sg, sb] = await fillOf(page, shrank.name);
    expect(sg - sr).toBeGreaterThan(60);
    expect(sr).toBe(sb);

    const lines = await tooltipOf(page, shrank.name);
    const m = /^(-\S+) \((-\S+) of the base total\)$/.exec(lines[1] ?? '');
    expect(m, lines.join(' | ')).not.toBeNull();
    expectPrintedAs(pprof.cum.get(shrank.name)!, m![1]!);
    expect(m![2]).toBe(`-${((100 * Math.abs(pprof.cum.get(shrank.name)!)) / pprof.total).toFixed(2)}%`);
    await expect.poll(() => page.locator('.kpf-legend').textContent()).toContain('grew');
    await saveScreenshot(page, 'flame-cpu-diff');
    expect({ requests, errors }).toEqual({ requests: [], errors: [] });
    await page.close();
  });

  it('a function named like markup is shown as text, in the graph, its tooltip and the title, and runs nothing', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const closing = '</script><script>alert(2)</script>';
    const profile = syntheticProfile({
      sampleTypes: [['samples', 'count']],
      samples: [
        { stack: [[evil], ['main.main']], values: [60] },
        { stack: [[closing], ['main.main']], values: [40] },
      ],
    });
    const data = flameGraphData(profileFlame(profile), { title: `profile ${evil}` });
    const { page, requests, errors, dialogs } = await openPage('xss.html', data);

    await expect.poll(() => frame(page, evil).locator('.d3-flame-graph-label').textContent()).toBe(evil);
    await expect.poll(() => frame(page, closing).locator('.d3-flame-graph-label').textContent()).toBe(closing);
    expect((await tooltipOf(page, evil))[0]).toBe(evil);
    expect(await page.locator('.kpf-title').textContent()).toBe(`profile ${evil}`);
    expect(await page.title()).toBe(`profile ${evil} - flame graph`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);
    await page.locator('.kpf-search').fill('onerror');
    await expect.poll(() => page.locator('.kpf-matches').textContent()).toBe('1 match, 60 (60.00%)');
    await saveScreenshot(page, 'flame-markup-names');
    expect({ requests, errors, dialogs }).toEqual({ requests: [], errors: [], dialogs: [] });
    await page.close();

    const svg = await openFile('xss.svg', flameSvg(data));
    const texts = await svg.page.locator('svg text').allTextContents();
    expect(texts).toContain(evil);
    expect(texts.some((t) => t.startsWith('</script>'))).toBe(true);
    expect(await svg.page.locator('img').count()).toBe(0);
    expect({ requests: svg.requests, errors: svg.errors, dialogs: svg.dialogs }).toEqual({ requests: [], errors: [], dialogs: [] });
    await svg.page.close();
  });

  it('the static SVG draws the widest frames with their names, pprof values in their titles, diff colours', async () => {
    const data = flameGraphData(fixtureFlame('cpu'));
    const pprof = await pprofCum(fixturePath('cpu'), exactUnit(data.sampleType.unit));
    const { page, errors } = await openFile('cpu.svg', flameSvg(data));
    const hashLoop = page.locator('g', { has: page.locator('text', { hasText: /^main\.hashLoop$/ }) });
    const title = await hashLoop.locator('title').textContent();
    const value = /^main\.hashLoop\n(\S+) /.exec(title ?? '');
    expect(value, title ?? '').not.toBeNull();
    expectPrintedAs(pprof.cum.get('main.hashLoop')!, value![1]!);
    const width = Number(await hashLoop.locator('rect').getAttribute('width'));
    const rootWidth = Number(
      await page
        .locator('g', { has: page.locator('text', { hasText: /^root$/ }) })
        .locator('rect')
        .getAttribute('width'),
    );
    expect(width / rootWidth).toBeCloseTo(pprof.cum.get('main.hashLoop')! / pprof.total, 3);
    await saveSvgScreenshot(page, 'flame-cpu-svg');
    await page.close();

    const diff = diffFlameGraphData(fixtureFlame('cpu-large'), fixtureFlame('cpu'));
    const diffPage = await openFile('cpu-diff.svg', flameSvg(diff));
    const fill = async (name: string) =>
      diffPage.page
        .locator('g', { has: diffPage.page.locator('text', { hasText: new RegExp(`^${name.replace(/[.*()]/g, '\\$&')}$`) }) })
        .first()
        .locator('rect')
        .evaluate((rect) => getComputedStyle(rect).fill);
    expect(await fill('main.hashLoop')).toMatch(/^rgb\((\d+), (\d+), \1\)$/);
    const [, r, g] = /^rgb\((\d+), (\d+)/.exec(await fill('main.hashLoop'))!;
    expect(Number(g)).toBeGreaterThan(Number(r));
    const [, r2, g2] = /^rgb\((\d+), (\d+)/.exec(await fill('main.main.func1'))!;
    expect(Number(r2)).toBeGreaterThan(Number(g2));
    await saveSvgScreenshot(diffPage.page, 'flame-cpu-diff-svg');
    expect([...errors, ...diffPage.errors, ...diffPage.requests]).toEqual([]);
    await diffPage.page.close();
  });
});

function countAll(node: FlameGraphData['root'], match: (name: string) => boolean): number {
  let count = match(node.name) ? 1 : 0;
  for (const child of node.children) count += countAll(child, match);
  return count;
}

/** An SVG document has no page to scroll: saveScreenshot's full-page capture never finishes on it, so the viewport is taken. */
async function saveSvgScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

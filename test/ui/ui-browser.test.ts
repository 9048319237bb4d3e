/**
 * The UI in a real browser (Debian's chromium through playwright-core), asserting what a person
 * sees: the services, the flame graph's widest frames with go tool pprof's cum values, the diff
 * colours, the label breakdown, a hostile function name shown as text, and each fault's page.
 * Screenshots go to test-artifacts/screenshots/ui-*.png.
 */
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchChromium, saveScreenshot } from '../browser/chromium.js';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { vanishingProxy } from '../doubles/vanishing-proxy.js';
import { seed, tempFile, withTime } from '../plugin/plugin-harness.js';
import { goPprofTop, parsePprofValue } from '../pprof/go-pprof.js';
import { collectorUi, directoryUi, type RunningUi, startUiProcess, withFunctionRenamed, writeProfiles, XSS_NAME } from './ui-harness.js';

const at = (minute: string): Date => new Date(`2026-11-20T10:${minute}:00Z`);
const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-20T09:00:00Z&to=2026-11-20T11:00:00Z';

let browser: LaunchedBrowser;
let c: TestCollector;
let ui: RunningUi | undefined;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  c = await startTestCollector();
}, 60_000);
afterEach(async () => {
  await page?.close();
  await ui?.close();
  ui = undefined;
  c.setDown(false);
  c.reset();
});
afterAll(async () => {
  await browser?.close();
  await c?.close();
});

async function openPage(base: string, path: string): Promise<Page> {
  page = await browser.newPage();
  dialogs.length = 0;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(new URL(path, base).href);
  return page;
}

interface Frame {
  /** Its position among the graph's frames in the document. */
  index: number;
  name: string;
  width: number;
  x: number;
  y: number;
  height: number;
  fill: string;
}

/** The flame graph's frames as drawn: name, box on screen, fill colour; widest first. */
async function frames(p: Page, mount = '.flame'): Promise<Frame[]> {
  await p.waitForSelector(`${mount}[data-drawn="true"] g.frame`);
  const drawn = await p.$$eval(`${mount} g.frame`, (gs) =>
    gs.map((g, index) => {
      const rect = g.querySelector('rect')!;
      const box = rect.getBoundingClientRect();
      return { index, name: g.getAttribute('name') ?? '', width: box.width, x: box.x, y: box.y, height: box.height, fill: rect.getAttribute('fill') ?? '' };
    }),
  );
  return drawn.sort((a, b) => b.width - a.width);
}

/** Hovers a frame (scrolled into view, as a person would) and returns the tooltip's text. */
async function tooltipOf(p: Page, frame: Frame): Promise<string> {
  await p.locator('.flame g.frame').nth(frame.index).locator('rect').hover();
  const tip = p.locator('.kpf-tooltip');
  await tip.waitFor({ state: 'visible' });
  return tip.innerText();
}

/** The colour the first element matching `selector` is drawn in. */
function textColor(p: Page, selector: string): Promise<string> {
  type Styled = { getComputedStyle(element: unknown): { color: string } };
  return p
    .locator(selector)
    .first()
    .evaluate((element) => (globalThis as unknown as Styled).getComputedStyle(element).color);
}

function rgb(fill: string): [number, number, number] {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(fill) ?? /#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(fill);
  if (!m) throw new Error(`not a colour: ${fill}`);
  const base = fill.startsWith('#') ? 16 : 10;
  return [Number.parseInt(m[1]!, base), Number.parseInt(m[2]!, base), Number.parseInt(m[3]!, base)];
}

describe('kubectl profefe ui in chromium', () => {
  it("services → types → a range: the timeline, and the flame graph whose widest frames carry go tool pprof's cum values (real CLI)", async () => {
    const recent = (minutesAgo: number): Date => new Date(Date.now() - minutesAgo * 60_000);
    const a = withTime(fixture('cpu'), recent(20));
    const b = withTime(fixture('cpu-large'), recent(10));
    await seed(c, a, { service: 'api', type: 'cpu', labels: { pod: 'api-1' } });
    await seed(c, b, { service: 'api', type: 'cpu', labels: { pod: 'api-2' } });
    await seed(c, withTime(fixture('heap'), recent(10)), { service: 'web', type: 'heap', labels: { pod: 'web-1' } });
    const proc = await startUiProcess(['--profefe-hostport', c.url]);
    try {
      const p = await openPage(proc.url, '/');
      expect(await p.locator('a.service').allInnerTexts()).toEqual(['api', 'web']);
      await saveScreenshot(p, 'ui-services');
      await p.click('a.service:text-is("api")');
      expect(await p.locator('table.types a.type').allInnerTexts()).toEqual(['cpu']);
      await saveScreenshot(p, 'ui-types');
      await p.click('a.type:text-is("cpu")');
      expect(new URL(p.url()).search).toBe('?service=api&type=cpu&from=1h&to=now');
      expect(
        await p.locator('g.timeline-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-pod'), r.querySelectorAll('circle').length])),
      ).toEqual([
        ['api-1', 1],
        ['api-2', 1],
      ]);
      await expect.poll(() => p.locator('.merge-summary').innerText()).toBe('Merged 2 of 2 profiles.');

      const reference = await goPprofTop(await tempFile('a.pb.gz', a), [await tempFile('b.pb.gz', b)]);
      const drawn = await frames(p);
      const counts = new Map<string, number>();
      for (const f of drawn) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
      // The widest frames below the root whose function is drawn once: their width is pprof's cum of that function.
      const widest = drawn.filter((f) => f.name !== 'root' && counts.get(f.name) === 1).slice(0, 3);
      expect(widest.length).toBe(3);
      for (const frame of widest) {
        const row = reference.rows.find((r) => r.name === frame.name);
        expect(row, frame.name).toBeDefined();
        const tip = await tooltipOf(p, frame);
        expect(tip.split('\n')[0]).toBe(frame.name);
        const shown = /(\d+(?:\.\d+)?(?:ns|us|ms|s|hrs|min))/.exec(tip)?.[1];
        expect(shown, tip).toBeDefined();
        const [ours, theirs] = [parsePprofValue(shown!), parsePprofValue(row!.cum)];
        expect(Math.abs(ours.value - theirs.value), `${frame.name}: tooltip ${shown}, pprof cum ${row!.cum}`).toBeLessThanOrEqual(
          ours.tolerance + theirs.tolerance,
        );
      }
      // The top table beside it is pprof's -top, row for row.
      const cells = await p
        .locator('table.top tbody tr')
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      expect(cells.map((r) => [r[5], r[0], r[3]])).toEqual(reference.rows.map((r) => [r.name + (r.inline ? ` (${r.inline})` : ''), r.flat, r.cum]));
      await p.mouse.move(0, 0);
      await saveScreenshot(p, 'ui-view');
    } finally {
      await proc.stop();
    }
  });

  it('compare: the diff flame graph is red where a function grew and green where it shrank, as the change table says', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu', labels: { pod: 'api-1' } });
    await seed(c, withTime(fixture('cpu-large'), at('20')), { service: 'api', type: 'cpu', labels: { pod: 'api-2' } });
    ui = await collectorUi(c.url, NOW);
    const p = await openPage(ui.url, `/compare?service=api&type=cpu&${RANGE}&labels=pod%3Dapi-2&base_labels=pod%3Dapi-1`);
    const drawn = await frames(p);
    const once = new Set(drawn.filter((f) => drawn.filter((g) => g.name === f.name).length === 1).map((f) => f.name));
    const rows = await p
      .locator('table.changes tbody tr')
      .evaluateAll((trs) => trs.map((tr) => ({ cls: tr.className, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '') })));
    const cumChange = (r: { cells: string[] }): number => (r.cells[4] === '0' ? 0 : parsePprofValue(r.cells[4]!.replace(/^\+/, '')).value);
    const grew = rows.filter((r) => once.has(r.cells[5]!) && cumChange(r) > 0).sort((x, y) => cumChange(y) - cumChange(x))[0];
    const shrank = rows.filter((r) => once.has(r.cells[5]!) && cumChange(r) < 0).sort((x, y) => cumChange(x) - cumChange(y))[0];
    expect(grew, 'a function that grew').toBeDefined();
    expect(shrank, 'a function that shrank').toBeDefined();
    const [gr, gg, gb] = rgb(drawn.find((f) => f.name === grew!.cells[5])!.fill);
    expect(gr, `${grew!.cells[5]} grew: ${gr},${gg},${gb}`).toBeGreaterThan(Math.max(gg, gb));
    const [sr, sg, sb] = rgb(drawn.find((f) => f.name === shrank!.cells[5])!.fill);
    expect(sg, `${shrank!.cells[5]} shrank: ${sr},${sg},${sb}`).toBeGreaterThan(Math.max(sr, sb));
    expect(await textColor(p, 'table.changes tr.grow td.delta')).toBe('rgb(179, 38, 30)');
    expect(await textColor(p, 'table.changes tr.shrink td.delta')).toBe('rgb(46, 125, 50)');
    await saveScreenshot(p, 'ui-compare');
  });

  it('a pod of the timeline is a link to its profiles alone; breakdown by pod: one row per pod, with its total as go tool pprof counts it and its share', async () => {
    const a = withTime(fixture('cpu'), at('10'));
    const b = withTime(fixture('cpu-large'), at('20'));
    await seed(c, a, { service: 'api', type: 'cpu', labels: { pod: 'api-1', node: 'n1' } });
    await seed(c, b, { service: 'api', type: 'cpu', labels: { pod: 'api-2', node: 'n2' } });
    ui = await collectorUi(c.url, NOW);
    const p = await openPage(ui.url, `/view?service=api&type=cpu&${RANGE}`);
    await p.click('a.pod-link:has-text("api-1")');
    expect(new URL(p.url()).searchParams.get('labels')).toBe('pod=api-1');
    expect(await p.locator('.merge-summary').innerText()).toBe('Merged 1 of 1 profile.');
    expect(await p.locator('.label-filter').innerText()).toBe('Only profiles with pod=api-1 (all profiles)');
    await p.click('.label-filter a');
    await p.click('p.actions a:text-is("pod")');
    const rows = await p
      .locator('table.breakdown tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(['api-2', 'api-1']);
    const totals = [await goPprofTop(await tempFile('b.pb.gz', b)), await goPprofTop(await tempFile('a.pb.gz', a))].map(
      (top) => / of (\S+) total$/.exec(top.header.find((l) => l.startsWith('Showing')) ?? '')?.[1] ?? '',
    );
    rows.forEach((row, i) => {
      const [ours, theirs] = [parsePprofValue(row[2]!), parsePprofValue(totals[i]!)];
      expect(Math.abs(ours.value - theirs.value)).toBeLessThanOrEqual(ours.tolerance + theirs.tolerance);
    });
    const shares = rows.map((r) => Number.parseFloat(r[3]!));
    expect(shares[0]! + shares[1]!).toBeCloseTo(100, 1);
    expect(await p.locator('p.label-picker').innerText()).toBe('Break down by: node pod');
    await saveScreenshot(p, 'ui-breakdown');
  });

  it('a function named <img src=x onerror=alert(1)> is shown as text, in the table and the flame graph, and runs nothing', async () => {
    const heaviest = (await goPprofTop(await tempFile('cpu.pb.gz', fixture('cpu')))).rows[0]!.name;
    await seed(c, withFunctionRenamed(withTime(fixture('cpu'), at('10')), heaviest, XSS_NAME), { service: 'api', type: 'cpu', labels: { pod: XSS_NAME } });
    ui = await collectorUi(c.url, NOW);
    const p = await openPage(ui.url, `/view?service=api&type=cpu&${RANGE}`);
    await frames(p);
    expect(await p.locator('table.top tbody tr').first().locator('td.name').innerText()).toBe(XSS_NAME);
    expect(await p.locator(`g.frame[name="${XSS_NAME}"] .d3-flame-graph-label`).first().innerText()).toBe(XSS_NAME);
    expect(await p.locator('g.timeline-row text').first().textContent()).toBe(`${XSS_NAME} (1)`);
    expect(await p.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await saveScreenshot(p, 'ui-xss');
  });

  it('a range with no profiles: the page says so and offers wider ranges that find them', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    ui = await collectorUi(c.url, NOW);
    const p = await openPage(ui.url, '/view?service=api&type=cpu&from=1h');
    expect(await p.locator('.notice.empty').innerText()).toBe(
      'No cpu profiles of api from 2026-11-20 11:00:00Z to 2026-11-20 12:00:00Z.\nTry a wider range: last 6h last 24h last 7d last 30d .',
    );
    await saveScreenshot(p, 'ui-empty-range');
    await p.click('.notice.empty a:text-is("last 6h")');
    await expect.poll(() => p.locator('.merge-summary').innerText()).toBe('Merged 1 of 1 profile.');
  });

  it('the collector down while the UI runs: the page shows the error, then comes back by itself when the collector is back', async () => {
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    ui = await collectorUi(c.url, NOW);
    c.setDown(true);
    const p = await openPage(ui.url, `/view?service=api&type=cpu&${RANGE}`);
    expect(await p.locator('h1').innerText()).toBe('The profile source is not answering');
    expect(await p.locator('.error-message').innerText()).toContain(`profefe at ${c.url}`);
    await saveScreenshot(p, 'ui-collector-down');
    c.setDown(false);
    await p.locator('.merge-summary').waitFor({ timeout: 20_000 });
    expect(await p.locator('.merge-summary').innerText()).toBe('Merged 1 of 1 profile.');
    await frames(p);
    await saveScreenshot(p, 'ui-collector-back');
  });

  it('profiles of different kinds, a vanished profile: refused naming both; reported with the rest merged', async () => {
    const cpu = await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const heap = await seed(c, withTime(fixture('heap'), at('11')), { service: 'api', type: 'cpu' });
    ui = await collectorUi(c.url, NOW);
    let p = await openPage(ui.url, `/view?service=api&type=cpu&${RANGE}`);
    const refusal = await p.locator('.error-message').innerText();
    expect(refusal).toContain(`profiles ${cpu.id} (stored as type cpu) and ${heap.id} (stored as type cpu) are not of the same kind`);
    await saveScreenshot(p, 'ui-mixed-kinds');
    await p.close();
    await ui.close();

    c.reset();
    await seed(c, withTime(fixture('cpu'), at('10')), { service: 'api', type: 'cpu' });
    const gone = await seed(c, withTime(fixture('cpu'), at('11')), { service: 'api', type: 'cpu' });
    await seed(c, withTime(fixture('cpu-large'), at('12')), { service: 'api', type: 'cpu' });
    const proxy = await vanishingProxy(c.url, gone.id);
    try {
      ui = await collectorUi(proxy.url, NOW);
      p = await openPage(ui.url, `/view?service=api&type=cpu&${RANGE}`);
      expect(await p.locator('.merge-summary').innerText()).toBe('Merged 2 of 3 profiles.');
      expect(await p.locator('ul.skipped li').allInnerTexts()).toEqual([`${gone.id}: 404 nothing found`]);
      await frames(p);
      await saveScreenshot(p, 'ui-vanished-profile');
    } finally {
      await ui?.close();
      ui = undefined;
      await proxy.close();
    }
  });

  it('a corrupt file in --profiles-dir: skipped with its path on the page, the rest drawn; the fleet view over the directory', async () => {
    const dir = await tempDir('ui-browser-profiles-');
    const [first] = await writeProfiles(dir, [
      { type: 'cpu', body: fixture('cpu'), pod: 'checkout-1', at: at('10') },
      { type: 'cpu', body: fixture('cpu-large'), pod: 'checkout-2', at: at('20') },
      { type: 'cpu', body: fixture('cpu'), pod: 'cart-1', service: 'cart', at: at('20') },
    ]);
    const corrupt = join(first!, '..', 'checkout-3-20261120T103000.000Z.pb.gz');
    await writeFile(corrupt, 'this is not a profile\n');
    ui = await directoryUi(dir, NOW);
    const p = await openPage(ui.url, `/view?service=checkout&type=cpu&${RANGE}`);
    expect(await p.locator('.merge-summary').innerText()).toBe('Merged 2 of 3 profiles.');
    expect(await p.locator('ul.skipped li code').allInnerTexts()).toEqual([relative(dir, corrupt)]);
    await frames(p);
    await saveScreenshot(p, 'ui-corrupt-file');
    await p.goto(new URL(`/fleet?type=cpu&${RANGE}`, ui.url).href);
    expect(await p.locator('ul.fleet-services li').allInnerTexts()).toEqual([
      expect.stringMatching(/^cart: /),
      expect.stringMatching(/^checkout: .*\(2 profiles\)$/),
    ]);
    expect(await p.locator('table.fleet tbody tr').count()).toBeGreaterThan(5);
    await saveScreenshot(p, 'ui-fleet');
  });
});

/**
 * Debian's chromium (/usr/bin/chromium, installed by scripts/check-prerequisites.mjs), driven by
 * playwright-core: nothing is downloaded. Flags as a closed machine needs them: no background
 * networking, no component updates, no sync, a fresh profile directory per launch (playwright makes and removes it).
 * Screenshots go to test-artifacts/screenshots/ (kept by CI as the tests' artifacts).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface LaunchedBrowser {
  readonly browser: Browser;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  return {
    browser,
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      // Nothing but loopback: a page that tries to reach the network fails the test that watches for it.
      await page.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]|file:|data:|blob:|about:)/, (route) => route.abort());
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}

/** Saves a screenshot under test-artifacts/screenshots/NAME.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

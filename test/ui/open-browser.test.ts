/** The browser opener: xdg-open from PATH, started detached with the URL; without one, what to do. */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBrowser } from '../../src/ui/open-browser.js';
import { tempDir } from '../cli/run-cli.js';

describe('openBrowser', () => {
  it('runs the xdg-open found on PATH with the URL as its one argument', async () => {
    const dir = await tempDir('ui-opener-');
    const record = join(dir, 'opened.txt');
    const opener = join(dir, 'xdg-open');
    // Only shell builtins: the opener runs with the PATH given to openBrowser.
    await writeFile(opener, `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > '${record}'\n`);
    await chmod(opener, 0o755);
    const url = 'http://127.0.0.1:8080/view?service=a&type=cpu';
    expect(openBrowser(url, { PATH: `/nonexistent:${dir}` })).toBe(`opening ${url} with ${opener}`);
    await expect.poll(() => readFile(record, 'utf8').catch(() => ''), { timeout: 10_000 }).toBe(`1\n${url}\n`);
  });

  it('without xdg-open on PATH: says to open the URL, starts nothing', async () => {
    const dir = await tempDir('ui-opener-');
    expect(openBrowser('http://127.0.0.1:8080/', { PATH: dir })).toBe('no xdg-open on PATH: open http://127.0.0.1:8080/ in your browser');
  });
});

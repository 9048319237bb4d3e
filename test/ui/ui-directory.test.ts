/** The UI over a --profiles-dir the real DirectorySink wrote: the same views, and a corrupt file skipped with its path named. */
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { fixture } from '../doubles/fixtures.js';
import { tempFile } from '../plugin/plugin-harness.js';
import { goPprofTop } from '../pprof/go-pprof.js';
import { directoryUi, type RunningUi, writeProfiles } from './ui-harness.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-20T09:00:00Z&to=2026-11-20T11:00:00Z';

let ui: RunningUi | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('kubectl profefe ui --profiles-dir', () => {
  it('serves what the directory sink wrote; a corrupt file is skipped with its path reported, the rest merged', async () => {
    const dir = await tempDir('ui-profiles-');
    const [first, , heap] = await writeProfiles(dir, [
      { type: 'cpu', body: fixture('cpu'), pod: 'checkout-1', at: new Date('2026-11-20T10:10:00Z') },
      { type: 'cpu', body: fixture('cpu-large'), pod: 'checkout-2', at: new Date('2026-11-20T10:20:00Z') },
      { type: 'heap', body: fixture('heap'), pod: 'checkout-1', at: new Date('2026-11-20T10:20:00Z') },
    ]);
    expect(heap).toBeDefined();
    const corrupt = join(first!, '..', 'checkout-3-20261120T103000.000Z.pb.gz');
    await writeFile(corrupt, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]));
    const corruptId = relative(dir, corrupt);
    ui = await directoryUi(dir, NOW);

    expect((await ui.json('/api/services')).body).toEqual({ source: `directory ${dir}`, services: ['checkout'] });
    const types = await ui.json<{ types: Array<{ type: string; profiles: number }> }>(`/api/types?service=checkout&${RANGE}`);
    expect(types.body.types.map((t) => [t.type, t.profiles])).toEqual([
      ['cpu', 3],
      ['heap', 1],
    ]);
    const page = await ui.get(`/view?service=checkout&type=cpu&${RANGE}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Merged 2 of 3 profiles.');
    expect(page.text).toContain(`<li><code>${corruptId}</code>: `);
    expect(page.text).toContain('data-pod="checkout-3"');

    const top = await ui.json<{ skipped: Array<{ id: string }>; top: { rows: Array<{ name: string; flatText: string; cumText: string }> } }>(
      `/api/top?service=checkout&type=cpu&${RANGE}`,
    );
    expect(top.body.skipped.map((s) => s.id)).toEqual([corruptId]);
    const reference = await goPprofTop(await tempFile('a.pb.gz', fixture('cpu')), [await tempFile('b.pb.gz', fixture('cpu-large'))]);
    expect(top.body.top.rows.map((r) => [r.name, r.flatText, r.cumText])).toEqual(reference.rows.map((r) => [r.name, r.flat, r.cum]));
  });

  it('a directory whose only profile is corrupt: the page names the file instead of a graph', async () => {
    const dir = await tempDir('ui-profiles-');
    const [path] = await writeProfiles(dir, [{ type: 'heap', body: fixture('heap'), pod: 'checkout-1', at: new Date('2026-11-20T10:10:00Z') }]);
    await writeFile(path!, 'not a profile\n');
    ui = await directoryUi(dir, NOW);
    const page = await ui.get(`/view?service=checkout&type=heap&${RANGE}`);
    expect(page.status).toBe(422);
    expect(page.text).toContain(`none of the 1 profile listed in directory ${dir} could be merged: ${relative(dir, path!)}: `);
  });
});

/**
 * The fake pod's answers to `?seconds` checked against a real Go program (test/e2e/go-pprof-app,
 * Debian's Go): the same request to both gets the same status, content type and text, for every
 * refusal net/http/pprof makes (WriteTimeout, a custom profile, bad values, debug), and the same
 * kind of answer when Go serves the delta, and when it ignores seconds as Go before 1.16 did.
 */
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePod, type FakePod } from './fake-pod.js';
import { fixture } from './fixtures.js';
import { goBuild, startListening, type RunningProgram } from './go-tools.js';

const APP = fileURLToPath(new URL('../e2e/go-pprof-app/main.go', import.meta.url));

interface Answer {
  status: number;
  contentType: string | undefined;
  disposition: string | undefined;
  /** The body when it is text; `<pprof>` for a profile. */
  text: string;
}

async function answer(base: string, path: string): Promise<Answer> {
  const response = await request(`${base}${path}`);
  const body = Buffer.from(await response.body.arrayBuffer());
  const contentType = response.headers['content-type'] as string | undefined;
  return {
    status: response.statusCode,
    contentType,
    disposition: response.headers['content-disposition'] as string | undefined,
    text: contentType === 'application/octet-stream' ? '<pprof>' : body.toString('utf8'),
  };
}

const programs: RunningProgram[] = [];
const fakes: FakePod[] = [];
let binary: string;

beforeAll(async () => {
  binary = await goBuild(APP);
}, 120_000);

afterAll(async () => {
  await Promise.all([...programs.map((p) => p.stop()), ...fakes.map((f) => f.close())]);
});

async function both(goArgs: string[], fakeOptions: Parameters<typeof startFakePod>[0]): Promise<{ go: string; fake: string }> {
  const program = await startListening(binary, ['-listen', '127.0.0.1:0', ...goArgs]);
  programs.push(program);
  const fake = await startFakePod(fakeOptions);
  fakes.push(fake);
  return { go: `http://${program.address}/debug/pprof/`, fake: `http://${fake.host}/debug/pprof/` };
}

describe('the fake pod answers ?seconds as a real Go program does', () => {
  it.each([
    ['allocs?seconds=2', 'beyond the WriteTimeout'],
    ['block?seconds=3', 'beyond the WriteTimeout'],
    ['profile?seconds=2', 'a CPU profile beyond the WriteTimeout'],
    ['mutex?seconds=abc', 'not an integer'],
    ['heap?seconds=0', 'not positive'],
    ['things?seconds=1', 'a custom profile: no delta'],
    ['goroutine?seconds=1&debug=1', 'with debug'],
    ['things', 'a custom profile without seconds'],
  ])('%s (%s)', async (path) => {
    const { go, fake } = await both(['-write-timeout', '2s', '-custom', 'things'], {
      writeTimeoutSeconds: 2,
      customProfiles: { things: fixture('goroutine') },
    });
    const [fromGo, fromFake] = await Promise.all([answer(go, path), answer(fake, path)]);
    expect(fromFake).toEqual(fromGo);
  });

  it('serves the delta over a window below the WriteTimeout, as "<name>-delta"', async () => {
    const { go, fake } = await both(['-write-timeout', '5s'], { writeTimeoutSeconds: 5 });
    const [fromGo, fromFake] = await Promise.all([answer(go, 'mutex?seconds=1'), answer(fake, 'mutex?seconds=1')]);
    expect(fromGo).toMatchObject({ status: 200, disposition: 'attachment; filename="mutex-delta"', text: '<pprof>' });
    expect(fromFake).toEqual(fromGo);
  });

  it('before Go 1.16, ignores seconds and serves the named profile as is', async () => {
    const { go, fake } = await both(['-before-go116'], { beforeGo116: true });
    const [fromGo, fromFake] = await Promise.all([answer(go, 'allocs?seconds=30'), answer(fake, 'allocs?seconds=30')]);
    expect(fromGo).toMatchObject({ status: 200, disposition: 'attachment; filename="allocs"', text: '<pprof>' });
    expect(fromFake).toEqual(fromGo);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { discoverTargets, type PodSourceItem } from '../../src/discover/discover-targets.js';
import { silentLogger } from '../../src/log.js';
import { scrapeRun } from '../../src/run/scrape-run.js';
import { fetchProfile } from '../../src/scrape/fetch-profile.js';
import type { ScrapedProfile } from '../../src/scrape/scraped-profile.js';
import type { Sink } from '../../src/sink/sink.js';
import { startFakePod, type FakePod } from '../doubles/fake-pod.js';
import { fixture } from '../doubles/fixtures.js';
import { enabled, makePod } from '../doubles/make-pod.js';

const pods: FakePod[] = [];
afterEach(async () => {
  await Promise.all(pods.splice(0).map((p) => p.close()));
});

/** A sink whose stores wait until the test opens the gate; counts what it received. */
class GatedSink implements Sink {
  readonly description = 'gated test sink';
  stored = 0;
  waiting = 0;
  private open = false;
  private readonly queue: Array<() => void> = [];
  async store(profile: ScrapedProfile): Promise<string> {
    if (!this.open) {
      this.waiting += 1;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    this.stored += 1;
    return `memory:${profile.target.pod.name}`;
  }
  release(): void {
    this.open = true;
    for (const resolve of this.queue.splice(0)) resolve();
  }
  async close(): Promise<void> {}
}

async function* source(items: PodSourceItem[], after: { first?: () => Promise<void> } = {}): AsyncGenerator<PodSourceItem> {
  const [first, ...rest] = items;
  if (first) yield first;
  await after.first?.();
  yield* rest;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('scrapeRun byte budget', () => {
  it('holds new downloads back while profile bytes in flight exceed --max-inflight-bytes, then finishes them all', async () => {
    const large = fixture('heap-large');
    for (let i = 0; i < 4; i += 1) pods.push(await startFakePod({ host: `127.0.0.${41 + i}`, profiles: { heap: large } }));
    const items = pods.map((p, i) => ({ kind: 'pod' as const, pod: makePod({ name: `big-${i}`, ip: p.ip, annotations: enabled({ 'profefe.com/port': String(p.port) }) }) }));
    const sink = new GatedSink();
    const downloads = () => pods.reduce((n, p) => n + p.requests.length, 0);

    // The first pod is listed alone; the others once its 3.8 MB profile sits in the sink.
    const firstHeld = () => until(() => sink.waiting === 1);
    const run = scrapeRun(discoverTargets(source(items, { first: firstHeld }), { profileTypes: ['heap'], cpuSeconds: 1, requireEnable: true }), {
      concurrency: 8,
      cpuConcurrency: 8,
      maxInflightBytes: 1024 * 1024, // less than one profile: one download at a time may be held
      sink,
      log: silentLogger(),
      fetch: (target, signal, onBytes) => fetchProfile(target, { timeoutMs: 10_000, maxBytes: 64 * 1024 * 1024, signal, onBytes }),
    });

    await until(() => sink.waiting === 1);
    await new Promise((r) => setTimeout(r, 300));
    // The first 3.8 MB profile is held by the sink; the next heaps each reserve 3.8 MB: none may start.
    expect(downloads()).toBe(1);
    sink.release();
    const summary = await run;
    expect(summary.profilesStored).toBe(4);
    expect(downloads()).toBe(4);
  });

  it('a download still streaming already raises what the next ones of its type reserve', async () => {
    const items = ['a', 'b'].map((name, i) => ({ kind: 'pod' as const, pod: makePod({ name, ip: `10.0.0.${i + 1}`, annotations: enabled() }) }));
    const started: string[] = [];
    let finishFirst: (() => void) | undefined;
    const sink = new GatedSink();
    sink.release();
    const run = scrapeRun(discoverTargets(source(items, { first: () => until(() => finishFirst !== undefined) }), { profileTypes: ['heap'], cpuSeconds: 1, requireEnable: true }), {
      concurrency: 8,
      cpuConcurrency: 8,
      maxInflightBytes: 3 * 1024 * 1024,
      sink,
      log: silentLogger(),
      fetch: async (target, _signal, onBytes) => {
        started.push(target.pod.name);
        if (target.pod.name === 'a') {
          // 2 MiB arrive, then the body stalls until the test lets it finish.
          onBytes(2 * 1024 * 1024);
          await new Promise<void>((resolve) => {
            finishFirst = resolve;
          });
        }
        return { target, body: Buffer.alloc(target.pod.name === 'a' ? 2 * 1024 * 1024 : 100), scrapedAt: new Date() };
      },
    });
    // b is listed while a's 2 MiB are in flight: b reserves 2 MiB too, which does not fit in 3 MiB.
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toEqual(['a']);
    finishFirst!();
    expect((await run).profilesStored).toBe(2);
    expect(started).toEqual(['a', 'b']);
  });

  it('without the budget pressure, downloads run up to --concurrency at once', async () => {
    for (let i = 0; i < 4; i += 1) pods.push(await startFakePod({ host: `127.0.0.${51 + i}` }));
    const items = pods.map((p, i) => ({ kind: 'pod' as const, pod: makePod({ name: `small-${i}`, ip: p.ip, annotations: enabled({ 'profefe.com/port': String(p.port) }) }) }));
    const sink = new GatedSink();
    const run = scrapeRun(discoverTargets(source(items), { profileTypes: ['heap'], cpuSeconds: 1, requireEnable: true }), {
      concurrency: 8,
      cpuConcurrency: 8,
      maxInflightBytes: 1024 * 1024,
      sink,
      log: silentLogger(),
      fetch: (target, signal, onBytes) => fetchProfile(target, { timeoutMs: 10_000, maxBytes: 64 * 1024 * 1024, signal, onBytes }),
    });
    // Four small heaps (1.2 KB each) fit in the budget together: all four are held by the sink at once.
    await until(() => sink.waiting === 4);
    sink.release();
    expect((await run).profilesStored).toBe(4);
  });
});

describe('scrapeRun gives stored profile bytes back', () => {
  async function runWith(store: (profile: ScrapedProfile) => Promise<string>): Promise<{ body: Buffer; stored: number; failed: number }> {
    const body = Buffer.concat([Buffer.alloc(100 * 1024, 1), Buffer.alloc(10, 2)]);
    const sink: Sink = { description: 'test sink', store, close: async () => {} };
    const items = [{ kind: 'pod' as const, pod: makePod({ name: 'one', ip: '10.0.0.1', annotations: enabled() }) }];
    const summary = await scrapeRun(discoverTargets(source(items), { profileTypes: ['heap'], cpuSeconds: 1, requireEnable: true }), {
      concurrency: 2,
      cpuConcurrency: 2,
      maxInflightBytes: 1024 * 1024,
      sink,
      log: silentLogger(),
      fetch: async (target) => ({ target, body, scrapedAt: new Date() }),
    });
    return { body, stored: summary.profilesStored, failed: summary.profilesFailed };
  }

  it('detaches a large body once the sink has stored it', async () => {
    let lengthSeenBySink = -1;
    const result = await runWith(async (profile) => {
      lengthSeenBySink = profile.body.length;
      return 'memory:one';
    });
    expect(lengthSeenBySink).toBe(100 * 1024 + 10);
    expect(result.stored).toBe(1);
    expect(result.body.length).toBe(0);
  });

  it('leaves the body alone when the store failed (the sink may still be reading it)', async () => {
    const result = await runWith(async () => {
      throw new Error('collector said no');
    });
    expect(result.failed).toBe(1);
    expect(result.body.length).toBe(100 * 1024 + 10);
  });
});

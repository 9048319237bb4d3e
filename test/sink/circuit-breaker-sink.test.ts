import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import { ProfileError } from '../../src/profile-error.js';
import { CircuitBreakerSink } from '../../src/sink/circuit-breaker-sink.js';
import { ProfefeSink } from '../../src/sink/profefe-sink.js';
import { fixture } from '../doubles/fixtures.js';
import { scrapedProfile } from '../doubles/make-target.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';

let collector: TestCollector;
let clock = 0;
beforeEach(async () => {
  collector = await startTestCollector();
  clock = 1_000_000;
});
afterEach(async () => {
  await collector.close();
});

function breaker() {
  const profefe = new ProfefeSink({ client: new ProfefeClient({ baseUrl: collector.url }), retry: { attempts: 2, baseDelayMs: 1 } });
  return new CircuitBreakerSink(profefe, { threshold: 3, cooldownMs: 30_000, now: () => clock });
}

async function outcome(promise: Promise<string>): Promise<string> {
  return promise.then(
    () => 'stored',
    (err: unknown) => (err instanceof ProfileError ? `${err.code}: ${err.message}` : String(err)),
  );
}

describe('CircuitBreakerSink', () => {
  it('stops sending after consecutive unavailable failures, probes after the cooldown, and closes on success', async () => {
    const sink = breaker();
    const heap = () => scrapedProfile('heap', fixture('heap'));
    collector.setDown(true);

    const results: string[] = [];
    for (let i = 0; i < 10; i += 1) results.push(await outcome(sink.store(heap())));
    expect(results.every((r) => r.startsWith('SINK_UNAVAILABLE'))).toBe(true);
    // 3 uploads × 2 attempts reached the collector; the other 7 failed without a connection.
    expect(collector.refusedConnections).toBe(6);
    expect(results[3]).toContain('failed 3 uploads in a row');

    // Back up, but still cooling down: nothing is sent.
    collector.setDown(false);
    expect(await outcome(sink.store(heap()))).toMatch(/^SINK_UNAVAILABLE: not sent/);
    expect(collector.profiles()).toHaveLength(0);

    // After the cooldown one probe goes through; success closes the breaker.
    clock += 30_001;
    expect(await outcome(sink.store(heap()))).toBe('stored');
    expect(await outcome(sink.store(heap()))).toBe('stored');
    expect(collector.profiles()).toHaveLength(2);
  });

  it('a rejection (4xx) is not unavailability: it never opens the breaker', async () => {
    const sink = breaker();
    collector.failNext(5, 400, 'bad request: unknown profile type');
    for (let i = 0; i < 5; i += 1) expect(await outcome(sink.store(scrapedProfile('heap', fixture('heap'))))).toMatch(/^SINK_REJECTED/);
    expect(await outcome(sink.store(scrapedProfile('heap', fixture('heap'))))).toBe('stored');
  });
});

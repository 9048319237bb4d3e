/**
 * The fan-out's own rules (src/sink/fan-out.ts, src/sink/create-sinks.ts): one result per sink in
 * order, a sink's failure its own, two sinks of one name refused; every sink closed whatever the
 * others do; a run's sinks set up at once, and those set up closed when another cannot be.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { ProfileError } from '../../src/profile-error.js';
import { SinkSetupError } from '../../src/sink/create-sink.js';
import { createEach, createSinks } from '../../src/sink/create-sinks.js';
import { closeSinks, SinkFanOut } from '../../src/sink/fan-out.js';
import { INTERACTIVE_POLICY } from '../../src/sink/sink-config.js';
import type { Sink } from '../../src/sink/sink.js';
import { fixture } from '../doubles/fixtures.js';
import { scrapedProfile } from '../doubles/make-target.js';
import { startTestCollector } from '../doubles/test-collector.js';

class NamedSink implements Sink {
  closed = false;
  constructor(
    readonly description: string,
    private readonly outcome: () => Promise<string>,
    private readonly closing: () => Promise<void> = async () => undefined,
  ) {}
  store(): Promise<string> {
    return this.outcome();
  }
  async close(): Promise<void> {
    this.closed = true;
    await this.closing();
  }
}

const stored = (name: string) => new NamedSink(name, async () => `${name}:here`);

describe('SinkFanOut', () => {
  it('stores in every sink; one result per sink, in order, a failure its own', async () => {
    const refusal = new ProfileError('SINK_REJECTED', 'no');
    const fanOut = new SinkFanOut([stored('a'), new NamedSink('b', () => Promise.reject(refusal)), stored('c')], 4);
    expect(fanOut.names).toEqual(['a', 'b', 'c']);
    const results = await fanOut.store(scrapedProfile('heap', fixture('heap')), new AbortController().signal);
    expect(results).toEqual([
      { sink: 'a', stored: true, location: 'a:here' },
      { sink: 'b', stored: false, error: refusal },
      { sink: 'c', stored: true, location: 'c:here' },
    ]);
  });

  it('refuses no sink, and two sinks of one name (their counts could not be told apart)', () => {
    expect(() => new SinkFanOut([], 1)).toThrow('a run needs at least one sink');
    expect(() => new SinkFanOut([stored('directory /p'), stored('directory /p')], 1)).toThrow('the sink "directory /p" is given twice');
  });
});

describe('closeSinks', () => {
  it('closes every sink even when one fails to close, then rejects with that failure', async () => {
    const sinks = [
      stored('a'),
      new NamedSink(
        'b',
        async () => '',
        () => Promise.reject(new Error('b would not close')),
      ),
      stored('c'),
    ];
    await expect(closeSinks(sinks)).rejects.toThrow('b would not close');
    expect(sinks.map((sink) => sink.closed)).toEqual([true, true, true]);
  });
});

describe('createSinks / createEach', () => {
  it('sets up a directory and a collector that answers; both store', async () => {
    const collector = await startTestCollector();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'fan-out-'));
      const context = { timeoutMs: 2_000, log: silentLogger(), signal: new AbortController().signal };
      const sinks = await createSinks(
        [
          { kind: 'profefe', url: collector.url, headers: {} },
          { kind: 'directory', dir },
        ],
        INTERACTIVE_POLICY,
        context,
      );
      expect(sinks.map((sink) => sink.description)).toEqual([`profefe ${collector.url}`, `directory ${dir}`]);
      const results = await new SinkFanOut(sinks, 2).store(scrapedProfile('heap', fixture('heap')), context.signal);
      expect(results.every((result) => result.stored)).toBe(true);
      expect(collector.profiles()).toHaveLength(1);
      const file = results[1]?.stored ? results[1].location : '';
      expect(await readFile(file)).toEqual(fixture('heap'));
    } finally {
      await collector.close();
    }
  });

  it('a collector that does not answer, under the interactive policy: SinkSetupError naming it, nothing left open', async () => {
    const collector = await startTestCollector();
    const url = collector.url;
    await collector.close();
    const dir = await mkdtemp(join(tmpdir(), 'fan-out-'));
    const context = { timeoutMs: 2_000, log: silentLogger(), signal: new AbortController().signal };
    const failure = createSinks(
      [
        { kind: 'directory', dir },
        { kind: 'profefe', url, headers: {} },
      ],
      INTERACTIVE_POLICY,
      context,
    );
    await expect(failure).rejects.toBeInstanceOf(SinkSetupError);
    await expect(failure).rejects.toThrow(`the profefe collector at ${url} is unreachable`);

    const made: NamedSink[] = [];
    const setUp = createEach(['a', 'b', 'c'], async (name) => {
      if (name === 'b') throw new SinkSetupError('b cannot be set up');
      const sink = stored(name);
      made.push(sink);
      return sink;
    });
    await expect(setUp).rejects.toThrow('b cannot be set up');
    expect(made.map((sink) => [sink.description, sink.closed])).toEqual([
      ['a', true],
      ['c', true],
    ]);
  });
});

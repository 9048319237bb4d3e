/**
 * What validating one profile costs kprofefe, per fixture: CPU time of the process and time its
 * main thread is busy (event-loop utilisation), for validateProfile and its two parts (inflate,
 * wire scan). Run: `node --import tsx bench/validate-cost.ts`. Supports the W1 analysis in
 * BENCHMARKS.md; no targets.
 */
import { performance } from 'node:perf_hooks';
import { createGunzip, gunzipSync } from 'node:zlib';
import { ProfileWireScanner } from '../src/pprof/pprof-wire.js';
import { validateProfile } from '../src/scrape/validate-profile.js';
import { fixture, type PprofFixtureName } from '../test/doubles/fixtures.js';

interface Cost {
  wallMs: number;
  mainThreadMs: number;
  cpuMs: number;
}

async function measure(times: number, fn: () => Promise<unknown>): Promise<Cost> {
  for (let i = 0; i < 2; i++) await fn();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < times; i++) await fn();
  const wall = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu).active;
  const used = process.cpuUsage(cpu);
  return { wallMs: wall / times, mainThreadMs: busy / times, cpuMs: (used.user + used.system) / 1000 / times };
}

async function inflateOnly(body: Buffer, chunkSize: number): Promise<number> {
  const gunzip = createGunzip({ chunkSize });
  gunzip.end(body);
  let bytes = 0;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

const format = (c: Cost) => `${c.cpuMs.toFixed(1)} ms CPU, main thread ${c.mainThreadMs.toFixed(1)} ms, wall ${c.wallMs.toFixed(1)} ms`;

const names: PprofFixtureName[] = ['heap-large', 'heap', 'cpu', 'goroutine', 'block', 'mutex', 'threadcreate'];
for (const name of names) {
  const body = fixture(name);
  const raw = gunzipSync(body);
  const times = body.length > 1_000_000 ? 10 : 300;
  process.stdout.write(`${name}: ${body.length} bytes gzipped, ${raw.length} inflated\n`);
  process.stdout.write(`  validateProfile        ${format(await measure(times, () => validateProfile(body)))}\n`);
  if (body.length > 1_000_000) {
    for (const chunkSize of [16 * 1024, 64 * 1024, 256 * 1024]) {
      process.stdout.write(
        `  inflate, ${String(chunkSize / 1024).padStart(3)} KiB chunks ${format(await measure(times, () => inflateOnly(body, chunkSize)))}\n`,
      );
    }
    const scan = async () => {
      const scanner = new ProfileWireScanner();
      scanner.push(raw);
      return scanner.end();
    };
    process.stdout.write(`  wire scan only         ${format(await measure(times, scan))}\n`);
  }
}

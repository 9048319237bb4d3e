// Preloaded into the kprofefe process by `npm run bench -- --probe` (node --import): samples
// memory by kind and records main-thread busy time and GC pauses, then writes them as JSON to
// $W1_PROBE_FILE when the process exits. Plain JavaScript so it loads without a TypeScript loader.
import { writeFileSync } from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.W1_PROBE_FILE;
if (file) {
  const mib = (n) => Math.round((n / 1048576) * 10) / 10;
  const startedAt = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const gc = { count: 0, ms: 0, byKind: {} };
  const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.ms += entry.duration;
      const kind = kinds[entry.detail?.kind] ?? String(entry.detail?.kind);
      gc.byKind[kind] = (gc.byKind[kind] ?? 0) + entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let peak = { rss: 0 };
  const samples = [];
  const sample = () => {
    const m = process.memoryUsage();
    const t = Math.round(performance.now() - startedAt);
    if (m.rss > peak.rss) peak = { t, ...m };
    if (samples.length === 0 || t - samples[samples.length - 1].t >= 500) {
      samples.push({
        t,
        rss: mib(m.rss),
        heapUsed: mib(m.heapUsed),
        heapTotal: mib(m.heapTotal),
        external: mib(m.external),
        arrayBuffers: mib(m.arrayBuffers),
      });
    }
  };
  setInterval(sample, 50).unref();
  process.on('exit', () => {
    sample();
    const elu = performance.eventLoopUtilization(elu0);
    const ms = (n) => Math.round(n);
    writeFileSync(
      file,
      JSON.stringify({
        wallMs: ms(performance.now() - startedAt),
        mainThreadBusyMs: ms(elu.active),
        mainThreadIdleMs: ms(elu.idle),
        gc: { count: gc.count, ms: ms(gc.ms), byKind: Object.fromEntries(Object.entries(gc.byKind).map(([k, v]) => [k, ms(v)])) },
        peakRssSample: {
          t: peak.t,
          rss: mib(peak.rss),
          heapUsed: mib(peak.heapUsed ?? 0),
          heapTotal: mib(peak.heapTotal ?? 0),
          external: mib(peak.external ?? 0),
          arrayBuffers: mib(peak.arrayBuffers ?? 0),
        },
        samples,
      }),
    );
  });
}

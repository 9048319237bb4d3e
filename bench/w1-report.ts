/**
 * W1 results: one record per pod count, the markdown table and the target verdicts.
 */
import type { KprofefeRun } from './run-kprofefe.js';
import type { Milestones } from './w1-timeline.js';

export interface W1Result {
  pods: number;
  largeHeapPods: number;
  profilesExpected: number;
  run: KprofefeRun;
  /** Profiles per second: stored / wall time of the kprofefe process. */
  profilesPerSecond: number;
  collector: { uploads: number; stored: number; rejected: number; bytes: number };
  /** Requests the fake pods answered, by profile endpoint. */
  podRequests: Record<string, number>;
  /** Pod requests whose connection closed before the answer was complete. */
  podRequestsClosedEarly: number;
  /** When requests reached the pods, ms since spawn: first/last CPU (`/profile`) and non-CPU. */
  podRequestArrivalMs: { cpuFirst?: number; cpuLast?: number; dataFirst?: number; dataLast?: number };
  /** Pages of pods the fake API served. */
  listRequests: number;
  milestones: Milestones;
  /** CPU seconds the harness process (fake API, pods, collector) spent during the run. */
  harnessCpuSeconds: number;
  /** Time the harness's event loop was busy during the run: near the wall time, the fakes are the bottleneck. */
  harnessMainThreadBusySeconds: number;
  loadAverageBefore: number;
}

export const TARGETS = { pods: 1_000, wallSeconds: 15, peakRssMiB: 200 } as const;

/** Peak RSS: the larger of kprofefe's own figure and the polled VmHWM. */
export function peakRss(result: W1Result): number {
  return Math.max(result.run.summary?.peakRssMiB ?? 0, result.run.polledPeakRssMiB);
}

export function lost(result: W1Result): number | undefined {
  const s = result.run.summary;
  return s === undefined ? undefined : s.profilesAttempted - s.profilesStored - s.profilesFailed;
}

export function markdownTable(results: readonly W1Result[]): string {
  const header =
    '| pods | wall (s) | profiles/s | peak RSS MiB (summary / VmHWM) | stored / failed / attempted | lost | collector received (stored) | exit | kprofefe CPU s (user+sys) | harness CPU s (main thread busy s) |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((r) => {
    const s = r.run.summary;
    const counts = s === undefined ? 'no summary' : `${s.profilesStored} / ${s.profilesFailed} / ${s.profilesAttempted}`;
    const cpu = (r.run.cpuUserSeconds + r.run.cpuSystemSeconds).toFixed(1);
    return `| ${r.pods.toLocaleString('en-US')} | ${(r.run.wallMs / 1000).toFixed(2)} | ${r.profilesPerSecond.toFixed(0)} | ${s?.peakRssMiB ?? '?'} / ${r.run.polledPeakRssMiB} | ${counts} | ${lost(r) ?? '?'} | ${r.collector.uploads} (${r.collector.stored}) | ${r.run.exitCode ?? r.run.signal} | ${cpu} (${r.run.cpuUserSeconds}+${r.run.cpuSystemSeconds}) | ${r.harnessCpuSeconds.toFixed(1)} (${r.harnessMainThreadBusySeconds.toFixed(1)}) |`;
  });
  return [header, rule, ...rows].join('\n');
}

export function timelineTable(results: readonly W1Result[]): string {
  const header =
    '| pods | pod list served (s) | CPU requests reach pods (s, first–last) | other requests reach pods (s, first–last) | last non-CPU upload (s) | last CPU upload (s) | exit (s) | kprofefe startup (s) | most open fds | most connections to the collector |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const sec = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));
  const rows = results.map((r) => {
    const m = r.milestones;
    const a = r.podRequestArrivalMs;
    const startup = r.run.summary === undefined ? undefined : r.run.wallMs - r.run.summary.durationMs;
    return `| ${r.pods.toLocaleString('en-US')} | ${sec(m.listDoneMs)} | ${sec(a.cpuFirst)}–${sec(a.cpuLast)} | ${sec(a.dataFirst)}–${sec(a.dataLast)} | ${sec(m.lastDataUploadMs)} | ${sec(m.lastCpuUploadMs)} | ${sec(r.run.wallMs)} | ${sec(startup)} | ${r.run.maxFds} | ${m.maxCollectorConnections} |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** With --probe: what the memory at kprofefe's RSS peak was made of, and its main thread. */
export function probeTable(results: readonly W1Result[]): string | undefined {
  const probed = results.filter((r) => r.run.probe !== undefined);
  if (probed.length === 0) return undefined;
  const header =
    '| pods | RSS at peak sample (MiB) | at (s) | JS heap used / total (MiB) | external (MiB) | of which ArrayBuffers (MiB) | main thread busy (s) | GC pauses (s, count) |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = probed.map((r) => {
    const p = r.run.probe!;
    const k = p.peakRssSample;
    return `| ${r.pods.toLocaleString('en-US')} | ${k.rss} | ${(k.t / 1000).toFixed(1)} | ${k.heapUsed} / ${k.heapTotal} | ${k.external} | ${k.arrayBuffers} | ${(p.mainThreadBusyMs / 1000).toFixed(1)} of ${(p.wallMs / 1000).toFixed(1)} | ${(p.gc.ms / 1000).toFixed(1)}, ${p.gc.count} |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** One line per target: met or missed, with the figure. */
export function verdicts(results: readonly W1Result[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const l = lost(r);
    const failed = r.run.summary?.profilesFailed;
    const zeroLost = l === 0 && failed === 0 && r.collector.stored === r.run.summary?.profilesStored;
    lines.push(
      `${r.pods} pods: ${zeroLost ? 'no profile lost' : `PROFILES LOST OR FAILED (lost ${l ?? '?'}, failed ${failed ?? '?'}, collector stored ${r.collector.stored} of ${r.run.summary?.profilesStored ?? '?'} reported)`}` +
        `; all ${r.profilesExpected} expected profiles attempted: ${r.run.summary?.profilesAttempted === r.profilesExpected ? 'yes' : 'NO'}`,
    );
    if (r.pods === TARGETS.pods) {
      const wall = r.run.wallMs / 1000;
      const rss = peakRss(r);
      lines.push(`${r.pods} pods: wall ${wall.toFixed(2)} s ${wall <= TARGETS.wallSeconds ? '<=' : '> (MISSED)'} ${TARGETS.wallSeconds} s target`);
      lines.push(`${r.pods} pods: peak RSS ${rss} MiB ${rss <= TARGETS.peakRssMiB ? '<=' : '> (MISSED)'} ${TARGETS.peakRssMiB} MiB target`);
    }
  }
  const small = results.find((r) => r.pods === 1_000);
  const large = results.find((r) => r.pods === 5_000);
  if (small !== undefined && large !== undefined) {
    const growth = peakRss(large) - peakRss(small);
    lines.push(`peak RSS 5,000 vs 1,000 pods: ${peakRss(large)} vs ${peakRss(small)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB)`);
  }
  return lines;
}

/**
 * W1: kprofefe against N pods (6 profile types each) behind the paginated fake Kubernetes API,
 * storing into the test collector. kprofefe runs as a separate process, so its wall time, peak
 * RSS and CPU time are its own; the harness hosts the fakes. Prints a markdown table and writes
 * the raw results to bench/results/. Run: `npm run bench -- [--bench-pods 100,1000,5000] [...]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildInfo } from './build-info.js';
import { describeImageRuntime, readImageRuntime, type ImageRuntime } from '../test/package/image-runtime.js';
import { KPROFEFE_BIN, runKprofefe } from './run-kprofefe.js';
import { parseW1Args, W1_USAGE, type W1Args } from './w1-args.js';
import { markdownTable, probeTable, timelineTable, verdicts, type W1Result } from './w1-report.js';
import { W1Timeline } from './w1-timeline.js';
import { podRequestStats, startW1World } from './w1-world.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

async function runOnce(pods: number, args: W1Args, runtime: ImageRuntime | undefined): Promise<W1Result> {
  const world = await startW1World(pods, args.largeHeapShare, { https: args.https });
  try {
    const kprofefeArgs = [
      '--kubeconfig',
      world.kubeconfig,
      '-A',
      '--cpu-duration',
      args.cpuDuration,
      '--profefe-hostport',
      world.collector.url,
      '--log-level',
      'info',
      ...world.kprofefeArgs,
      ...args.passthrough,
    ];
    const timeline = new W1Timeline(world.api.server, world.collector.uploads, Number(new URL(world.collector.url).port));
    const loadAverageBefore = os.loadavg()[0] ?? 0;
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const spawnedAt = Date.now();
    timeline.start();
    const run = await runKprofefe({
      args: kprofefeArgs,
      nodeArgs: [...(runtime?.nodeOptions ?? []), ...args.nodeArgs],
      env: { ...runtime?.env },
      bin: args.kprofefeBin,
      probe: args.probe,
      // Generous, but bounded: the run is killed past it and reported as timed out.
      deadlineMs: 120_000 + args.cpuSeconds * 1000 + pods * 40,
      onPoll: () => timeline.poll(),
    });
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    const milestones = timeline.finish();

    const served = podRequestStats(world.fleet, spawnedAt);
    const uploads = world.collector.uploads;
    const stored = uploads.filter((u) => u.status === 200).length;
    const summary = run.summary;
    return {
      pods,
      largeHeapPods: world.largeHeapPods,
      profilesExpected: pods * args.profileTypeCount,
      run,
      profilesPerSecond: summary === undefined ? 0 : summary.profilesStored / (run.wallMs / 1000),
      collector: { uploads: uploads.length, stored, rejected: uploads.length - stored, bytes: uploads.reduce((n, u) => n + u.bytes, 0) },
      podRequests: served.byEndpoint,
      podRequestsClosedEarly: served.closedEarly,
      podRequestArrivalMs: served.arrivalMs,
      listRequests: world.api.requests.filter((r) => r.path === '/api/v1/pods').length,
      milestones,
      harnessCpuSeconds: (cpu.user + cpu.system) / 1e6,
      harnessMainThreadBusySeconds: elu.active / 1000,
      loadAverageBefore,
    };
  } finally {
    await world.close();
  }
}

async function main(): Promise<number> {
  let args: W1Args;
  try {
    args = parseW1Args(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(W1_USAGE);
    return 0;
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memTotalMiB: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
  const build = buildInfo(args.kprofefeBin ?? KPROFEFE_BIN);
  const runtime = args.plainNode ? undefined : readImageRuntime();
  const runAs = runtime === undefined ? 'plain node (--plain-node)' : `as the image runs it: ${describeImageRuntime(runtime)} (Dockerfile)`;
  process.stderr.write(
    `W1: pods ${args.podCounts.join(', ')}${args.https ? ' serving HTTPS' : ''}; cpu duration ${args.cpuDuration}; extra kprofefe args: ${args.passthrough.join(' ') || '(none)'}\n`,
  );
  const results: W1Result[] = [];
  const started = performance.now();
  for (const pods of args.podCounts.flatMap((n) => Array<number>(args.repeat).fill(n))) {
    process.stderr.write(`W1: ${pods} pods ...\n`);
    const result = await runOnce(pods, args, runtime);
    results.push(result);
    const s = result.run.summary;
    process.stderr.write(
      `W1: ${pods} pods: exit ${result.run.exitCode}, wall ${(result.run.wallMs / 1000).toFixed(2)} s, ` +
        `stored ${s?.profilesStored ?? '?'} / failed ${s?.profilesFailed ?? '?'} / attempted ${s?.profilesAttempted ?? '?'}, ` +
        `peak RSS ${s?.peakRssMiB ?? '?'} MiB (VmHWM ${result.run.polledPeakRssMiB})${result.run.timedOut ? ', KILLED AT DEADLINE' : ''}\n`,
    );
    for (const example of result.run.problemExamples.slice(0, 5)) process.stderr.write(`  kprofefe: ${example}\n`);
  }

  const table = markdownTable(results);
  const report = [
    `W1 on ${machine.cpus} × ${machine.cpuModel}, ${machine.memTotalMiB} MiB, Node ${machine.node}; pods serving ${args.https ? 'HTTPS (--https)' : 'HTTP'}; --cpu-duration ${args.cpuDuration}; extra kprofefe args: ${args.passthrough.join(' ') || '(none)'}`,
    `kprofefe run ${runAs}${args.nodeArgs.length > 0 ? `, plus ${args.nodeArgs.join(' ')}` : ''}`,
    `kprofefe ${build.bin} at commit ${build.commit ?? '?'} (+${build.uncommittedSrcFiles ?? '?'} uncommitted src files), dist built ${build.distBuiltAt ?? '?'}; 1-min load average before each run: ${results.map((r) => r.loadAverageBefore.toFixed(1)).join(', ')}`,
    '',
    table,
    '',
    timelineTable(results),
    '',
    ...(probeTable(results) === undefined ? [] : [probeTable(results), '']),
    ...verdicts(results).map((line) => `- ${line}`),
  ].join('\n');
  process.stdout.write(`${report}\n`);

  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}w1-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(
    file,
    JSON.stringify(
      {
        benchmark: 'W1',
        argv: process.argv.slice(2),
        machine,
        build,
        runtime: runtime ?? 'plain node',
        args,
        totalSeconds: (performance.now() - started) / 1000,
        results,
      },
      null,
      2,
    ),
  );
  process.stderr.write(`W1: raw results in ${file}\n`);
  // Missed targets are findings, not failures; a run that was killed or logged no summary is.
  return results.some((r) => r.run.timedOut || r.run.summary === undefined) ? 1 : 0;
}

process.exitCode = await main();

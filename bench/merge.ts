/**
 * Merging N copies of a large heap profile (test/fixtures/pprof/heap-large.pb.gz, 3.8 MB): our
 * merge (ProfileMerger through downloadAndFold, bench/merge-child.mjs on dist/) and
 * `go tool pprof -proto` on the same files in the same session, each as its own process, wall
 * time and peak RSS measured from outside (bench/measure-process.ts). Go runs the pprof binary
 * `go tool pprof` executes (\`go env GOTOOLDIR\`/pprof), so that its RSS is measured and not the
 * go command's; it is killed past --go-deadline or --go-max-rss-mib. Our output is checked
 * against go's (go tool pprof -top for each sample type) where both ran. Prints a markdown table
 * and writes the raw results to bench/results/merge-<time>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { goToolPprof } from '../test/doubles/go-tools.js';
import { buildInfo } from './build-info.js';
import { MERGE_BENCH_USAGE, parseMergeBenchArgs, type MergeBenchArgs } from './merge-args.js';
import { measureProcess, type MeasuredRun } from './measure-process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHILD = fileURLToPath(new URL('./merge-child.mjs', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const SAMPLE_INDEXES = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'];

interface MergeRun {
  tool: 'ours' | 'go';
  copies: number;
  loadAverageBefore: number;
  run: Omit<MeasuredRun, 'stdout' | 'stderr'>;
  outputBytes: number | undefined;
  /** Our process's own report (merge-child.mjs). */
  own?: { foldMs: number; encodeMs: number; maxRssMiB: number; stats: Record<string, number> };
  /** Whether pprof shows our output and go's the same, when both ran. */
  sameAsGo?: boolean;
  error?: string;
}

async function runOurs(files: string[], out: string, args: MergeBenchArgs): Promise<MergeRun> {
  const loadAverageBefore = os.loadavg()[0] ?? 0;
  const run = await measureProcess({
    command: process.execPath,
    args: [CHILD, out, String(args.concurrency), ...files],
    deadlineMs: 30 * 60_000,
    maxRssMiB: 8192,
  });
  const { stdout, stderr, ...measured } = run;
  const result: MergeRun = { tool: 'ours', copies: files.length, loadAverageBefore, run: measured, outputBytes: await size(out) };
  if (run.exitCode === 0) result.own = JSON.parse(stdout) as MergeRun['own'];
  else result.error = stderr.slice(0, 2000);
  return result;
}

async function runGo(pprofBin: string, files: string[], out: string, args: MergeBenchArgs, tmp: string): Promise<MergeRun> {
  const loadAverageBefore = os.loadavg()[0] ?? 0;
  const run = await measureProcess({
    command: pprofBin,
    args: ['-proto', ...files],
    stdoutFile: out,
    env: { ...process.env, PPROF_TMPDIR: tmp },
    deadlineMs: args.goDeadlineSeconds * 1000,
    maxRssMiB: args.goMaxRssMiB,
    pollMs: 100,
  });
  const { stdout: _stdout, stderr, ...measured } = run;
  const result: MergeRun = {
    tool: 'go',
    copies: files.length,
    loadAverageBefore,
    run: measured,
    outputBytes: run.exitCode === 0 ? await size(out) : undefined,
  };
  if (run.exitCode !== 0 && run.killed === undefined) result.error = stderr.slice(0, 2000);
  return result;
}

async function sameTop(ours: string, theirs: string): Promise<boolean> {
  for (const index of SAMPLE_INDEXES) {
    const [a, b] = await Promise.all([ours, theirs].map((file) => goToolPprof(['-top', `-sample_index=${index}`, '-nodecount=50', file])));
    if (a !== b) return false;
  }
  return true;
}

async function size(file: string): Promise<number | undefined> {
  return stat(file).then(
    (s) => s.size,
    () => undefined,
  );
}

function table(runs: MergeRun[]): string {
  const rows = runs.map((r) => {
    const wall = (r.run.wallMs / 1000).toFixed(2);
    const note = r.run.killed
      ? `killed (${r.run.killed.reason}) after ${(r.run.killed.afterMs / 1000).toFixed(0)} s at ${r.run.killed.rssMiB.toFixed(0)} MiB RSS`
      : r.error
        ? `failed: ${r.error.split('\n')[0]}`
        : r.sameAsGo === undefined
          ? ''
          : r.sameAsGo
            ? 'pprof -top same as go (4 sample types)'
            : '**pprof -top differs from go**';
    const own = r.own ? `${r.own.maxRssMiB.toFixed(0)}` : '';
    const mb = r.outputBytes === undefined ? '' : (r.outputBytes / 1e6).toFixed(2);
    return `| ${r.copies} | ${r.tool === 'ours' ? 'ProfileMerger' : 'go tool pprof -proto'} | ${r.run.killed ? `> ${wall}` : wall} | ${r.run.peakRssMiB.toFixed(0)} | ${own} | ${r.run.cpuSeconds.toFixed(1)} | ${mb} | ${r.loadAverageBefore.toFixed(2)} | ${note} |`;
  });
  return [
    '| N | merge | wall (s) | peak RSS (MiB, VmHWM) | own maxRSS (MiB) | CPU (s) | output (MB) | load avg before | notes |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function verdicts(runs: MergeRun[]): string[] {
  const lines: string[] = [];
  const done = (r: MergeRun): boolean => r.run.exitCode === 0;
  for (const n of [...new Set(runs.map((r) => r.copies))]) {
    const ours = runs.filter((r) => r.tool === 'ours' && r.copies === n && done(r)).map((r) => r.run.wallMs);
    const go = runs.filter((r) => r.tool === 'go' && r.copies === n && done(r)).map((r) => r.run.wallMs);
    if (ours.length > 0 && go.length > 0) {
      lines.push(
        `N = ${n}: go tool pprof -proto / ProfileMerger wall = ${(Math.min(...go) / Math.max(...ours)).toFixed(1)}x (slowest of ours vs fastest of go)`,
      );
    }
  }
  const peak = Math.max(...runs.filter((r) => r.tool === 'ours').map((r) => r.run.peakRssMiB));
  lines.push(`ProfileMerger peak RSS, largest over all N: ${peak.toFixed(0)} MiB (target < 300 MiB)`);
  return lines;
}

async function main(): Promise<number> {
  const args = parseMergeBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(MERGE_BENCH_USAGE);
    return 0;
  }
  const fixture = path.resolve(ROOT, args.fixture);
  const pprofBin = path.join(execFileSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).trim(), 'pprof');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'merge-bench-'));
  const runs: MergeRun[] = [];
  try {
    const all = [...new Set([...args.copies, ...args.goCopies])].sort((a, b) => a - b);
    for (let round = 0; round < args.repeat; round++) {
      for (const n of all) {
        const files = Array<string>(n).fill(fixture);
        const oursOut = path.join(tmp, `ours-${n}.pb.gz`);
        const goOut = path.join(tmp, `go-${n}.pb.gz`);
        let ours: MergeRun | undefined;
        if (args.copies.includes(n)) {
          process.stderr.write(`merge bench: ours, N = ${n} ...\n`);
          ours = await runOurs(files, oursOut, args);
          runs.push(ours);
        }
        if (args.goCopies.includes(n)) {
          process.stderr.write(`merge bench: go tool pprof -proto, N = ${n} ...\n`);
          const go = await runGo(pprofBin, files, goOut, args, tmp);
          runs.push(go);
          if (ours && ours.run.exitCode === 0 && go.run.exitCode === 0 && args.verify) ours.sameAsGo = await sameTop(oursOut, goOut);
        }
        const last = runs.at(-1)!;
        process.stderr.write(`merge bench: N = ${n}: ${(last.run.wallMs / 1000).toFixed(2)} s, ${last.run.peakRssMiB.toFixed(0)} MiB (${last.tool})\n`);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const fixtureBytes = (await stat(fixture)).size;
  const build = buildInfo(path.join(ROOT, 'bin', 'kprofefe.js'));
  const header = [
    `Merge of N copies of ${args.fixture} (${(fixtureBytes / 1e6).toFixed(2)} MB) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ` +
      `${Math.round(os.totalmem() / 2 ** 20)} MiB, Node ${process.version}, ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()}`,
    `commit ${build.commit ?? '?'} (+${build.uncommittedSrcFiles ?? '?'} uncommitted src files), dist built ${build.distBuiltAt ?? '?'}; our merge: downloadAndFold --concurrency ${args.concurrency}`,
  ];
  process.stdout.write(`${[...header, '', table(runs), '', ...verdicts(runs).map((l) => `- ${l}`)].join('\n')}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `merge-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ benchmark: 'merge', argv: process.argv.slice(2), args, build, runs }, null, 2));
  process.stderr.write(`merge bench: raw results in ${file}\n`);
  return runs.some((r) => r.tool === 'ours' && (r.run.exitCode !== 0 || r.sameAsGo === false)) ? 1 : 0;
}

process.exitCode = await main();

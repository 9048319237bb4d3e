/**
 * What a flame graph costs: `kubectl profefe flame` as its own process (bench/measure-process.ts:
 * wall, peak RSS, CPU) on the CPU fixture, the 3.8 MB heap fixture, and N copies of that heap in
 * a --profiles-dir (merged as merge does), each to .html and .svg; then Debian's chromium opens
 * each .html page from disk and the time until the first frame labels are drawn is taken (the
 * page builds its SVG in the browser). Prints a markdown table and writes the raw results to
 * bench/results/flame-<time>.json. Loopback only: the pages load nothing from the network.
 *
 *   npm run bench:flame -- [--copies 10] [--repeat 1]
 */
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/browser/chromium.js';
import { buildInfo } from './build-info.js';
import { measureProcess, type MeasuredRun } from './measure-process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PLUGIN = path.join(ROOT, 'bin', 'kubectl-profefe.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'pprof');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

interface FlameInput {
  readonly name: string;
  /** The flame arguments before -O. */
  readonly args: readonly string[];
}

interface FlameRun {
  input: string;
  format: 'html' | 'svg';
  loadAverageBefore: number;
  run: Omit<MeasuredRun, 'stdout' | 'stderr'>;
  outputBytes: number | undefined;
  /** html only: chromium, from goto to the first frame label in the page. */
  firstLabelsMs?: number;
  error?: string;
}

/** N copies of heap-large as kprofefe --output-dir lays them out: one service, one minute apart. */
async function heapCopiesDir(work: string, copies: number): Promise<string> {
  const dir = path.join(work, 'profiles');
  const typeDir = path.join(dir, 'bench', 'big', 'heap');
  await mkdir(typeDir, { recursive: true });
  const start = Date.now() - copies * 60_000;
  for (let i = 0; i < copies; i++) {
    const at = new Date(start + i * 60_000).toISOString().replace(/[-:]/g, '');
    await copyFile(path.join(FIXTURES, 'heap-large.pb.gz'), path.join(typeDir, `big-${i}-${at}.pb.gz`));
  }
  return dir;
}

async function runFlame(input: FlameInput, out: string): Promise<FlameRun> {
  const loadAverageBefore = os.loadavg()[0] ?? 0;
  const measured = await measureProcess({
    command: process.execPath,
    args: [PLUGIN, 'flame', ...input.args, '-O', out],
    deadlineMs: 15 * 60_000,
    maxRssMiB: 8192,
  });
  const { stdout: _stdout, stderr, ...run } = measured;
  const format = out.endsWith('.svg') ? 'svg' : 'html';
  const size = await stat(out).then(
    (s) => s.size,
    () => undefined,
  );
  const result: FlameRun = { input: input.name, format, loadAverageBefore, run, outputBytes: size };
  if (run.exitCode !== 0) result.error = stderr.slice(0, 2000);
  return result;
}

async function timeFirstLabels(file: string): Promise<number> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const started = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.locator('.d3-flame-graph-label').first().waitFor({ state: 'attached', timeout: 120_000 });
    return performance.now() - started;
  } finally {
    await browser.close();
  }
}

function table(runs: FlameRun[]): string {
  const rows = runs.map((r) => {
    const mb = r.outputBytes === undefined ? '' : (r.outputBytes / 1e6).toFixed(2);
    const labels = r.firstLabelsMs === undefined ? '' : (r.firstLabelsMs / 1000).toFixed(2);
    const wall = (r.run.wallMs / 1000).toFixed(2);
    return `| ${r.input} | ${r.format} | ${wall} | ${r.run.peakRssMiB.toFixed(0)} | ${r.run.cpuSeconds.toFixed(1)} | ${mb} | ${labels} | ${r.loadAverageBefore.toFixed(2)} |${r.error ? ` ${r.error.split('\n')[0]}` : ''}`;
  });
  const head =
    '| input | output | wall (s) | peak RSS (MiB) | CPU (s) | output (MB) | chromium first labels (s) | load avg before |\n|---|---|---:|---:|---:|---:|---:|---:|';
  return [head, ...rows].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { copies: { type: 'string', default: '10' }, repeat: { type: 'string', default: '1' } } });
  const copies = Number(values.copies);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(copies) || copies < 1 || !Number.isInteger(repeat) || repeat < 1) throw new Error('--copies and --repeat take whole numbers above 0');
  const work = await mkdtemp(path.join(os.tmpdir(), 'flame-bench-'));
  try {
    const inputs: FlameInput[] = [
      { name: 'cpu.pb.gz', args: [path.join(FIXTURES, 'cpu.pb.gz')] },
      { name: 'heap-large.pb.gz', args: [path.join(FIXTURES, 'heap-large.pb.gz')] },
      {
        name: `${copies} × heap-large (--profiles-dir)`,
        args: ['--profiles-dir', await heapCopiesDir(work, copies), '--service', 'big', '--type', 'heap', '--from', '30d'],
      },
    ];
    const runs: FlameRun[] = [];
    for (let round = 0; round < repeat; round++) {
      for (const [index, input] of inputs.entries()) {
        for (const format of ['html', 'svg'] as const) {
          const out = path.join(work, `flame-${index}.${format}`);
          const result = await runFlame(input, out);
          if (format === 'html' && result.error === undefined) result.firstLabelsMs = await timeFirstLabels(out);
          runs.push(result);
          console.error(`${input.name} ${format}: ${(result.run.wallMs / 1000).toFixed(2)} s, ${result.run.peakRssMiB.toFixed(0)} MiB`);
        }
      }
    }
    console.log(table(runs));
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `flame-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      file,
      JSON.stringify({ benchmark: 'flame', argv: process.argv.slice(2), build: buildInfo(path.join(ROOT, 'bin', 'kprofefe.js')), runs }, null, 2),
    );
    console.error(`raw results: ${file}`);
    if (runs.some((r) => r.error !== undefined)) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();

/**
 * Our merge as its own process, for bench/merge.ts: `node bench/merge-child.mjs OUT CONCURRENCY FILE...`
 * folds the files with downloadAndFold (each "download" reads a file) into a ProfileMerger,
 * writes the gzipped result to OUT, and prints one JSON line: fold and encode times, its own
 * peak RSS (process.resourceUsage().maxRSS) and the merge's size. Runs the build in dist/.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { downloadAndFold } from '../dist/merge/fold-profiles.js';
import { ProfileMerger } from '../dist/merge/profile-merger.js';

const [out, concurrency, ...files] = process.argv.slice(2);
const started = performance.now();
const merger = new ProfileMerger();
const items = files.map((file, i) => ({ id: `${i}:${file}`, fetch: () => readFile(file) }));
await downloadAndFold(items, merger, { concurrency: Number(concurrency) });
const folded = performance.now();
await writeFile(out, merger.encodeGzipped());
const written = performance.now();
process.stdout.write(
  `${JSON.stringify({
    foldMs: folded - started,
    encodeMs: written - folded,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    stats: merger.stats,
  })}\n`,
);

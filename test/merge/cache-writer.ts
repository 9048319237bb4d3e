/**
 * A separate process writing and reading a shared ProfileCache, for the concurrent-writers test:
 * `node --import tsx cache-writer.ts DIR MAX_BYTES WRITER ROUNDS BARRIER_DIR WRITERS`. Profile k's
 * bytes are `content(k)`; every read must return all of them or nothing. The writers start
 * together: each marks itself ready in BARRIER_DIR and waits until all WRITERS are (process
 * start-up under load otherwise spreads them apart). Prints a JSON report.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProfileCache } from '../../src/merge/profile-cache.js';

export const PROFILE_IDS = 12;

/** Profile k: 40-200 KB, every byte derived from k, so a torn or mixed file is detected. */
export function content(k: number): Buffer {
  const bytes = Buffer.alloc(40_000 + 13_000 * k);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + k * 7) & 0xff;
  return bytes;
}

/** Marks this writer ready and resolves once `writers` are. */
async function startTogether(barrierDir: string, writer: string, writers: number): Promise<void> {
  await writeFile(join(barrierDir, `ready-${writer}`), '');
  while ((await readdir(barrierDir)).length < writers) await sleep(5);
}

async function main(): Promise<void> {
  const [dir, maxBytes, writer, rounds, barrierDir, writers] = process.argv.slice(2);
  const cache = new ProfileCache({ dir: dir!, maxBytes: Number(maxBytes) });
  await startTogether(barrierDir!, writer!, Number(writers));
  const startedAt = Date.now();
  let reads = 0;
  let hits = 0;
  const bad: string[] = [];
  for (let round = 0; round < Number(rounds); round++) {
    for (let j = 0; j < PROFILE_IDS; j++) {
      const k = (j + Number(writer) * 5 + round) % PROFILE_IDS;
      await cache.put(`p${k}`, content(k));
      const other = (k + 3) % PROFILE_IDS;
      const got = await cache.get(`p${other}`);
      reads += 1;
      if (got !== undefined) {
        hits += 1;
        if (!got.equals(content(other))) bad.push(`p${other}: ${got.length} bytes`);
      }
    }
  }
  process.stdout.write(JSON.stringify({ reads, hits, bad, startedAt, endedAt: Date.now() }));
}

if (process.argv[1]?.endsWith('cache-writer.ts')) await main();

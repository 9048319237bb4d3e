/**
 * What an in-flight HTTPS profile request costs kprofefe in memory, against plain HTTP: N
 * requests at once (as N CPU profiles are, each held by the pod for `--hold`), through
 * kprofefe's own direct transport and fetchProfile, to a server in another process (so its
 * memory is not counted). Prints this process's peak RSS (VmHWM) and CPU time per mode.
 * Run: `npx tsx bench/https-memory.ts --requests 1000 --hold 5 --mode http|https` (one mode per
 * process, so one peak does not hide the other).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Target } from '../src/discover/target.js';
import { fetchProfile } from '../src/scrape/fetch-profile.js';
import { directTransport } from '../src/transport/direct-transport.js';
import { PLAIN_TARGET_ACCESS } from '../src/transport/target-access.js';
import { makeTarget } from '../test/doubles/make-target.js';
import { makeTestCa } from '../test/doubles/test-ca.js';

const SERVER = new URL('./https-memory-server.mjs', import.meta.url);

function vmHwmMiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '1000' }, hold: { type: 'string', default: '5' }, mode: { type: 'string', default: 'https' } },
  });
  const requests = Number(values.requests);
  const https = values.mode === 'https';
  const ca = await makeTestCa('https-memory CA');
  const cert = await ca.issue('server', { dns: ['pprof.bench'] });
  const server = fork(SERVER, [https ? 'https' : 'http', cert.certFile, cert.keyFile, String(Number(values.hold) * 1000)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => server.once('message', (m) => resolve(Number(m))));
  const transport = directTransport(
    https ? { ...PLAIN_TARGET_ACCESS, tls: { ca: ca.cert, serverName: 'pprof.bench', insecureSkipVerify: false } } : PLAIN_TARGET_ACCESS,
  );
  const baseline = vmHwmMiB();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // All in flight at once: each request has its own connection, as each pod's CPU profile has in a run.
  const target: Target = makeTarget('heap', { ip: '127.0.0.1', url: `${https ? 'https' : 'http'}://127.0.0.1:${port}/debug/pprof/heap` });
  const targets = Array.from({ length: requests }, () => target);
  const results = await Promise.allSettled(
    targets.map(async (target) => {
      const connection = await transport.connect(target, new AbortController().signal);
      return fetchProfile(target, { timeoutMs: 120_000, maxBytes: 64 * 1024 * 1024, agent: connection.agent, headers: connection.headers });
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const failed = results.filter((r) => r.status === 'rejected');
  await transport.close();
  server.kill();
  const peak = vmHwmMiB();
  process.stdout.write(
    `${https ? 'https' : 'http '} ${requests} requests held ${values.hold} s: ok ${requests - failed.length}, failed ${failed.length}; ` +
      `peak RSS ${peak.toFixed(1)} MiB (before ${baseline.toFixed(1)}: +${(peak - baseline).toFixed(1)}, ${(((peak - baseline) * 1024) / requests).toFixed(1)} KiB per request); ` +
      `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; wall ${wallS.toFixed(2)} s\n`,
  );
  if (failed[0]?.status === 'rejected') process.stdout.write(`  first failure: ${(failed[0].reason as Error).message}\n`);
}

await main();

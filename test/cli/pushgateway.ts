/**
 * A real Prometheus Pushgateway for tests: Debian's prometheus-pushgateway binary run as a child
 * process on a free loopback port, in memory only (no persistence file; the Debian service is
 * never involved), and its /metrics read back as samples.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const BINARY = 'prometheus-pushgateway';
const READY_TIMEOUT_MS = 15_000;

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RealPushgateway {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Every sample of GET /metrics (the gateway's own metrics included). */
  samples(): Promise<Sample[]>;
  /** GET /metrics as text. */
  text(): Promise<string>;
  close(): Promise<void>;
}

function binaryPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, BINARY), constants.X_OK);
      return join(dir, BINARY);
    } catch {
      // not here
    }
  }
  throw new Error(`${BINARY} is not on PATH: apt-get install -y prometheus-pushgateway (npm test's prerequisite check does it as root)`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts a Pushgateway and waits until /-/ready answers (a new port if the first was taken meanwhile). */
export async function startPushgateway(): Promise<RealPushgateway> {
  const file = binaryPath();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // An empty --persistence.file keeps the metrics in memory (Debian's default is a file in /var/lib).
    const child = spawn(file, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      await waitReady(url, child);
      return gateway(url, child);
    } catch (err) {
      lastError = new Error(`${BINARY} on port ${port} did not become ready: ${(err as Error).message}\n${stderr}`);
      await stop(child);
    }
  }
  throw lastError;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`no answer from ${url}/-/ready within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function gateway(url: string, child: ChildProcess): RealPushgateway {
  const text = async (): Promise<string> => {
    const response = await fetch(`${url}/metrics`);
    if (!response.ok) throw new Error(`GET ${url}/metrics: ${response.status}`);
    return response.text();
  };
  return { url, text, samples: async () => parseExposition(await text()), close: () => stop(child) };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The Prometheus text format's sample lines (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[name as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Labels of kprofefe's own metrics; every other label of a pushed sample is its group's. */
const METRIC_LABELS = new Set(['type', 'reason', 'sink']);

/**
 * The samples of one group (its labels exactly: job, instance and the grouping labels), by metric
 * name and, for labelled metrics, `name{label=value}` (e.g. `kprofefe_profiles_stored{type=heap}`).
 */
export function groupOf(samples: readonly Sample[], grouping: Readonly<Record<string, string>>): Map<string, number> {
  const key = { instance: '', ...grouping };
  const group = new Map<string, number>();
  for (const sample of samples) {
    const entries = Object.entries(sample.labels);
    const groupLabels = entries.filter(([name]) => !METRIC_LABELS.has(name));
    const same = groupLabels.length === Object.keys(key).length && groupLabels.every(([name, value]) => key[name as keyof typeof key] === value);
    if (!same) continue;
    const own = entries.filter(([name]) => METRIC_LABELS.has(name));
    const name = own.length === 0 ? sample.name : `${sample.name}{${own.map(([n, v]) => `${n}=${v}`).join(',')}}`;
    group.set(name, sample.value);
  }
  return group;
}

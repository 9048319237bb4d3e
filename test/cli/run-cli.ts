/** Runs a CLI from bin/ as a real subprocess, the way users and CronJobs do. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN_DIR = fileURLToPath(new URL('../../bin/', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr parsed as JSON log lines (non-JSON lines are dropped). */
  logs: Array<Record<string, unknown>>;
}

export async function tempDir(prefix = 'kprofefe-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * A clean environment: no KUBECONFIG, a HOME without ~/.kube, not in a cluster, so a test
 * only ever reaches the servers it names.
 */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, ...extra };
  return env;
}

export function runCli(
  command: 'kprofefe.js' | 'kubectl-profefe.js' | string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string },
): Promise<CliResult> {
  const file = command.includes('/') ? command : join(BIN_DIR, command);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, logs: parseLogs(stderr) });
    });
    child.stdin.end(options.input ?? '');
  });
}

export function parseLogs(stderr: string): Array<Record<string, unknown>> {
  const logs: Array<Record<string, unknown>> = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  }
  return logs;
}

export interface SinkCountsLog {
  sink: string;
  stored: number;
  failed: number;
  failedByReason: Record<string, number>;
}

export interface SummaryLog {
  podsSelected: number;
  podsSkipped: number;
  podsMissing: number;
  podsIgnored: Record<string, number>;
  profilesAttempted: number;
  profilesStored: number;
  profilesFailed: number;
  /** Empty windows: neither stored nor failed. */
  profilesEmpty: number;
  storedByType: Record<string, number>;
  failedByReason: Record<string, number>;
  sinks: SinkCountsLog[];
}

/**
 * The run summary, with the invariants every run must keep: stored + failed + empty = attempted,
 * and in each sink stored + failed = attempted - empty (an empty window reaches no sink).
 */
export function summaryOf(result: CliResult): SummaryLog {
  const line = result.logs.find((l) => typeof l.summary === 'object' && l.summary !== null);
  if (!line) throw new Error(`no summary in the output:\n${result.stderr}`);
  const summary = line.summary as SummaryLog;
  if (summary.profilesStored + summary.profilesFailed + summary.profilesEmpty !== summary.profilesAttempted) {
    throw new Error(`stored + failed + empty != attempted: ${JSON.stringify(summary)}`);
  }
  for (const counts of summary.sinks) {
    if (counts.stored + counts.failed !== summary.profilesAttempted - summary.profilesEmpty)
      throw new Error(`stored + failed != attempted - empty for ${counts.sink}: ${JSON.stringify(summary)}`);
  }
  return summary;
}

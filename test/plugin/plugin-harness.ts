/**
 * Runs `kubectl profefe ...` the way users do: the real kubectl (the one on PATH) finds the
 * plugin on PATH as an executable named exactly `kubectl-profefe` (a symlink to
 * bin/kubectl-profefe.js in a temporary directory put first on PATH), and runs it as a
 * subprocess. Also seeds the test collector with real profiles through the real client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { decodeProfile, encodeProfile } from '../../src/pprof/decode-profile.js';
import { ProfefeClient, type ProfileItem, type UploadQuery } from '../../src/profefe/profefe-client.js';
import { BIN_DIR, cleanEnv, tempDir } from '../cli/run-cli.js';
import { kubectlPath } from '../doubles/kubectl.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';

export interface PluginResult {
  code: number | null;
  stdout: string;
  /** stdout as bytes, for profiles written with -O -. */
  stdoutBytes: Buffer;
  stderr: string;
}

let pluginDir: Promise<string> | undefined;

/** A directory holding only `kubectl-profefe` -> bin/kubectl-profefe.js (created once per test file). */
export function pluginPathDir(): Promise<string> {
  pluginDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-plugin-path-'));
    await symlink(join(BIN_DIR, 'kubectl-profefe.js'), join(dir, 'kubectl-profefe'));
    return dir;
  })();
  return pluginDir;
}

export interface RunOptions {
  /** Extra environment variables (the rest is a clean env: no KUBECONFIG, no PROFEFE_HOSTPORT). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** `kubectl <args>` with the plugin directory first on PATH. */
export function kubectl(args: readonly string[], options: RunOptions = {}): Promise<PluginResult> {
  return run(kubectlPath(), args, options);
}

/**
 * `kubectl profefe <args>` with a terminal as stdin, stdout and stderr (util-linux `script` gives
 * it a pty); everything it printed comes back in `stdout`.
 */
export function kubectlProfefeInTerminal(args: readonly string[], options: RunOptions = {}): Promise<PluginResult> {
  const quoted = [kubectlPath(), 'profefe', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return run('/usr/bin/script', ['--quiet', '--return', '--command', quoted, '/dev/null'], options);
}

async function run(file: string, args: readonly string[], options: RunOptions): Promise<PluginResult> {
  return (await start(file, args, options)).result;
}

export interface RunningPlugin {
  readonly child: ChildProcess;
  readonly result: Promise<PluginResult>;
}

/** `kubectl profefe <args>` started, for a test that signals it while it runs. */
export function startKubectlProfefe(args: readonly string[], options: RunOptions = {}): Promise<RunningPlugin> {
  return start(kubectlPath(), ['profefe', ...args], options);
}

async function start(file: string, args: readonly string[], options: RunOptions): Promise<RunningPlugin> {
  const home = await tempDir('kubectl-profefe-home-');
  const env = cleanEnv(home, options.env);
  // The plugin, the node running the tests (the plugin's shebang), and kubectl's own directory
  // first, so the child finds the same kubectl and node whatever else the PATH holds.
  env.PATH = [await pluginPathDir(), dirname(process.execPath), dirname(kubectlPath()), process.env.PATH ?? ''].join(delimiter);
  const child = spawn(file, [...args], { env, cwd: options.cwd ?? home, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = new Promise<PluginResult>((resolve, reject) => {
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr });
    });
  });
  return { child, result };
}

/** `kubectl profefe <args>`. */
export function kubectlProfefe(args: readonly string[], options: RunOptions = {}): Promise<PluginResult> {
  return kubectl(['profefe', ...args], options);
}

/** The profile bytes with another `time_nanos` (the collector files a profile under its own time). */
export function withTime(bytes: Buffer, at: Date, options: { gzip?: boolean } = {}): Buffer {
  const profile = decodeProfile(bytes);
  profile.timeNanos = BigInt(at.getTime()) * 1_000_000n;
  return encodeProfile(profile, options);
}

/** Uploads through the real client, as kprofefe would have. */
export function seed(collector: TestCollector, bytes: Buffer, query: UploadQuery): Promise<ProfileItem> {
  return new ProfefeClient({ baseUrl: collector.url }).upload(bytes, query);
}

/** A file with these bytes in a fresh temporary directory. */
export async function tempFile(name: string, bytes: Buffer | string): Promise<string> {
  const file = join(await tempDir('kubectl-profefe-file-'), name);
  await writeFile(file, bytes);
  return file;
}

/** A URL where nothing listens: a collector that was started, then stopped. */
export async function downCollectorUrl(start: () => Promise<TestCollector> = startTestCollector): Promise<string> {
  const collector = await start();
  const { url } = collector;
  await collector.close();
  return url;
}

export interface FileCollector {
  /** The test file's collector (it forwards to the one started before the tests, so read it in tests). */
  readonly collector: TestCollector;
  /** `kubectl profefe <command> --profefe-hostport <collector url> <args>`. */
  run(args: readonly string[], options?: RunOptions): Promise<PluginResult>;
}

/**
 * The setup of a collector command's test file: one test collector started before its tests,
 * emptied after each test and closed after all of them; `run` is the command pointed at it.
 * Call it at the top level of the test file.
 */
export function useTestCollector(...command: string[]): FileCollector {
  let started: TestCollector | undefined;
  beforeAll(async () => {
    started = await startTestCollector();
  });
  afterEach(() => current().reset());
  afterAll(async () => {
    await started?.close();
  });
  const current = (): TestCollector => {
    if (!started) throw new Error('the test collector is started in beforeAll: use it inside a test or hook');
    return started;
  };
  const collector: TestCollector = {
    get url() {
      return current().url;
    },
    get uploads() {
      return current().uploads;
    },
    get requests() {
      return current().requests;
    },
    get refusedConnections() {
      return current().refusedConnections;
    },
    profiles: () => current().profiles(),
    failNext: (n, status, errorText) => current().failNext(n, status, errorText),
    failNextRaw: (n, status, body, contentType) => current().failNextRaw(n, status, body, contentType),
    hangNext: (n) => current().hangNext(n),
    setDown: (down) => current().setDown(down),
    reset: () => current().reset(),
    close: () => current().close(),
  };
  return {
    collector,
    run: (args, options) => kubectlProfefe([...command, '--profefe-hostport', current().url, ...args], options),
  };
}

/**
 * What `kubectl profefe capture` and its completion are tested against: the REAL kubectl, finding
 * the plugin on PATH (a temp dir holding `kubectl-profefe` and `kubectl_complete-profefe` as
 * symlinks to bin/), a fake API server over TLS (kubectl sends bearer tokens only over TLS) with
 * the fake pods/portforward subresource attached, and fake pods on 127.x addresses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi } from '../doubles/fake-kube-api.js';
import { attachPortForward, type PortForwardAttachment, type PortForwardVerb } from '../doubles/fake-port-forward.js';
import { BIN_DIR, tempDir, type CliResult } from '../cli/run-cli.js';

export interface PluginCluster {
  readonly api: FakeKubeApi;
  readonly portForward: PortForwardAttachment;
  readonly kubeconfig: string;
  /** HOME for kubectl (its discovery cache) and the plugin: no ~/.kube/config there. */
  readonly home: string;
  /** `namespace/name` of pods the user may not port-forward to (403 on pods/portforward). */
  readonly forbidden: Map<string, PortForwardVerb[]>;
  /** Environment with the plugin first on PATH, nothing else from the test's environment. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Runs `kubectl ARGS` to the end. */
  kubectl(args: string[], options?: KubectlOptions): Promise<CliResult>;
  /** Runs `kubectl profefe capture --kubeconfig <the fake cluster's> ARGS` to the end. */
  capture(args: string[], options?: KubectlOptions): Promise<CliResult>;
  /** Starts `kubectl ARGS` in its own process group (so a test can Ctrl-C it like a terminal does). */
  spawnKubectl(args: string[], options?: KubectlOptions): RunningKubectl;
  close(): Promise<void>;
}

export interface KubectlOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export interface RunningKubectl {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, with everything it printed. */
  readonly done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** Sends a signal to the whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
}

export async function startPluginCluster(): Promise<PluginCluster> {
  const api = await startFakeKubeApi({ tls: true, user: 'jane@example.com' });
  const forbidden = new Map<string, PortForwardVerb[]>();
  const portForward = attachPortForward(api.server, {
    token: api.token,
    user: api.user,
    resolvePod: api.getPod,
    forbidden: (namespace, name, verb) => forbidden.get(`${namespace}/${name}`)?.includes(verb) ?? false,
    closeGraceMs: 200,
  });
  const home = await tempDir('kubectl-profefe-home-');
  const kubeconfig = await api.writeKubeconfig(home);
  const pathDir = join(home, 'plugins');
  await mkdir(pathDir);
  await symlink(join(BIN_DIR, 'kubectl-profefe.js'), join(pathDir, 'kubectl-profefe'));
  await symlink(join(BIN_DIR, 'kubectl_complete-profefe'), join(pathDir, 'kubectl_complete-profefe'));

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: `${pathDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    ...extra,
  });

  const spawnKubectl = (args: string[], options: KubectlOptions = {}): RunningKubectl => {
    const child = spawn('kubectl', args, { env: env(options.env), cwd: options.cwd ?? home, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const signalGroup = (signal: NodeJS.Signals): void => {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    };
    const timer = setTimeout(() => signalGroup('SIGKILL'), options.timeoutMs ?? 60_000);
    const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, logs: [] });
      });
    });
    return { child, done, signalGroup, output: () => ({ stdout, stderr }) };
  };

  return {
    api,
    portForward,
    kubeconfig,
    home,
    forbidden,
    env,
    kubectl: (args, options) => spawnKubectl(args, options).done,
    capture: (args, options) => spawnKubectl(['profefe', 'capture', '--kubeconfig', kubeconfig, ...args], options).done,
    spawnKubectl,
    close: async () => {
      portForward();
      await api.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir`, relative, sorted (temporary files included). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Polls `check` every 20 ms until it returns true (or fails after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

import { decodeProfile, encodeProfile } from '../../src/pprof/decode-profile.js';
import { ProfefeClient } from '../../src/profefe/profefe-client.js';
import type { ProfileType } from '../../src/profile-types.js';
import { DirectorySink } from '../../src/sink/directory-sink.js';
import { collectorSource } from '../../src/source/collector-source.js';
import { directorySource } from '../../src/source/directory-source.js';
import type { ProfileSource } from '../../src/source/profile-source.js';
import { sourceBackend } from '../../src/ui/source-backend.js';
import { startUiServer } from '../../src/ui/ui-server.js';
import { makeTarget } from '../doubles/make-target.js';
import { type PluginResult, type RunningPlugin, type RunOptions, startKubectlProfefe } from '../plugin/plugin-harness.js';

export const XSS_NAME = '<img src=x onerror=alert(1)>';

export interface RunningUi {
  readonly url: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  json<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** The UI over `source`, ranges read against `now`. */
export async function startUi(source: ProfileSource, now?: Date): Promise<RunningUi> {
  const server = await startUiServer(sourceBackend(source, { now: now && (() => now) }), { host: '127.0.0.1', port: 0 });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const reply = await fetch(new URL(path, server.url), { headers });
    return { status: reply.status, text: await reply.text(), headers: reply.headers };
  };
  return {
    url: server.url,
    get,
    async json<T>(path: string) {
      const reply = await get(path);
      return { status: reply.status, body: JSON.parse(reply.text) as T };
    },
    close: () => server.close().then(() => source.close()),
  };
}

export function collectorUi(collectorUrl: string, now?: Date): Promise<RunningUi> {
  return startUi(collectorSource(new ProfefeClient({ baseUrl: collectorUrl })), now);
}

export async function directoryUi(dir: string, now?: Date): Promise<RunningUi> {
  return startUi(await directorySource(dir), now);
}

export interface DirProfile {
  readonly type: ProfileType;
  readonly body: Buffer;
  readonly pod: string;
  readonly service?: string;
  readonly at: Date;
}

/** Profiles written by the real DirectorySink (namespace shop); returns their paths. */
export async function writeProfiles(dir: string, profiles: readonly DirProfile[]): Promise<string[]> {
  const sink = new DirectorySink(dir);
  const paths: string[] = [];
  for (const p of profiles) {
    const base = makeTarget(p.type);
    const target = { ...base, service: p.service ?? 'checkout', pod: { ...base.pod, name: p.pod }, labels: { ...base.labels, pod: p.pod } };
    paths.push(await sink.store({ target, body: p.body, scrapedAt: p.at }));
  }
  await sink.close();
  return paths;
}

/** The profile with the function named `from` renamed `to` (every frame of it). */
export function withFunctionRenamed(bytes: Buffer, from: string, to: string): Buffer {
  const profile = decodeProfile(bytes);
  const strings = profile.stringTable.strings;
  const functions = profile.function.filter((fn) => strings[Number(fn.name)] === from);
  if (functions.length === 0) throw new Error(`the profile has no function ${from}`);
  const index = profile.stringTable.dedup(to);
  for (const fn of functions) fn.name = index;
  return encodeProfile(profile, { gzip: true });
}

export interface UiProcess {
  /** The first line it printed on stdout. */
  readonly url: string;
  readonly running: RunningPlugin;
  /** SIGINT, then what it printed and its exit status. */
  stop(): Promise<PluginResult>;
}

/** `kubectl profefe ui --no-open <args>` as a subprocess (through kubectl), once it has printed its URL. */
export async function startUiProcess(args: readonly string[], options: RunOptions = {}): Promise<UiProcess> {
  const running = await startKubectlProfefe(['ui', '--no-open', ...args], { timeoutMs: 120_000, ...options });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    running.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    running.result.then((r) => reject(new Error(`kubectl profefe ui ended (${r.code}) before printing its URL: ${r.stderr}`)), reject);
  });
  return {
    url,
    running,
    async stop() {
      running.child.kill('SIGINT');
      return running.result;
    },
  };
}

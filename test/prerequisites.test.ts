/**
 * scripts/check-prerequisites.mjs, the first step of `npm test`, run as a subprocess. A prerequisite
 * is made missing through PATH only: a directory of links to every command on the real PATH but the
 * ones left out, plus fake commands (dpkg, kubectl, apt-get) where a test needs one. Nothing is
 * installed or removed for real: CHECK_PREREQUISITES_UID makes the script see a non-root user, and
 * where it must see root, apt-get is a fake that only logs what it was asked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/check-prerequisites.mjs', import.meta.url));
const NON_ROOT = '1000';

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function realPath(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  throw new Error(`${command} is not on PATH`);
}

interface FakePath {
  /** The directory to use as PATH. */
  readonly bin: string;
  /** A scratch directory beside it, for the fakes' logs (FAKE_DIR in their environment). */
  readonly dir: string;
}

/** A one-directory PATH: links to the real PATH's commands except `without`, and `fakes` as shell scripts. */
function fakePath(options: { without?: readonly string[]; fakes?: Record<string, string> } = {}): FakePath {
  const dir = mkdtempSync(join(tmpdir(), 'check-prerequisites-'));
  scratch.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const taken = new Set([...(options.without ?? []), ...Object.keys(options.fakes ?? {})]);
  for (const pathDir of (process.env.PATH ?? '').split(delimiter)) {
    if (pathDir === '') continue;
    let names: string[];
    try {
      names = readdirSync(pathDir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (taken.has(name)) continue;
      taken.add(name);
      symlinkSync(join(pathDir, name), join(bin, name));
    }
  }
  for (const [name, body] of Object.entries(options.fakes ?? {})) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return { bin, dir };
}

/** apt-get that logs "DEBIAN_FRONTEND args..." a line per call, and installs nothing. */
const FAKE_APT_GET = 'echo "$DEBIAN_FRONTEND $*" >> "$FAKE_DIR/apt-get.log"';

function aptLog(path: FakePath): string[] {
  const file = join(path.dir, 'apt-get.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function check(path: FakePath | undefined, env: Record<string, string> = {}): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(process.execPath, [SCRIPT], {
    env: { ...process.env, CHECK_PREREQUISITES_UID: NON_ROOT, ...(path === undefined ? {} : { PATH: path.bin, FAKE_DIR: path.dir }), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

describe('scripts/check-prerequisites.mjs', () => {
  it('exits 0 and prints nothing when everything is present', () => {
    const result = check(undefined);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('exits 0 with the PATH of links too (the fake PATH itself hides nothing)', () => {
    const path = fakePath({ fakes: { 'apt-get': FAKE_APT_GET } });
    expect(check(path)).toEqual({ status: 0, stderr: '', stdout: '' });
    expect(aptLog(path)).toEqual([]);
  });

  it('without go on PATH, not root: exits 1 at once with the exact install command, and never calls apt-get', () => {
    const path = fakePath({ without: ['go'], fakes: { 'apt-get': FAKE_APT_GET } });
    const result = check(path);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toContain('  sudo apt-get install -y golang-go');
    expect(result.stderr).toContain('- go (Debian package golang-go): `go` is not on PATH');
    expect(aptLog(path)).toEqual([]);
  });

  it('a Go library package that dpkg -s does not report installed is named in the same command', () => {
    const dpkg = realPath('dpkg');
    const path = fakePath({
      without: ['go'],
      fakes: {
        'apt-get': FAKE_APT_GET,
        // sprig never installed; yaml.v2 removed but not purged (dpkg -s succeeds, the status says so).
        dpkg: `case "$2" in
  golang-github-masterminds-sprig-dev) echo "dpkg-query: package '$2' is not installed and no information is available" >&2; exit 1;;
  golang-gopkg-yaml.v2-dev) printf 'Package: %s\\nStatus: deinstall ok config-files\\n' "$2"; exit 0;;
esac
exec ${dpkg} "$@"`,
      },
    });
    const result = check(path);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toContain('  sudo apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev');
    expect(result.stderr).toContain('the Debian package golang-github-masterminds-sprig-dev is not installed');
    expect(aptLog(path)).toEqual([]);
  });

  it('as root with apt-get: runs apt-get update once, then apt-get install -y of the missing packages, non-interactively, and checks again', () => {
    const go = realPath('go');
    const path = fakePath({
      without: ['go'],
      // The fake "installs" golang-go by linking the real go into the PATH directory.
      fakes: { 'apt-get': `${FAKE_APT_GET}\nif [ "$1" = install ]; then ln -s ${go} "$FAKE_DIR/bin/go"; fi` },
    });
    const result = check(path, { CHECK_PREREQUISITES_UID: '0' });
    expect(aptLog(path)).toEqual(['noninteractive update', 'noninteractive install -y golang-go']);
    expect(result.stderr).not.toContain('missing');
    expect(result.status).toBe(0);
  });

  it('as root, a package that apt-get did not provide still stops the check, naming the command', () => {
    const path = fakePath({ without: ['go'], fakes: { 'apt-get': FAKE_APT_GET } });
    const result = check(path, { CHECK_PREREQUISITES_UID: '0' });
    expect(aptLog(path)).toEqual(['noninteractive update', 'noninteractive install -y golang-go']);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toContain('  apt-get install -y golang-go');
  });

  it('kubectl missing or older than 1.31: stops with how to install it, even as root (no Debian package is recent enough)', () => {
    const missing = fakePath({ without: ['kubectl'], fakes: { 'apt-get': FAKE_APT_GET } });
    const old = fakePath({ fakes: { 'apt-get': FAKE_APT_GET, kubectl: `echo 'Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.2"}'` } });
    for (const [path, problem] of [
      [missing, '- kubectl: `kubectl` is not on PATH'],
      [old, `- kubectl: ${old.bin}/kubectl is version 1.20, older than 1.31`],
    ] as const) {
      const result = check(path, { CHECK_PREREQUISITES_UID: '0' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).toContain('Install kubectl 1.31 or newer on PATH');
      expect(result.stderr).toContain('https://dl.k8s.io/release/');
      expect(result.stderr).not.toContain('apt-get install');
      expect(aptLog(path)).toEqual([]);
    }
  });
});

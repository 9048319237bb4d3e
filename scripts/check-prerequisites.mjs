#!/usr/bin/env node
/**
 * Checks what `npm test` needs outside node_modules, before any test runs (the first step of the
 * "test" script, and of .ci/run).
 *
 * Missing Debian packages are installed here when this runs as root with apt-get on PATH
 * (`apt-get update` once, then `apt-get install -y`), as on a fresh CI machine. Otherwise the check
 * stops at once, exit status 1, printing the exact command that installs them. A prerequisite with
 * no suitable Debian package (kubectl) is never installed here: the check stops with how to get it.
 *
 * Detection only looks things up: a command on PATH (and its version when a minimum is given),
 * a Debian package through `dpkg -s`. CHECK_PREREQUISITES_UID overrides the user id this process
 * runs as (the test sets it to a non-root id so that apt-get is never called).
 *
 * Usage: node scripts/check-prerequisites.mjs
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const KUBECTL_MINIMUM = [1, 31];

const KUBECTL_HOWTO = `Install kubectl ${KUBECTL_MINIMUM.join('.')} or newer on PATH (the tests run the kubectl found there).
Debian has no recent enough package (bookworm's kubernetes-client is kubectl 1.20). Either the release binary:
  curl -fLo kubectl "https://dl.k8s.io/release/$(curl -fsL https://dl.k8s.io/release/stable.txt)/bin/linux/$(dpkg --print-architecture)/kubectl"
  sudo install -m 0755 kubectl /usr/bin/kubectl
or the Kubernetes apt repository (pkgs.k8s.io, package kubectl): https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/`;

/**
 * What the tests need, one entry a line:
 * - name: what is missing, as the message names it; for: which tests need it.
 * - detect: { command } looks the command up on PATH; with { version: { args, minimum } } it also
 *   runs `command ...args` and reads the first "X.Y" of the output. { dpkg: true } asks `dpkg -s`
 *   whether the Debian package is installed.
 * - debian: the Debian package that provides it (installed when missing), or install: how to get
 *   it when no Debian package does.
 */
const PREREQUISITES = [
  { name: 'go', for: 'Go test targets, `go tool pprof` as the reference reader, the chart renderer', detect: { command: 'go' }, debian: 'golang-go' },
  {
    name: 'sprig (Go library)',
    for: 'the chart renderer test/helm/renderer (GOPATH=/usr/share/gocode)',
    detect: { dpkg: true },
    debian: 'golang-github-masterminds-sprig-dev',
  },
  {
    name: 'yaml.v2 (Go library)',
    for: 'the chart renderer test/helm/renderer (GOPATH=/usr/share/gocode)',
    detect: { dpkg: true },
    debian: 'golang-gopkg-yaml.v2-dev',
  },
  {
    name: 'kubectl',
    for: 'the plugin, completion, port-forward and deploy/ tests',
    detect: { command: 'kubectl', version: { args: ['version', '--client'], minimum: KUBECTL_MINIMUM } },
    install: KUBECTL_HOWTO,
  },
  { name: 'numfmt', for: 'the byte-size parser test (reference values)', detect: { command: 'numfmt' }, debian: 'coreutils' },
  { name: 'date', for: 'the time-range test (GNU date -d as reference)', detect: { command: 'date' }, debian: 'coreutils' },
  { name: 'sha256sum', for: 'the shard test (reference digests)', detect: { command: 'sha256sum' }, debian: 'coreutils' },
  { name: 'tar', for: 'the packed-CLI tests', detect: { command: 'tar' }, debian: 'tar' },
  { name: 'script', for: 'the capture test on a terminal', detect: { command: 'script' }, debian: 'bsdutils' },
  {
    name: 'prometheus-pushgateway',
    for: 'the kprofefe --pushgateway tests (each starts its own Pushgateway on a loopback port)',
    detect: { command: 'prometheus-pushgateway' },
    debian: 'prometheus-pushgateway',
  },
  {
    name: 'chromium',
    for: 'the flame graph and ui browser tests (driven by playwright-core; no browser is downloaded)',
    detect: { command: 'chromium' },
    debian: 'chromium',
  },
  { name: 'openssl', for: 'the HTTPS target tests (a CA and certificates made per test)', detect: { command: 'openssl' }, debian: 'openssl' },
];

/** The file `command` runs as, looked up on PATH as a shell would; undefined when there is none. */
function which(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why the prerequisite is not met, or undefined when it is. */
function problemOf(item) {
  const { detect } = item;
  if (detect.command !== undefined) {
    const file = which(detect.command);
    if (file === undefined) return `\`${detect.command}\` is not on PATH`;
    if (detect.version === undefined) return undefined;
    const run = spawnSync(file, detect.version.args, { encoding: 'utf8', timeout: 15_000 });
    const match = /(\d+)\.(\d+)/.exec(`${run.stdout ?? ''}`);
    const minimum = detect.version.minimum.join('.');
    if (run.status !== 0 || match === null)
      return `\`${detect.command} ${detect.version.args.join(' ')}\` (${file}) did not print a version; ${minimum} or newer is needed`;
    const found = [Number(match[1]), Number(match[2])];
    if (compareVersions(found, detect.version.minimum) < 0) return `${file} is version ${found.join('.')}, older than ${minimum}`;
    return undefined;
  }
  if (detect.dpkg === true) {
    const dpkg = which('dpkg');
    if (dpkg === undefined) return `no \`dpkg\` on PATH to check the Debian package ${item.debian}`;
    const run = spawnSync(dpkg, ['-s', item.debian], { encoding: 'utf8' });
    // `dpkg -s` also succeeds for a removed package whose configuration files are left.
    if (run.status === 0 && /^Status: install ok installed$/m.test(run.stdout ?? '')) return undefined;
    return `the Debian package ${item.debian} is not installed`;
  }
  throw new Error(`check-prerequisites: ${item.name} has no way to detect it`);
}

function check() {
  return PREREQUISITES.map((item) => ({ item, problem: problemOf(item) })).filter((m) => m.problem !== undefined);
}

function debianPackages(missing) {
  return [...new Set(missing.filter((m) => m.item.debian !== undefined).map((m) => m.item.debian))];
}

function uid() {
  const override = process.env.CHECK_PREREQUISITES_UID;
  if (override !== undefined && override !== '') return Number(override);
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

function runApt(aptGet, args) {
  console.error(`check-prerequisites: apt-get ${args.join(' ')}`);
  const run = spawnSync(aptGet, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0) {
    console.error(`check-prerequisites: apt-get ${args.join(' ')} failed (${run.error?.message ?? `exit status ${run.status}`})`);
    process.exit(1);
  }
}

let missing = check();
const packages = debianPackages(missing);
const aptGet = which('apt-get');
const root = uid() === 0;
if (packages.length > 0 && root && aptGet !== undefined) {
  runApt(aptGet, ['update']);
  runApt(aptGet, ['install', '-y', ...packages]);
  missing = check();
}

if (missing.length > 0) {
  const lines = ['npm test needs these, missing here:'];
  for (const { item, problem } of missing) {
    lines.push(`  - ${item.name}${item.debian === undefined ? '' : ` (Debian package ${item.debian})`}: ${problem}; used by ${item.for}`);
  }
  const still = debianPackages(missing);
  if (still.length > 0) {
    lines.push('', 'Install the Debian packages with:', `  ${root ? '' : 'sudo '}apt-get install -y ${still.join(' ')}`);
  }
  for (const { item } of missing) {
    if (item.install !== undefined) lines.push('', item.install);
  }
  console.error(lines.join('\n'));
  process.exit(1);
}

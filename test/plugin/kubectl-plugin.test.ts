/**
 * The plugin as kubectl sees it: found on PATH as `kubectl-profefe`, every command with --help,
 * --version, kubectl's global flags accepted, exit statuses passed through kubectl.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from '../cli/run-cli.js';
import { kubectl, kubectlProfefe, pluginPathDir } from './plugin-harness.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const COMMANDS = ['capture', 'get', 'get profiles', 'get services', 'get profile-types', 'get profile', 'merge', 'load', 'top'];

describe('kubectl profefe as a kubectl plugin', () => {
  it('kubectl plugin list finds it on PATH', async () => {
    const result = await kubectl(['plugin', 'list']);
    expect(result.stdout).toContain(`${await pluginPathDir()}/kubectl-profefe`);
    expect(result.stderr).not.toMatch(/warning: .*kubectl-profefe/);
  });

  it('--help lists every command and the exit statuses; --version prints the package version', async () => {
    const help = await kubectlProfefe(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl profefe \[options\] \[command\]/);
    for (const name of ['capture', 'get', 'merge', 'load', 'top']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help.stdout).toContain('Exit status: 0');
    const version = await kubectlProfefe(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it.each(COMMANDS)('kubectl profefe %s --help', async (command) => {
    const result = await kubectlProfefe([...command.split(' '), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: kubectl profefe ${command} `));
    expect(result.stderr).toBe('');
  });

  it("accepts kubectl's global flags before and after the command (--kubeconfig, --context, -n, -A, -l)", async () => {
    const result = await kubectlProfefe([
      '-n',
      'shop',
      '--context',
      'prod',
      'get',
      'profile-types',
      '--kubeconfig',
      '/nonexistent',
      '-A',
      '-l',
      'app=api',
      '-o',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toContainEqual({ type: 'other', profile: 'allocs', labels: { pprof_type: 'allocs' } });
  });

  it('no command, an unknown command, an unknown flag: usage on stderr, exit 2 through kubectl', async () => {
    const none = await kubectlProfefe([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: kubectl profefe [options] [command]');
    const unknown = await kubectlProfefe(['list']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'list'");
    const flag = await kubectlProfefe(['get', 'services', '--verbose']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("error: unknown option '--verbose'\nSee 'kubectl profefe get services --help' for usage.");
  });

  it('runs as kubectl-profefe without kubectl too (the npm bin name)', async () => {
    const home = await tempDir('kubectl-profefe-home-');
    const result = await runCli('kubectl-profefe.js', ['get', 'profile-types', '-o', 'yaml'], { env: cleanEnv(home) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('- labels:\n    pprof_type: allocs\n  profile: allocs\n  type: other\n');
  });
});

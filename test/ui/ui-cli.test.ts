/**
 * `kubectl profefe ui` as users run it (the real kubectl finding the plugin, a subprocess): the
 * first line on stdout is the URL, the socket is bound to 127.0.0.1 only, the pages answer, and
 * Ctrl-C stops it.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../doubles/fixtures.js';
import { startTestCollector, type TestCollector } from '../doubles/test-collector.js';
import { kubectlProfefe, seed, withTime } from '../plugin/plugin-harness.js';
import { startUiProcess } from './ui-harness.js';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  await seed(c, withTime(fixture('cpu'), new Date(Date.now() - 5 * 60_000)), { service: 'api', type: 'cpu', labels: { pod: 'api-1' } });
});
afterAll(() => c.close());

describe('kubectl profefe ui (subprocess)', () => {
  it('prints its URL first, listens on 127.0.0.1 only, serves the collector, and stops on SIGINT', async () => {
    const ui = await startUiProcess(['--profefe-hostport', c.url]);
    const stopped = ui.stop.bind(ui);
    try {
      expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      // kubectl runs the plugin in its own process (exec): the child is the plugin.
      expect(await listeningAddresses(ui.running.child.pid!)).toEqual([`127.0.0.1:${new URL(ui.url).port}`]);
      const home = await (await fetch(ui.url)).text();
      expect(home).toContain('<a class="service" href="/service?service=api">api</a>');
      const view = await fetch(new URL('/view?service=api&type=cpu&from=1h', ui.url));
      expect(view.status).toBe(200);
      expect(await view.text()).toContain('Merged 1 of 1 profile.');
    } finally {
      const result = await stopped();
      expect(result.code).toBe(130);
      expect(result.stdout).toBe(`${ui.url}\n`);
      expect(result.stderr).toContain(`serving the profiles of collector ${c.url} at ${ui.url}`);
    }
  });

  it('--address ::1: listens on the IPv6 loopback and prints the URL with the address in brackets', async () => {
    const ui = await startUiProcess(['--address', '::1', '--profefe-hostport', c.url]);
    try {
      expect(ui.url).toMatch(/^http:\/\/\[::1\]:\d+\/$/);
      expect(await listeningAddresses(ui.running.child.pid!)).toEqual([`00000000000000000000000001000000:${new URL(ui.url).port}`]);
      expect((await fetch(ui.url)).status).toBe(200);
    } finally {
      const result = await ui.stop();
      expect(result.stderr).not.toContain('warning');
    }
  });

  it('an --address that is not an IP address: a usage error naming the flag, exit 2', async () => {
    const result = await kubectlProfefe(['ui', '--no-open', '--address', 'example.com', '--profefe-hostport', c.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--address "example.com": not an IP address');
  });
});

/**
 * The addresses the process `pid` listens on, as `ADDRESS:PORT`: its sockets (/proc/PID/fd) found
 * in /proc/net/tcp and tcp6 in state LISTEN (what the kernel says they are bound to).
 */
async function listeningAddresses(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(file, 'utf8')).split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (state !== '0A' || local === undefined || inode === undefined || !inodes.has(inode)) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      addresses.push(`${hex!.length === 8 ? ipv4(hex!) : hex!}:${Number.parseInt(portHex ?? '', 16)}`);
    }
  }
  return addresses;
}

/** /proc/net/tcp's little-endian hex address as dotted quads. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/**
 * Memory and CPU figures of a process read from Linux /proc, for the benchmarks.
 * VmHWM is the kernel's peak resident set size (the same figure as getrusage's ru_maxrss), so
 * polling it cannot miss a peak that happened between two polls.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ProcMemory {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  hwmMiB: number;
}

/** undefined once the process has gone (its /proc entry is removed when it is reaped). */
export async function readProcMemory(pid: number): Promise<ProcMemory | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const rss = kib('VmRSS');
  const hwm = kib('VmHWM');
  // A zombie (exited, not yet reaped) has no Vm* lines.
  if (rss === undefined || hwm === undefined) return undefined;
  return { rssMiB: rss / 1024, hwmMiB: hwm / 1024 };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds (user, system) a process has used so far, all its threads included
 * (/proc/<pid>/stat utime, stime); undefined once it has gone.
 */
export async function readProcCpuSeconds(pid: number): Promise<{ user: number; system: number } | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // proc(5): field 14 utime, 15 stime; fields[0] here is field 3 (state).
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { user: utime / CLOCK_TICKS_PER_SECOND, system: stime / CLOCK_TICKS_PER_SECOND };
}

/**
 * Established TCP connections whose local port is `port` (the server side of connections to a
 * listener on this machine), counted by `ss`, which filters in the kernel: reading /proc/net/tcp
 * with thousands of sockets open costs the harness seconds of CPU. undefined when `ss` fails.
 */
export async function countEstablished(port: number): Promise<number | undefined> {
  try {
    const { stdout } = await execFileAsync('ss', ['-tnH', 'state', 'established', `( sport = :${port} )`], { timeout: 5_000, maxBuffer: 64 * 1024 * 1024 });
    let count = 0;
    for (let i = stdout.indexOf('\n'); i !== -1; i = stdout.indexOf('\n', i + 1)) count += 1;
    return count;
  } catch {
    return undefined;
  }
}

/** Open file descriptors of a process; 0 once it has gone. */
export async function countFds(pid: number): Promise<number> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return 0;
  }
}

/**
 * What `capture` tells people, as the run's observer: the location of every stored profile on
 * stdout (one per line, for scripts); on stderr, progress per pod and type when stderr is a
 * terminal, and always errors, cumulative profiles and empty windows. A pod's failures are
 * grouped by cause once the pod is done, so a refused port-forward is one line, not one per
 * profile type. Counting is the run summary's.
 */
import { podKey, type PodInfo, type Target } from '../../discover/target.js';
import type { LocalForward } from '../../kube/port-forward.js';
import type { ProfileError } from '../../profile-error.js';
import { PROFILE_TYPES, type ProfileType } from '../../profile-types.js';
import type { RunObserver, SkippedPod } from '../../run/run-observer.js';
import { emptyWindowsNote, type RunSummary } from '../../run/run-summary.js';
import { formatBytes } from '../../units/byte-size.js';

export interface CaptureOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Progress lines on stderr (stderr is a terminal). */
  readonly progress: boolean;
}

export class CaptureReport implements RunObserver {
  /** Failures of pods still in progress, by pod, grouped by message. */
  private readonly failures = new Map<string, Map<string, ProfileType[]>>();
  /** Pods with a profile cancelled by an interruption. */
  private readonly cancelled = new Set<string>();

  constructor(private readonly out: CaptureOutput) {}

  private progress(line: string): void {
    if (this.out.progress) this.out.stderr.write(`${line}\n`);
  }

  error(message: string): void {
    this.out.stderr.write(`error: ${message}\n`);
  }

  /** A pod asked for that yields no profile: not found, not Running, a bad annotation or flag. */
  podSkipped(pod: SkippedPod, isError: boolean): void {
    if (!isError) return;
    this.error(`pod ${podKey(pod)}: ${skipMessage(pod)}`);
  }

  podStarted(pod: PodInfo, targets: readonly Target[]): void {
    this.progress(`${podKey(pod)}: capturing ${targets.map((t) => t.type).join(', ')}`);
  }

  forwardOpened(pod: PodInfo, forward: LocalForward): void {
    this.progress(`${podKey(pod)}: port-forward 127.0.0.1:${forward.port} -> pod port ${forward.remotePort}`);
  }

  profileStarted(target: Target): void {
    if (target.seconds !== undefined) this.progress(`${podKey(target.pod)} ${target.type}: profiling for ${target.seconds}s`);
  }

  /** Always said (files carry no labels): the profile holds counters since the process started, not the window. */
  profileCumulative(target: Target, reason: string): void {
    this.out.stderr.write(
      `warning: pod ${podKey(target.pod)}: the ${target.type} profile counts since the process started, not over the ${target.seconds}s window: ${reason}\n`,
    );
  }

  /** Always said: a profile asked for that gives no file, and why; not a failure. */
  profileEmpty(target: Target, why: string): void {
    this.out.stderr.write(`${target.type} of pod ${podKey(target.pod)}: empty window (in the ${target.seconds} s window: ${why}), nothing stored\n`);
  }

  profileStored(target: Target, location: string, bytes: number): void {
    this.out.stdout.write(`${location}\n`);
    this.progress(`${podKey(target.pod)} ${target.type}: stored (${formatBytes(bytes)})`);
  }

  profileFailed(target: Target, error: ProfileError): void {
    const key = podKey(target.pod);
    if (error.code === 'INTERRUPTED') {
      // Ctrl-C: one summary line says so; not an error per profile.
      this.cancelled.add(key);
      this.progress(`${key} ${target.type}: cancelled`);
      return;
    }
    const byMessage = this.failures.get(key) ?? new Map<string, ProfileType[]>();
    this.failures.set(key, byMessage);
    byMessage.set(error.message, [...(byMessage.get(error.message) ?? []), target.type]);
    this.progress(`${key} ${target.type}: failed`);
  }

  /** Prints the pod's failures, one line per distinct cause. */
  podDone(pod: PodInfo): void {
    const key = podKey(pod);
    const byMessage = this.failures.get(key);
    this.failures.delete(key);
    const cancelled = this.cancelled.delete(key);
    if (byMessage === undefined) {
      if (!cancelled) this.progress(`${key}: done`);
      return;
    }
    for (const [message, failed] of byMessage) {
      // In the table's order, whatever order they failed in (a pod's window profiles end together).
      const types = PROFILE_TYPES.filter((type) => failed.includes(type));
      const what = types.length === 1 ? `${types[0]} profile` : `${types.join(', ')} profiles`;
      this.error(`pod ${key}: ${what} failed: ${message}`);
    }
  }

  /** The closing line: on a terminal always, otherwise only when something failed. */
  summary(summary: RunSummary, elapsedMs: number, interrupted: boolean): void {
    const { profilesStored: stored, profilesFailed: failed, podsSelected: pods } = summary;
    const podErrors = summary.podsSkipped + summary.podsMissing;
    if (interrupted) {
      const what = stored === 1 ? '1 profile' : `${stored} profiles`;
      this.out.stderr.write(`interrupted: ${what} stored before the interruption; the rest were cancelled and nothing partial was written\n`);
      return;
    }
    if (failed > 0 || podErrors > 0) {
      const parts = [];
      if (failed > 0) parts.push(`${failed} of ${stored + failed} profiles failed`);
      if (podErrors > 0) parts.push(`${podErrors} ${podErrors === 1 ? 'pod' : 'pods'} could not be captured`);
      this.error(`${parts.join(', ')}; ${stored} stored`);
      return;
    }
    const cumulative = summary.profilesCumulative > 0 ? ` (${summary.profilesCumulative} cumulative)` : '';
    this.progress(
      `captured ${stored} profiles${cumulative}${emptyWindowsNote(summary.profilesEmpty)} from ${pods} ${pods === 1 ? 'pod' : 'pods'} in ${(elapsedMs / 1000).toFixed(1)}s`,
    );
  }
}

function skipMessage(pod: SkippedPod): string {
  switch (pod.kind) {
    case 'missing':
      return `not found in namespace "${pod.namespace}": check the name (kubectl get pods -n ${pod.namespace})`;
    case 'invalid':
      return `skipped: ${pod.problem.annotation}="${pod.problem.value}": ${pod.problem.reason}`;
    case 'ignored': {
      const advice = pod.why === 'not-running' || pod.why === 'no-ip' ? '; only a Running pod with an IP can be profiled' : '';
      return `cannot be captured: ${pod.reason}${advice}`;
    }
  }
}

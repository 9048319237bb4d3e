/**
 * What `capture` tells people: the location of every stored profile on stdout (one per line, for
 * scripts); on stderr, progress per pod and type when stderr is a terminal, and errors always.
 * A pod's failures are grouped by cause once the pod is done, so a refused port-forward is one
 * line, not one per profile type.
 */
import type { PodInfo, Target } from '../../discover/target.js';
import type { LocalForward } from '../../kube/port-forward.js';
import type { ProfileError } from '../../profile-error.js';
import type { ProfileType } from '../../profile-types.js';
import { formatBytes } from '../../units/byte-size.js';

export interface CaptureOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Progress lines on stderr (stderr is a terminal). */
  readonly progress: boolean;
}

export interface CaptureCounts {
  readonly stored: number;
  readonly failed: number;
  /** Pods that could not be captured at all: not found, not Running, misconfigured. */
  readonly podErrors: number;
  /** Pods whose profiles were attempted. */
  readonly pods: number;
}

const podRef = (pod: Pick<PodInfo, 'namespace' | 'name'>): string => `${pod.namespace}/${pod.name}`;

export class CaptureReport {
  private stored = 0;
  private failed = 0;
  private podErrors = 0;
  private pods = 0;
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

  /** A pod that yields no profile: not found, not Running, a bad annotation or flag. */
  podError(namespace: string, name: string, message: string): void {
    this.podErrors += 1;
    this.error(`pod ${namespace}/${name}: ${message}`);
  }

  podStarted(pod: PodInfo, types: readonly ProfileType[]): void {
    this.pods += 1;
    this.progress(`${podRef(pod)}: capturing ${types.join(', ')}`);
  }

  forwardOpened(pod: PodInfo, forward: LocalForward): void {
    this.progress(`${podRef(pod)}: port-forward 127.0.0.1:${forward.port} -> pod port ${forward.remotePort}`);
  }

  profileStarted(target: Target): void {
    if (target.seconds !== undefined) this.progress(`${podRef(target.pod)} ${target.type}: profiling for ${target.seconds}s`);
  }

  profileStored(target: Target, location: string, bytes: number | undefined): void {
    this.stored += 1;
    this.out.stdout.write(`${location}\n`);
    this.progress(`${podRef(target.pod)} ${target.type}: stored${bytes === undefined ? '' : ` (${formatBytes(bytes)})`}`);
  }

  profileFailed(target: Target, error: ProfileError): void {
    this.failed += 1;
    if (error.code === 'INTERRUPTED') {
      // Ctrl-C: one summary line says so; not an error per profile.
      this.cancelled.add(podRef(target.pod));
      this.progress(`${podRef(target.pod)} ${target.type}: cancelled`);
      return;
    }
    const key = podRef(target.pod);
    let byMessage = this.failures.get(key);
    if (byMessage === undefined) {
      byMessage = new Map();
      this.failures.set(key, byMessage);
    }
    const types = byMessage.get(error.message) ?? [];
    types.push(target.type);
    byMessage.set(error.message, types);
    this.progress(`${podRef(target.pod)} ${target.type}: failed`);
  }

  /** Prints the pod's failures, one line per distinct cause. */
  podDone(pod: Pick<PodInfo, 'namespace' | 'name'>): void {
    const key = podRef(pod);
    const byMessage = this.failures.get(key);
    this.failures.delete(key);
    const cancelled = this.cancelled.delete(key);
    if (byMessage === undefined) {
      if (!cancelled) this.progress(`${key}: done`);
      return;
    }
    for (const [message, types] of byMessage) {
      const what = types.length === 1 ? `${types[0]} profile` : `${types.join(', ')} profiles`;
      this.error(`pod ${key}: ${what} failed: ${message}`);
    }
  }

  counts(): CaptureCounts {
    return { stored: this.stored, failed: this.failed, podErrors: this.podErrors, pods: this.pods };
  }

  /** The closing line: on a terminal always, otherwise only when something failed. */
  summary(elapsedMs: number, interrupted: boolean): void {
    const { stored, failed, podErrors, pods } = this.counts();
    const seconds = (elapsedMs / 1000).toFixed(1);
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
    this.progress(`captured ${stored} profiles from ${pods} ${pods === 1 ? 'pod' : 'pods'} in ${seconds}s`);
  }
}

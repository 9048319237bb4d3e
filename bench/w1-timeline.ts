/**
 * Where a kprofefe run spends its time, seen from the harness side: when the pod list was
 * served, and when uploads of CPU and non-CPU profiles reached the collector. Upload times are
 * read from the test collector's log at each poll (every ~50 ms), list times from the fake API
 * server's own 'request' events.
 */
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { UploadRecord } from '../test/doubles/test-collector.js';
import { countEstablished } from './proc-stats.js';

/** `ss` is a process spawn (~25 ms of the harness's CPU, which it shares with kprofefe): every 2 s. */
const CONNECTION_SAMPLE_EVERY_MS = 2_000;

export interface Milestones {
  /** When the last page of the pod list was answered (ms since kprofefe was spawned). */
  listDoneMs: number | undefined;
  firstUploadMs: number | undefined;
  lastDataUploadMs: number | undefined;
  firstCpuUploadMs: number | undefined;
  lastCpuUploadMs: number | undefined;
  /** Uploads counted at each whole second since spawn: [seconds, total uploads so far]. */
  uploadsPerSecond: Array<[number, number]>;
  /** The most connections open to the collector at once (sampled with `ss` every ~500 ms). */
  maxCollectorConnections: number;
}

export class W1Timeline {
  private startedAt = performance.now();
  private seen = 0;
  private base = 0;
  private readonly m: Milestones = {
    listDoneMs: undefined,
    firstUploadMs: undefined,
    lastDataUploadMs: undefined,
    firstCpuUploadMs: undefined,
    lastCpuUploadMs: undefined,
    uploadsPerSecond: [],
    maxCollectorConnections: 0,
  };
  private lastConnectionSample = -Infinity;
  private sampling = false;
  private readonly onRequest = (req: { url?: string }, res: { once(event: 'finish', cb: () => void): unknown }) => {
    if (!(req.url ?? '').startsWith('/api/v1/pods')) return;
    res.once('finish', () => {
      this.m.listDoneMs = this.now();
    });
  };

  constructor(
    private readonly kubeServer: Server,
    private readonly uploads: readonly UploadRecord[],
    private readonly collectorPort: number,
  ) {
    kubeServer.on('request', this.onRequest);
  }

  /** Call right before spawning kprofefe. */
  start(): void {
    this.startedAt = performance.now();
    this.seen = this.uploads.length;
    this.base = this.uploads.length;
  }

  /** Reads the uploads logged since the last poll. */
  poll(): void {
    const t = this.now();
    if (!this.sampling && t - this.lastConnectionSample >= CONNECTION_SAMPLE_EVERY_MS) {
      this.sampling = true;
      this.lastConnectionSample = t;
      void countEstablished(this.collectorPort).then((n) => {
        if (n !== undefined) this.m.maxCollectorConnections = Math.max(this.m.maxCollectorConnections, n);
        this.sampling = false;
      });
    }
    const fresh = this.uploads.length - this.seen;
    if (fresh <= 0) return;
    for (let i = this.seen; i < this.uploads.length; i++) {
      const upload = this.uploads[i] as UploadRecord;
      this.m.firstUploadMs ??= t;
      if (upload.type === 'cpu') {
        this.m.firstCpuUploadMs ??= t;
        this.m.lastCpuUploadMs = t;
      } else {
        this.m.lastDataUploadMs = t;
      }
    }
    this.seen = this.uploads.length;
    const second = Math.floor(t / 1000);
    const last = this.m.uploadsPerSecond[this.m.uploadsPerSecond.length - 1];
    if (last !== undefined && last[0] === second) last[1] = this.uploads.length - this.base;
    else this.m.uploadsPerSecond.push([second, this.uploads.length - this.base]);
  }

  finish(): Milestones {
    this.poll();
    this.kubeServer.off('request', this.onRequest);
    return this.m;
  }

  private now(): number {
    return Math.round(performance.now() - this.startedAt);
  }
}

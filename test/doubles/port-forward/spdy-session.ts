import { dialPod, type PodLink, type PodTarget } from './pod-dial.js';
import {
  FLAG_FIN,
  FrameReader,
  FrameType,
  HeaderCodec,
  RstStatus,
  encodeControl,
  encodeData,
  parseHeaderBlock,
  serializeHeaderBlock,
  type Frame,
  type HeaderBlock,
} from './spdy-frames.js';

/**
 * The kubelet's SPDY port-forward server (pkg/kubelet/cri/streaming/portforward/httpstream.go on
 * moby/spdystream), over any byte transport: a raw `SPDY/3.1` upgrade, or SPDY tunnelled in
 * WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`, what kubectl >= 1.31 tries first).
 *
 * The client opens two streams per local connection, with headers `streamtype: error|data`,
 * `port: N` and `requestid: R`; each gets an empty SYN_REPLY. Once both streams of a request are
 * there, the pod port is dialled and bytes are copied between the data stream and the pod. A failed
 * dial writes the kubelet's error text on the error stream. When forwarding ends, the error stream
 * and then the data stream are closed (empty DATA frame with FIN). Pings from the client are echoed.
 */

export interface ByteTransport {
  /** Writes bytes; `flushed` runs once they left this process's buffers. */
  write(chunk: Buffer, flushed: () => void): void;
  /** Closes gracefully after pending writes. */
  close(): void;
  destroy(): void;
}

interface Stream {
  id: number;
  kind: 'data' | 'error';
  port: number;
  finSent: boolean;
  reset: boolean;
  /** Client bytes that came before the pair was complete, and whether the client finished. */
  early: Buffer[];
  clientFin: boolean;
}

interface Pair {
  requestId: string;
  data?: Stream;
  error?: Stream;
  link?: PodLink;
}

const HIGH_WATER = 1 << 20;

export class SpdyPortForwardSession {
  private readonly reader = new FrameReader();
  private readonly inflater = new HeaderCodec('inflate');
  private readonly deflater = new HeaderCodec('deflate');
  private readonly streams = new Map<number, Stream>();
  private readonly pairs = new Map<string, Pair>();
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly target: Omit<PodTarget, 'port'>,
    private readonly graceMs: number,
  ) {}

  /** Bytes from the client, in order. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.destroy();
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => this.handle(frame)).catch(() => this.destroy());
    }
  }

  /** The transport is gone (client closed it, or the server is shutting down). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pair of this.pairs.values()) pair.link?.destroy();
    this.pairs.clear();
    this.inflater.close();
    this.deflater.close();
    this.transport.destroy();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'data') {
      this.onData(frame.streamId, frame.flags, frame.payload);
      return;
    }
    switch (frame.type) {
      case FrameType.SynStream:
        await this.onSynStream(frame.flags, frame.payload);
        return;
      case FrameType.RstStream:
        this.onReset(frame.payload.readUInt32BE(0) & 0x7fffffff);
        return;
      case FrameType.Ping:
        // Echo pings the client started (odd ids); spdystream measures round trips with them.
        if ((frame.payload.readUInt32BE(0) & 1) === 1) this.send(() => encodeControl(FrameType.Ping, 0, frame.payload));
        return;
      case FrameType.GoAway:
        this.goAway();
        return;
      case FrameType.Headers:
        // Headers on an open stream carry nothing for port-forward; the compression context still moves.
        await this.inflater.process(frame.payload.subarray(4));
        return;
      default:
        // SETTINGS, WINDOW_UPDATE: spdystream does no flow control; nothing to do.
        return;
    }
  }

  private async onSynStream(flags: number, payload: Buffer): Promise<void> {
    const streamId = payload.readUInt32BE(0) & 0x7fffffff;
    const headers = parseHeaderBlock(await this.inflater.process(payload.subarray(10)));
    const invalid = validate(headers);
    if (invalid !== undefined) {
      this.sendReset(streamId, RstStatus.Cancel);
      return;
    }
    const kind = first(headers, 'streamtype') as 'data' | 'error';
    const stream: Stream = {
      id: streamId,
      kind,
      port: Number(first(headers, 'port')),
      finSent: false,
      reset: false,
      early: [],
      clientFin: (flags & FLAG_FIN) !== 0,
    };
    this.streams.set(streamId, stream);
    const replyBlock = serializeHeaderBlock({});
    this.send(async () => {
      const compressed = await this.deflater.process(replyBlock);
      const body = Buffer.alloc(4);
      body.writeUInt32BE(streamId);
      return encodeControl(FrameType.SynReply, 0, Buffer.concat([body, compressed]));
    });

    const requestId = this.requestId(headers, stream);
    const pair = this.pairs.get(requestId) ?? { requestId };
    this.pairs.set(requestId, pair);
    if (pair[kind] !== undefined) {
      this.writeError(pair, `error processing stream for request ${requestId}: ${kind} stream already assigned`);
      return;
    }
    pair[kind] = stream;
    if (pair.data && pair.error && !pair.link) this.startForwarding(pair);
  }

  /** Same fallback as the kubelet for clients that send no requestid header. */
  private requestId(headers: HeaderBlock, stream: Stream): string {
    const id = first(headers, 'requestid');
    if (id !== undefined && id !== '') return id;
    return String(stream.kind === 'error' ? stream.id : stream.id - 2);
  }

  private startForwarding(pair: Pair): void {
    const data = pair.data as Stream;
    const error = pair.error as Stream;
    pair.link = dialPod(
      { ...this.target, port: data.port },
      {
        data: (chunk) => this.sendData(data, chunk),
        error: (text) => this.sendData(error, Buffer.from(text)),
        finished: () => {
          this.finishStream(error);
          this.finishStream(data);
          this.pairs.delete(pair.requestId);
          this.streams.delete(error.id);
          this.streams.delete(data.id);
        },
      },
      this.graceMs,
    );
    for (const chunk of data.early.splice(0)) pair.link.write(chunk);
    if (data.clientFin) pair.link.clientDone();
  }

  private onData(streamId: number, flags: number, payload: Buffer): void {
    const stream = this.streams.get(streamId);
    if (!stream || stream.kind !== 'data') return; // the error stream is write-only for the server
    const link = [...this.pairs.values()].find((p) => p.data === stream)?.link;
    if ((flags & FLAG_FIN) !== 0) stream.clientFin = true;
    if (!link) {
      if (payload.length > 0) stream.early.push(payload);
      return;
    }
    if (payload.length > 0) link.write(payload);
    if (stream.clientFin) link.clientDone();
  }

  private onReset(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.reset = true;
    if (stream.kind === 'data') {
      const pair = [...this.pairs.values()].find((p) => p.data === stream);
      // Writes to a reset stream fail and its reads end: both copies stop.
      pair?.link?.destroy();
    }
  }

  private goAway(): void {
    for (const pair of this.pairs.values()) pair.link?.destroy();
    this.outbound = this.outbound.then(() => {
      this.closed = true;
      this.transport.close();
    });
  }

  private writeError(pair: Pair, text: string): void {
    if (pair.error) this.sendData(pair.error, Buffer.from(text));
  }

  private sendData(stream: Stream, chunk: Buffer): void {
    if (stream.reset || stream.finSent) return;
    this.send(() => encodeData(stream.id, 0, chunk));
  }

  private finishStream(stream: Stream): void {
    if (stream.reset || stream.finSent) return;
    stream.finSent = true;
    this.send(() => encodeData(stream.id, FLAG_FIN, Buffer.alloc(0)));
  }

  private sendReset(streamId: number, status: number): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(streamId, 0);
    body.writeUInt32BE(status, 4);
    this.send(() => encodeControl(FrameType.RstStream, 0, body));
  }

  /** Frames leave strictly in the order they were queued (a SYN_REPLY before its stream's data). */
  private send(build: () => Buffer | Promise<Buffer>): void {
    this.outbound = this.outbound
      .then(async () => {
        if (this.closed) return;
        const frame = await build();
        if (this.closed) return;
        this.pendingBytes += frame.length;
        if (this.pendingBytes > HIGH_WATER) for (const pair of this.pairs.values()) pair.link?.pause();
        this.transport.write(frame, () => {
          this.pendingBytes -= frame.length;
          if (this.pendingBytes < HIGH_WATER / 4) for (const pair of this.pairs.values()) pair.link?.resume();
        });
      })
      .catch(() => this.destroy());
  }
}

function first(headers: HeaderBlock, name: string): string | undefined {
  return headers.get(name)?.[0];
}

/** The kubelet's httpStreamReceived checks. */
function validate(headers: HeaderBlock): string | undefined {
  const port = first(headers, 'port');
  if (port === undefined || port === '') return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  const type = first(headers, 'streamtype');
  if (type === undefined || type === '') return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}

import zlib from 'node:zlib';

/**
 * SPDY/3.1 framing as moby/spdystream (and so kubectl and the kubelet) speaks it: 8-byte frame
 * headers, control frames with a version/type word, data frames with a 31-bit stream id, and
 * name/value header blocks compressed with one zlib stream per direction (sync-flushed per block)
 * primed with the SPDY/3 dictionary. Only what a port-forward session uses is implemented.
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes (SPDY/3 section 2.6.3). */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

export type Frame = { kind: 'control'; type: number; flags: number; payload: Buffer } | { kind: 'data'; streamId: number; flags: number; payload: Buffer };

/** The SPDY/3 header compression dictionary: length-prefixed header words, then a raw tail (1423 bytes). */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    'options',
    'head',
    'post',
    'put',
    'delete',
    'trace',
    'accept',
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'connection',
    'content-base',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-md5',
    'content-range',
    'content-type',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'pragma',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'retry-after',
    'server',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'vary',
    'via',
    'warning',
    'www-authenticate',
    'method',
    'get',
    'status',
    '200 OK',
    'version',
    'HTTP/1.1',
    'url',
    'public',
    'set-cookie',
    'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const word of words) parts.push(u32(word.length), Buffer.from(word, 'latin1'));
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Splits a byte stream into frames; bytes may arrive in any slicing (WebSocket messages, TCP reads). */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUIntBE(5, 3);
      if (this.buffered.length < 8 + length) break;
      const flags = this.buffered.readUInt8(4);
      const payload = this.buffered.subarray(8, 8 + length);
      const word = this.buffered.readUInt32BE(0);
      if ((word & 0x80000000) !== 0) {
        const version = (word >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
        frames.push({ kind: 'control', type: word & 0xffff, flags, payload: Buffer.from(payload) });
      } else {
        frames.push({ kind: 'data', streamId: word & 0x7fffffff, flags, payload: Buffer.from(payload) });
      }
      this.buffered = this.buffered.subarray(8 + length);
    }
    return frames;
  }
}

export function encodeControl(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  head.writeUInt8(flags, 4);
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function encodeData(streamId: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt8(flags, 4);
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

/** Decoded header block: lower-case names to values (multiple values are NUL-separated on the wire). */
export type HeaderBlock = Map<string, string[]>;

export function parseHeaderBlock(raw: Buffer): HeaderBlock {
  const headers: HeaderBlock = new Map();
  let offset = 0;
  const readString = (): string => {
    const length = raw.readUInt32BE(offset);
    const text = raw.toString('latin1', offset + 4, offset + 4 + length);
    offset += 4 + length;
    return text;
  };
  const count = raw.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = readString().toLowerCase();
    const values = readString().split('\0');
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return headers;
}

export function serializeHeaderBlock(headers: Record<string, string>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'latin1');
    const v = Buffer.from(value, 'latin1');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * One direction's header compression context. SPDY keeps a single zlib stream per direction for the
 * whole connection, so blocks must be processed strictly in frame order (callers serialise).
 */
export class HeaderCodec {
  private readonly stream: zlib.Inflate | zlib.Deflate;
  private output: Buffer[] = [];

  constructor(direction: 'inflate' | 'deflate') {
    this.stream =
      direction === 'inflate'
        ? zlib.createInflate({ dictionary: SPDY3_DICTIONARY })
        : zlib.createDeflate({ dictionary: SPDY3_DICTIONARY, level: zlib.constants.Z_BEST_COMPRESSION });
    this.stream.on('readable', () => this.drain());
  }

  /** Feeds one block and resolves with everything the codec produced for it (sync-flushed). */
  process(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.stream.once('error', onError);
      this.stream.write(block);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.stream.off('error', onError);
        this.drain();
        const out = Buffer.concat(this.output);
        this.output = [];
        resolve(out);
      });
    });
  }

  close(): void {
    this.stream.destroy();
  }

  private drain(): void {
    let chunk: Buffer | null;
    while ((chunk = this.stream.read() as Buffer | null) !== null) this.output.push(chunk);
  }
}

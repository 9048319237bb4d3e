/** The two bytes every gzip stream starts with (RFC 1952): how a gzipped pprof profile is told from a raw one. */
export const GZIP_MAGIC: readonly [number, number] = [0x1f, 0x8b];

/** Whether the bytes start with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

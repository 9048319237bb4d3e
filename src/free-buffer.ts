/**
 * Gives a large buffer's memory back now instead of at the next full garbage collection.
 *
 * A profile's bytes live from download to upload, and the chunks it arrived in until the
 * download ends: long enough for V8 to move their Buffers to the old generation, where they stay
 * until a full collection. With 4 MB heap profiles streaming through, tens of megabytes of bytes
 * no longer used waited there. Transferring the ArrayBuffer detaches it (the Buffer becomes
 * empty) and hands its memory to a new, unreferenced ArrayBuffer in the young generation, which
 * the next (frequent, cheap) young collection frees.
 *
 * Only for a Buffer that owns its whole ArrayBuffer (never a slice of Node's shared pool or of
 * another buffer) and only once nothing else will read it.
 */
/** Smaller buffers are left to the collector (a socket read is at most 64 KiB). */
export const FREE_BUFFER_MIN_BYTES = 16 * 1024;

export function freeBuffer(buffer: Buffer): void {
  if (buffer.byteLength < FREE_BUFFER_MIN_BYTES) return;
  const backing = buffer.buffer;
  if (!(backing instanceof ArrayBuffer) || buffer.byteOffset !== 0 || backing.byteLength !== buffer.byteLength) return;
  structuredClone(backing, { transfer: [backing] });
}

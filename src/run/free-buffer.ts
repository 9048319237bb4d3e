/**
 * Gives a large buffer's memory back now instead of at the next full garbage collection.
 *
 * A profile's bytes live from download to upload, long enough for V8 to move their Buffer to the
 * old generation, where it stays until a full collection: with 4 MB heap profiles streaming
 * through, tens of megabytes of bodies already stored waited there to be freed. Transferring the
 * ArrayBuffer detaches it (the Buffer becomes empty) and hands its memory to a new, unreferenced
 * ArrayBuffer in the young generation, which the next (frequent, cheap) young collection frees.
 *
 * Only for a Buffer that owns its whole ArrayBuffer (never a slice of Node's shared pool or of
 * another buffer) and only once nothing else will read it.
 */
export const FREE_BUFFER_MIN_BYTES = 64 * 1024;

export function freeBuffer(buffer: Buffer): void {
  if (buffer.byteLength < FREE_BUFFER_MIN_BYTES) return;
  const backing = buffer.buffer;
  if (!(backing instanceof ArrayBuffer) || buffer.byteOffset !== 0 || backing.byteLength !== buffer.byteLength) return;
  structuredClone(backing, { transfer: [backing] });
}

import { describe, expect, it } from 'vitest';
import { FREE_BUFFER_MIN_BYTES, freeBuffer } from '../src/free-buffer.js';

describe('freeBuffer', () => {
  it('detaches a large buffer that owns its memory (its bytes go to the next young collection)', () => {
    const body = Buffer.concat([Buffer.alloc(FREE_BUFFER_MIN_BYTES, 1), Buffer.alloc(10, 2)]);
    freeBuffer(body);
    expect(body.length).toBe(0);
    expect(body.buffer.byteLength).toBe(0);
  });

  it('leaves small buffers, slices and views of shared memory alone', () => {
    const small = Buffer.from('a small profile');
    const parent = Buffer.alloc(4 * FREE_BUFFER_MIN_BYTES, 7);
    const slice = parent.subarray(FREE_BUFFER_MIN_BYTES);
    const head = parent.subarray(0, 2 * FREE_BUFFER_MIN_BYTES);
    for (const buffer of [small, slice, head]) freeBuffer(buffer);
    expect(small.toString()).toBe('a small profile');
    expect(slice.length).toBe(3 * FREE_BUFFER_MIN_BYTES);
    expect(head.length).toBe(2 * FREE_BUFFER_MIN_BYTES);
    expect(parent.every((b) => b === 7)).toBe(true);
  });
});

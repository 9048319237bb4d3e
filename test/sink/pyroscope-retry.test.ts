import { describe, expect, it } from 'vitest';
import { shouldRetryPush } from '../../src/sink/pyroscope-error.js';

describe("shouldRetryPush: Alloy's writer rule", () => {
  it.each([
    // status answers: 5xx, 408 and 429 are retried whatever the code; any other 4xx never is
    [500, 'internal', true],
    [501, 'unimplemented', true],
    [503, 'unavailable', true],
    [504, 'deadline_exceeded', true],
    [408, 'deadline_exceeded', true],
    [429, 'resource_exhausted', true],
    [429, 'unavailable', true],
    [400, 'invalid_argument', false],
    [400, 'internal', false], // a proxy's 400 page: Connect calls it internal
    [401, 'unauthenticated', false],
    [403, 'permission_denied', false],
    [404, 'unimplemented', false],
    [409, 'aborted', false],
    [412, 'failed_precondition', false],
    [413, 'unknown', false],
    [499, 'canceled', false],
    // below 400 (a redirect, a 200 that is no Connect reply): the retryable Connect codes only
    [302, 'unknown', true],
    [302, 'invalid_argument', false],
  ] as const)('status %i with code %s: retry %s', (status, code, retry) => {
    expect(shouldRetryPush({ kind: 'status', status, code })).toBe(retry);
  });

  it('connection errors and timeouts are retried; an abort, a bad reply and a failed TLS handshake are not', () => {
    expect(shouldRetryPush({ kind: 'network' })).toBe(true);
    expect(shouldRetryPush({ kind: 'tls' })).toBe(false);
    expect(shouldRetryPush({ kind: 'timeout' })).toBe(true);
    expect(shouldRetryPush({ kind: 'aborted' })).toBe(false);
    expect(shouldRetryPush({ kind: 'bad-reply', status: 200, code: 'internal' })).toBe(false);
  });
});

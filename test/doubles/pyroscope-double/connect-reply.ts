/**
 * How a Connect server (connect-go, as Pyroscope runs it) answers a unary call: 200 with the
 * response message in the request's codec, or an error status with a JSON body
 * `{"code":"...","message":"..."}`. Statuses per Connect's current mapping
 * (/work/shared/PYROSCOPE_API.md).
 */
import type { ServerResponse } from 'node:http';

export type ConnectCode =
  | 'canceled'
  | 'unknown'
  | 'invalid_argument'
  | 'deadline_exceeded'
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'resource_exhausted'
  | 'failed_precondition'
  | 'aborted'
  | 'out_of_range'
  | 'unimplemented'
  | 'internal'
  | 'unavailable'
  | 'data_loss'
  | 'unauthenticated';

export const CONNECT_STATUS: Readonly<Record<ConnectCode, number>> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

export type Codec = 'proto' | 'json';

/** PushResponse is empty: zero bytes in binary, `{}` in JSON. */
export function replyEmptyMessage(res: ServerResponse, codec: Codec): void {
  const body = codec === 'proto' ? Buffer.alloc(0) : Buffer.from('{}');
  res.writeHead(200, { 'content-type': `application/${codec}`, 'content-length': String(body.length) });
  res.end(body);
}

export function replyConnectError(res: ServerResponse, code: ConnectCode, message: string): void {
  const body = Buffer.from(JSON.stringify(message === '' ? { code } : { code, message }));
  res.writeHead(CONNECT_STATUS[code], { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
}

/** Anything else, as given: a gateway's page, a proxy's 413. */
export function replyRaw(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

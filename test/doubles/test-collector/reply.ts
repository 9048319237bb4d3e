import type { ServerResponse } from 'node:http';

/**
 * The collector's reply shapes: `{"code":200,"body":...}\n` and `{"code":N,"error":"..."}\n`,
 * JSON written by Go's encoder (HTML characters escaped as \u003c...), labelled the way the real
 * server labels them: `text/plain; charset=utf-8` (Go sniffs the JSON as text), and
 * `application/octet-stream` for errors from the binary endpoints (get by id, merge).
 */

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const OCTET_STREAM = 'application/octet-stream';

export function replyBody(res: ServerResponse, body: unknown): void {
  send(res, 200, TEXT_PLAIN, goJson({ code: 200, body }));
}

export function replyError(res: ServerResponse, status: number, error: string, contentType = TEXT_PLAIN): void {
  send(res, status, contentType, goJson({ code: status, error }));
}

export function replyBytes(res: ServerResponse, bytes: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': OCTET_STREAM, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

/** Anything else: written as given (a proxy's HTML page, a truncated body...). */
export function replyRaw(res: ServerResponse, status: number, contentType: string, body: string): void {
  send(res, status, contentType, body);
}

function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length) });
  res.end(bytes);
}

/** `json.NewEncoder(w).Encode(v)`: HTML-safe escapes and a trailing newline. */
function goJson(value: unknown): string {
  const text = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}

/**
 * Extra request headers for the collector (a proxy in front of profefe may want a bearer token
 * or basic auth): `--profefe-header 'Name: value'` and `--profefe-header-file PATH`, one header
 * per line, e.g. a mounted Secret. Values are secrets: never logged, never in error messages.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHeader(line: string, source: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (!HEADER_NAME.test(name)) {
    throw new UsageError(`${source}: expected "Name: value" (the value is not shown here); got a line without a valid header name`);
  }
  const value = line.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`${source}: the value of header ${name} contains a line break or NUL`);
  return [name, value];
}

export function collectHeaders(flags: readonly string[], file: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const flag of flags) {
    const [name, value] = parseHeader(flag, '--profefe-header');
    headers[name] = value;
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--profefe-header-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      const [name, value] = parseHeader(line, `--profefe-header-file ${file} line ${i + 1}`);
      headers[name] = value;
    });
  }
  return headers;
}

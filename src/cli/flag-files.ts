/**
 * Files named by flags, read once per run at config time: every mistake is a UsageError naming
 * the flag and the file. Shared by --target-ca-file, --target-bearer-token-file and the
 * --pyroscope-*-file flags.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { UsageError } from './usage-error.js';

/** The file's content; `hint` (what to give instead) follows the reason it cannot be read. */
export function readFlagFile(flag: string, file: string, hint = ''): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})${hint}`);
  }
}

/** A PEM bundle of CA certificates, checked to load as Node's `ca` option. */
export function readCaFile(flag: string, file: string): string {
  const pem = readFlagFile(flag, file, ': give a PEM file of CA certificates, e.g. the ca.crt of a mounted Secret or ConfigMap');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`${flag} ${file}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----, e.g. the ca.crt of a Secret)`);
  }
  try {
    createSecureContext({ ca: pem });
  } catch (err) {
    throw new UsageError(`${flag} ${file}: not a valid PEM certificate (${(err as Error).message})`);
  }
  return pem;
}

/** Flag value parsers shared by both CLIs; every error names the flag and what is accepted. */
import { parseByteSize } from '../units/byte-size.js';
import { parseGoDuration } from '../units/go-duration.js';
import { parseProfileTypeList, PROFILE_TYPES, type ProfileType } from '../profile-types.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { UsageError } from './usage-error.js';

/** Commander's accumulator for a repeatable flag. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function positiveInt(flag: string, value: string, max = 1_000_000): number {
  if (!/^[0-9]+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${flag} "${value}": expected a whole number from 1 to ${max}`);
  }
  return Number(value);
}

export function durationMs(flag: string, value: string): number {
  try {
    const ms = parseGoDuration(value);
    if (ms <= 0) throw new Error('must be positive');
    return ms;
  } catch (err) {
    throw new UsageError(`${flag} "${value}": ${(err as Error).message}; expected a duration such as 30s, 1m or 1m30s`);
  }
}

/** Go's pprof takes whole seconds for the CPU profile. */
export function cpuSeconds(flag: string, value: string): number {
  const ms = durationMs(flag, value);
  if (ms % 1000 !== 0) throw new UsageError(`${flag} "${value}": the CPU profile takes whole seconds (Go's ?seconds=N), e.g. 10s`);
  return ms / 1000;
}

export function byteSize(flag: string, value: string): number {
  try {
    const bytes = parseByteSize(value);
    if (bytes < 1) throw new Error('must be positive');
    return bytes;
  } catch (err) {
    throw new UsageError(`${flag} "${value}": ${(err as Error).message}; expected a size such as 64MiB`);
  }
}

export function profileTypes(flag: string, value: string): ProfileType[] {
  const parsed = parseProfileTypeList(value);
  if ('unknown' in parsed) throw new UsageError(`${flag}: unknown profile type "${parsed.unknown}"; known types: ${PROFILE_TYPES.join(', ')}`);
  if (parsed.types.length === 0) throw new UsageError(`${flag}: no profile type given; known types: ${PROFILE_TYPES.join(', ')}`);
  return parsed.types;
}

export function logLevel(flag: string, value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new UsageError(`${flag} "${value}": expected one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

export function httpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}": expected a URL such as http://profefe-collector:10100`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} "${value}": only http:// and https:// URLs are supported`);
  if (url.username || url.password) throw new UsageError(`${flag}: put credentials in --profefe-header or --profefe-header-file, not in the URL`);
  return value.replace(/\/+$/, '');
}

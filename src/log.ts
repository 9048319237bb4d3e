import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON logs on stderr (one object per line, for log pipelines); human-readable when stderr is a
 * terminal. Writes are synchronous so nothing is lost when a CLI exits right after logging.
 * Request headers are never passed to the logger; `redact` is a second line of defence.
 */
export function createLogger(options: { level?: LogLevel; pretty?: boolean; name?: string } = {}): Logger {
  const level = options.level ?? 'info';
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  const base = {
    level,
    name: options.name,
    redact: { paths: ['headers', '*.headers', 'authorization', '*.authorization', 'token', '*.token'], censor: '[redacted]' },
  };
  if (usePretty) {
    return pino(base, pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything: for library callers and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

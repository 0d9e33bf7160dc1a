// Logging: structured JSON lines in the run directory (everything, debug included) and readable lines on
// the console (info by default). Every line passes the secret registry before it is written anywhere.
import { createWriteStream } from 'node:fs';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { SecretRegistry } from './secrets.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface LoggerHandle {
  log: Logger;
  /** Flushes and closes the log file. */
  close(): Promise<void>;
}

export function createLogger(o: { file?: string; verbosity: Verbosity; secrets: SecretRegistry; color: boolean }): LoggerHandle {
  const consoleLevel = o.verbosity === 'quiet' ? 'warn' : o.verbosity === 'verbose' ? 'debug' : 'info';
  const consoleStream = pretty({
    destination: 2,
    sync: true,
    colorize: o.color,
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss',
    singleLine: true,
  });
  const fileStream = o.file ? createWriteStream(o.file, { flags: 'a' }) : undefined;
  const streams: pino.StreamEntry[] = [{ level: consoleLevel, stream: consoleStream }];
  if (fileStream) streams.push({ level: 'debug', stream: fileStream });
  const log = pino(
    {
      level: 'debug',
      base: { tool: 'otconform' },
      // Path-based redaction for fields that are secrets by name; value-based redaction below for the rest.
      redact: { paths: ['password', '*.password', '*.*.password', 'privateKey', '*.privateKey'], censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => o.secrets.redact(line) },
    },
    pino.multistream(streams),
  );
  return {
    log,
    close: () =>
      new Promise((resolve) => {
        if (!fileStream) return resolve();
        fileStream.end(() => resolve());
      }),
  };
}

import pino, { type DestinationStream, type Logger } from 'pino';
import { hostname } from 'node:os';
import { redactPaths } from './redact-paths.ts';

/** The control plane's logger: JSON lines with the secret paths redacted. `destination` defaults to stdout. */
export function createControlLogger(level: string, destination?: DestinationStream, bindings?: Record<string, unknown>): Logger {
  // `bindings` join pino's pid and hostname on every line (a cluster worker adds its id).
  const base = bindings === undefined ? {} : { base: { pid: process.pid, hostname: hostname(), ...bindings } };
  const options = { level, redact: { paths: [...redactPaths], censor: '[redacted]' }, ...base };
  return destination === undefined ? pino(options) : pino(options, destination);
}

import pino, { type DestinationStream, type Logger } from 'pino';
import { redactPaths } from './redact-paths.ts';

/** The control plane's logger: JSON lines with the secret paths redacted. `destination` defaults to stdout. */
export function createControlLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: [...redactPaths], censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

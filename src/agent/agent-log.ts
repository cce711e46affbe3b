/**
 * Where the agent says what it does. The CLI writes lines to stderr; the `local` power driver forwards them to
 * the control plane's log. Fields never hold a secret: the agent passes the image's display URL, phases, sizes,
 * catalogue codes and messages (already redacted by the deploy library), never headers, tokens or user data.
 */
export interface AgentLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A log that drops everything. */
export const silentAgentLog: AgentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One line per message on `write` (stderr for the CLI): `byoi-agent: message key=value ...`. */
export function lineAgentLog(write: (line: string) => void): AgentLog {
  const line = (level: string, message: string, fields: Record<string, unknown> = {}) => {
    const extra = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
      .join(' ');
    write(`byoi-agent: ${level === 'info' ? '' : `${level}: `}${message}${extra === '' ? '' : ` ${extra}`}\n`);
  };
  return {
    info: (message, fields) => line('info', message, fields),
    warn: (message, fields) => line('warn', message, fields),
    error: (message, fields) => line('error', message, fields),
  };
}

import { createConnection, type Socket } from 'node:net';

/** One QMP command (QEMU "QMP Specification": {"execute": name, "arguments": {...}, "id": ...}). */
export interface QmpCommand {
  execute: string;
  arguments?: Record<string, unknown>;
}

/** A failure talking QMP: `kind` tells the driver which catalogue error to raise. */
export class QmpFailure extends Error {
  readonly kind: 'not-running' | 'timeout' | 'error' | 'protocol';
  /** For kind 'error': QMP's error class (GenericError, CommandNotFound...). */
  readonly qmpClass: string | undefined;
  constructor(kind: QmpFailure['kind'], message: string, qmpClass?: string) {
    super(message);
    this.name = 'QmpFailure';
    this.kind = kind;
    this.qmpClass = qmpClass;
  }
}

/**
 * Runs `commands` in order over one short QMP session on a unix socket and returns each `return` value.
 * The session follows the QMP spec: read the greeting `{"QMP": {...}}`, send `qmp_capabilities` to leave
 * capabilities negotiation, then the commands, matching answers by `id` and skipping asynchronous
 * `{"event": ...}` messages. The connection is closed afterwards: a QMP socket serves one client at a time,
 * so holding it would lock out the lab tooling. `quit` may close the socket before answering; that counts as done.
 */
export async function qmpExecute(socketPath: string, commands: readonly QmpCommand[], options: { timeoutMs: number }): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    let socket: Socket | undefined;
    let buffer = '';
    let greeted = false;
    let next = -1; // -1: qmp_capabilities; 0..n-1: commands
    const results: unknown[] = [];
    let settled = false;

    const finish = (error: QmpFailure | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      if (error !== undefined) reject(error);
      else resolve(results);
    };
    const timer = setTimeout(() => {
      const stage = !greeted ? 'waiting for the QMP greeting (is another client holding the socket?)' : `waiting for ${next < 0 ? 'qmp_capabilities' : commands[next]?.execute}`;
      finish(new QmpFailure('timeout', `no answer within ${options.timeoutMs} ms ${stage}`));
    }, options.timeoutMs);

    const send = () => {
      const command = next < 0 ? { execute: 'qmp_capabilities' } : commands[next];
      socket?.write(`${JSON.stringify({ ...command, id: `byoi-${next + 1}` })}\n`);
    };

    socket = createConnection({ path: socketPath });
    socket.setEncoding('utf8');
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') finish(new QmpFailure('not-running', `${error.code} on ${socketPath}`));
      else finish(new QmpFailure('protocol', `socket error: ${error.message}`));
    });
    socket.on('close', () => {
      // `quit` closes the connection as QEMU exits, sometimes before its answer is read.
      if (next >= 0 && commands[next]?.execute === 'quit') {
        results.push({});
        finish(undefined);
      } else finish(new QmpFailure('protocol', 'QEMU closed the QMP connection'));
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === '') continue;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          finish(new QmpFailure('protocol', `not JSON: ${line.slice(0, 80)}`));
          return;
        }
        if (!greeted) {
          if (!('QMP' in message)) {
            finish(new QmpFailure('protocol', 'the socket does not speak QMP (no greeting)'));
            return;
          }
          greeted = true;
          send();
          continue;
        }
        if ('event' in message) continue;
        if (message.id !== `byoi-${next + 1}`) continue;
        if ('error' in message) {
          const error = message.error as { class?: string; desc?: string };
          finish(new QmpFailure('error', `${next < 0 ? 'qmp_capabilities' : commands[next]?.execute}: ${error.desc ?? 'error'}`, error.class));
          return;
        }
        if (next >= 0) results.push(message.return);
        next++;
        if (next >= commands.length) {
          finish(undefined);
          return;
        }
        send();
      }
    });
  });
}

import { request, type Dispatcher } from 'undici';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A minimal EventSource for tests: GETs `url`, parses text/event-stream frames as they arrive. */
export async function openEventStream(
  url: string,
  headers: Record<string, string>,
  dispatcher?: Dispatcher,
): Promise<{
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  next(timeoutMs?: number): Promise<SseEvent | null>;
  close(): void;
}> {
  const controller = new AbortController();
  const response = await request(url, { method: 'GET', headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal, dispatcher });
  const queue: Array<SseEvent | null> = [];
  const waiters: Array<(event: SseEvent | null) => void> = [];
  const push = (event: SseEvent | null) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else queue.push(event);
  };
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body) {
        buffer += String(chunk);
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { id: undefined, event: 'message', data: '' };
          let hasData = false;
          for (const line of frame.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') event.id = value;
            else if (field === 'event') event.event = value;
            else if (field === 'data') {
              event.data += (hasData ? '\n' : '') + value;
              hasData = true;
            }
          }
          if (hasData) push(event);
        }
      }
    } catch {
      // aborted by close()
    }
    push(null);
  })();
  return {
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    headers: response.headers,
    next(timeoutMs = 5000) {
      const ready = queue.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no SSE event in time')), timeoutMs);
        waiters.push((event) => {
          clearTimeout(timer);
          resolve(event);
        });
      });
    },
    close() {
      controller.abort();
    },
  };
}

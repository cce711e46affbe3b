/**
 * Coalesces the reads of one kind asked for in the same event-loop turn into one query per turn (up to
 * `maxKeys` keys a query). For PostgreSQL's per-request reads: every statement costs a round trip, the pg
 * client's work and the backend's, and under load many requests ask in the same turn. Nothing is kept between
 * batches: a batch is a fresh read issued after its callers asked, so they see what a read of their own would.
 */
export interface ReadBatcherOptions<Key, Row> {
  /** At most this many distinct keys per query; more in one turn make more queries. @default 128 */
  maxKeys?: number;
  /** A key as text: callers with the same id share one key of the query. */
  idOfKey(key: Key): string;
  /** The id of the key a row answers. */
  idOfRow(row: Row): string;
  /** Reads the rows of `keys` (distinct) in one query; a key without a row has none. */
  fetch(keys: Key[]): Promise<Row[]>;
}

/** Resolves to the key's row, or undefined when it has none; rejects with the batch's error. */
export type LoadRow<Key, Row> = (key: Key) => Promise<Row | undefined>;

interface Waiting<Key, Row> {
  key: Key;
  callers: Array<{ resolve(row: Row | undefined): void; reject(error: unknown): void }>;
}

/** Keys per query unless told: a statement's parameter array stays small, and a boot storm's turn rarely has more. */
const defaultMaxKeys = 128;

export function createReadBatcher<Key, Row>(options: ReadBatcherOptions<Key, Row>): LoadRow<Key, Row> {
  const maxKeys = options.maxKeys ?? defaultMaxKeys;
  let waiting: Map<string, Waiting<Key, Row>> | undefined;

  function dispatch(): void {
    const batch = [...(waiting?.values() ?? [])];
    waiting = undefined;
    for (let start = 0; start < batch.length; start += maxKeys) void run(batch.slice(start, start + maxKeys));
  }

  async function run(batch: Array<Waiting<Key, Row>>): Promise<void> {
    let rows: Row[];
    try {
      rows = await options.fetch(batch.map((entry) => entry.key));
    } catch (error) {
      for (const entry of batch) for (const caller of entry.callers) caller.reject(error);
      return;
    }
    const byId = new Map<string, Row>();
    // The first row per key, as a single-key read's rows[0].
    for (const row of rows) if (!byId.has(options.idOfRow(row))) byId.set(options.idOfRow(row), row);
    for (const entry of batch) {
      const row = byId.get(options.idOfKey(entry.key));
      for (const caller of entry.callers) caller.resolve(row);
    }
  }

  return (key) =>
    new Promise<Row | undefined>((resolve, reject) => {
      if (waiting === undefined) {
        waiting = new Map();
        // setImmediate runs after the poll phase: the requests whose bytes arrived in this turn have asked by then.
        setImmediate(dispatch);
      }
      const id = options.idOfKey(key);
      let entry = waiting.get(id);
      if (entry === undefined) {
        entry = { key, callers: [] };
        waiting.set(id, entry);
      }
      entry.callers.push({ resolve, reject });
    });
}

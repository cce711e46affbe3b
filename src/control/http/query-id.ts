import { randomFillSync } from 'node:crypto';

const idBytes = 8;
const poolIds = 512;
const pool = Buffer.alloc(idBytes * poolIds);
let next = poolIds;

/**
 * A fresh query id, `BYOI.` + 16 hex digits (8 random bytes): byoi's request id, sent back as X-Ovh-QueryID
 * (go-ovh reports it) so a client's report finds the log line. The bytes come from a pool refilled 512 ids at a
 * time: one randomFillSync() per request cost about 5 % of a boot script's CPU.
 */
export function newQueryId(): string {
  if (next === poolIds) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next * idBytes;
  next += 1;
  return `BYOI.${pool.toString('hex', start, start + idBytes)}`;
}

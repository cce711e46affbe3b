import { ByoiError } from '../../contract/errors/byoi-error.ts';

export interface RequestLimits {
  /** At most this many at once for one account. */
  perAccount: number;
  /** At most this many at once in all. */
  total: number;
  /** At most this many started per account in a sliding minute. */
  perMinute: number;
}

/** Bounds an expensive request (the image inspection reads a remote image): concurrency and rate per account. */
export interface RequestLimiter {
  /**
   * Takes a slot for the account, or throws BYOI_API_TOO_MANY_REQUESTS (429) saying which limit was reached.
   * Returns the function that gives the slot back (call it once, in a finally).
   */
  acquire(accountId: number): () => void;
}

export function createRequestLimiter(limits: RequestLimits, now: () => number = Date.now): RequestLimiter {
  const running = new Map<number, number>();
  const started = new Map<number, number[]>();
  let total = 0;
  return {
    acquire(accountId) {
      const time = now();
      const recent = (started.get(accountId) ?? []).filter((at) => at > time - 60_000);
      if ((running.get(accountId) ?? 0) >= limits.perAccount) {
        throw new ByoiError('BYOI_API_TOO_MANY_REQUESTS', { reason: `this account already has ${limits.perAccount} running; wait for it to end` });
      }
      if (total >= limits.total) {
        throw new ByoiError('BYOI_API_TOO_MANY_REQUESTS', { reason: `${limits.total} are running on this control plane; try again in a few seconds` });
      }
      if (recent.length >= limits.perMinute) {
        const wait = Math.ceil(((recent[0] as number) + 60_000 - time) / 1000);
        throw new ByoiError('BYOI_API_TOO_MANY_REQUESTS', { reason: `${limits.perMinute} per minute per account; try again in ${wait} seconds` });
      }
      recent.push(time);
      started.set(accountId, recent);
      running.set(accountId, (running.get(accountId) ?? 0) + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (running.get(accountId) ?? 1) - 1;
        if (left === 0) running.delete(accountId);
        else running.set(accountId, left);
      };
    },
  };
}

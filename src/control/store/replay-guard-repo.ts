import { createHash } from 'node:crypto';
import type { Store } from './open-store.ts';
import { isUniqueViolation } from './open-store.ts';
import { nowIso } from './now-iso.ts';

/**
 * Records a signature that must not be accepted again before `expiresAt`; returns false when it was already
 * recorded (a replay). The database, not memory, holds them, so a replay is caught across restarts and
 * across several control-plane instances.
 */
export async function recordSignature(store: Store, signature: string, expiresAt: number): Promise<boolean> {
  const signatureHash = createHash('sha256').update(signature).digest('hex');
  try {
    await store.db.insertInto('replay_guard').values({ signature_hash: signatureHash, expires_at: nowIso(expiresAt) }).execute();
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // An expired entry that the purge has not removed yet is not a replay.
    const row = await store.db.selectFrom('replay_guard').select('expires_at').where('signature_hash', '=', signatureHash).executeTakeFirst();
    if (row !== undefined && row.expires_at > nowIso()) return false;
    await store.db.updateTable('replay_guard').set({ expires_at: nowIso(expiresAt) }).where('signature_hash', '=', signatureHash).execute();
    return true;
  }
}

export async function purgeSignatures(store: Store, now: number = Date.now()): Promise<void> {
  await store.db.deleteFrom('replay_guard').where('expires_at', '<=', nowIso(now)).execute();
}

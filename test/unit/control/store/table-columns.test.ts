import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openStore } from '../../../../src/control/store/open-store.ts';
import { credentialColumns, serverColumns, taskColumns } from '../../../../src/control/store/table-columns.ts';

test('table-columns lists every column of the migrated credentials, servers and tasks tables, in table order', async () => {
  const store = await openStore({ url: 'sqlite::memory:', masterKey: randomBytes(32) });
  try {
    for (const [table, columns] of [['credentials', credentialColumns], ['servers', serverColumns], ['tasks', taskColumns]] as const) {
      const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(store.db);
      assert.deepEqual([...columns], rows.map((row) => row.name), table);
    }
  } finally {
    await store.close();
  }
});

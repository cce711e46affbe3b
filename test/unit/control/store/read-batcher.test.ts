import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadBatcher } from '../../../../src/control/store/read-batcher.ts';

interface Row {
  key: string;
  value: number;
}

/** A batcher over a fake table; `fetches` records the keys of every query. */
function fakeTable(rows: Row[], options: { maxKeys?: number; fail?: (keys: string[]) => Error | undefined } = {}) {
  const fetches: string[][] = [];
  const load = createReadBatcher<string, Row>({
    maxKeys: options.maxKeys ?? 128,
    idOfKey: (key) => key,
    idOfRow: (row) => row.key,
    fetch: async (keys) => {
      fetches.push(keys);
      const error = options.fail?.(keys);
      if (error !== undefined) throw error;
      return rows.filter((row) => keys.includes(row.key));
    },
  });
  return { load, fetches };
}

test('reads asked for in the same turn make one query, each caller getting its own row', async () => {
  const { load, fetches } = fakeTable([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
  const [a, b] = await Promise.all([load('a'), load('b')]);
  assert.deepEqual(a, { key: 'a', value: 1 });
  assert.deepEqual(b, { key: 'b', value: 2 });
  assert.deepEqual(fetches, [['a', 'b']]);
});

test('a key asked for twice in a turn is sent once and answers both callers', async () => {
  const { load, fetches } = fakeTable([{ key: 'a', value: 1 }]);
  const [first, second] = await Promise.all([load('a'), load('a')]);
  assert.deepEqual(first, { key: 'a', value: 1 });
  assert.deepEqual(second, { key: 'a', value: 1 });
  assert.deepEqual(fetches, [['a']]);
});

test('a key without a row resolves to undefined, the others to their rows', async () => {
  const { load } = fakeTable([{ key: 'a', value: 1 }]);
  assert.deepEqual(await Promise.all([load('a'), load('missing')]), [{ key: 'a', value: 1 }, undefined]);
});

test('nothing is kept between turns: a later read queries again and sees the change', async () => {
  const rows = [{ key: 'a', value: 1 }];
  const { load, fetches } = fakeTable(rows);
  assert.equal((await load('a'))?.value, 1);
  rows[0] = { key: 'a', value: 2 };
  assert.equal((await load('a'))?.value, 2);
  assert.deepEqual(fetches, [['a'], ['a']]);
});

test('more keys than maxKeys in a turn make several queries of at most maxKeys', async () => {
  const rows = ['a', 'b', 'c', 'd', 'e'].map((key, value) => ({ key, value }));
  const { load, fetches } = fakeTable(rows, { maxKeys: 2 });
  const values = await Promise.all(rows.map((row) => load(row.key)));
  assert.deepEqual(values, rows);
  assert.deepEqual(fetches, [['a', 'b'], ['c', 'd'], ['e']]);
});

test('a failed query rejects its own callers with its error, and no one else', async () => {
  const failure = new Error('connection terminated');
  const rows = ['a', 'b', 'c'].map((key, value) => ({ key, value }));
  const { load } = fakeTable(rows, { maxKeys: 2, fail: (keys) => (keys.includes('a') ? failure : undefined) });
  const results = await Promise.allSettled([load('a'), load('b'), load('c')]);
  assert.deepEqual(results, [
    { status: 'rejected', reason: failure },
    { status: 'rejected', reason: failure },
    { status: 'fulfilled', value: { key: 'c', value: 2 } },
  ]);
  // The next turn's batch is a new query.
  assert.deepEqual(await load('c'), { key: 'c', value: 2 });
});

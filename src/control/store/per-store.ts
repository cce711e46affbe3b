import type { Store } from './open-store.ts';

/**
 * Makes `make(store)` once per open store and hands out the same value after: for the per-request readers whose
 * SQL is compiled, whose statement is prepared or whose batcher is built once (building costs more than a read).
 */
export function perStore<T>(make: (store: Store) => T): (store: Store) => T {
  const made = new WeakMap<Store, T>();
  return (store) => {
    let value = made.get(store);
    if (value === undefined) {
      value = make(store);
      made.set(store, value);
    }
    return value;
  };
}

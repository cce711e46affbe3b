import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of a value being loaded. */
export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeping the current data on screen meanwhile). */
  reload: () => void;
}

/**
 * Loads `load()` when `key` changes, and again every `refreshMs` while `refreshMs` is not null. Answers that
 * arrive after a newer load started are dropped.
 */
export function useAsync<T>(load: () => Promise<T>, key: string, refreshMs: number | null = null): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (generation.current !== mine) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (generation.current !== mine) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    run();
    return () => {
      generation.current++;
    };
  }, [key, run]);

  useEffect(() => {
    if (refreshMs === null) return;
    const timer = setInterval(run, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, run, key]);

  return { data, error, loading, reload: run };
}

/** Runs `work` over `items` with at most `limit` at a time (browsers keep 6 connections per origin). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

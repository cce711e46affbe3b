import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Store } from '../../../../src/control/store/open-store.ts';

/** A view of a store in which another writer's change lands between a read and the write that follows it. */
export interface RacingStore {
  /** Give this to the code under test (createTaskService({ store })): the seam is its store, not a test hook. */
  store: Store;
  /**
   * Once: the `nth` SELECT made through the view from now on gets its rows, then `change` runs to its end, then
   * the caller gets those rows, as when a concurrent request commits in that gap. `change` must write through
   * another store (openStore() again): the view's query still holds its connection, and SQLite has only one.
   */
  afterRead(nth: number, change: () => Promise<void>): void;
}

export function racingStore(store: Store): RacingStore {
  let armed: { left: number; change: () => Promise<void> } | undefined;
  const selects = new WeakSet<QueryId>();
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      if (armed !== undefined && args.node.kind === 'SelectQueryNode') selects.add(args.queryId);
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (armed !== undefined && selects.has(args.queryId)) {
        armed.left -= 1;
        if (armed.left === 0) {
          const { change } = armed;
          armed = undefined;
          await change();
        }
      }
      return args.result;
    },
  };
  return {
    store: { ...store, db: store.db.withPlugin(plugin) },
    afterRead(nth, change) {
      armed = { left: nth, change };
    },
  };
}

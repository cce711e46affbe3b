import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Store } from './open-store.ts';
import type {} from '../http/fastify-types.ts';

/**
 * Shares the store with every plugin (`app.store`). The store is opened by the caller (serve, tests, admin
 * CLI) so one handle can outlive an app; `closeWithApp` hands its closing to the app's onClose.
 */
export const storePlugin = fp(
  async (app: FastifyInstance, options: { store: Store; closeWithApp: boolean }) => {
    app.decorate('store', options.store);
    if (options.closeWithApp) app.addHook('onClose', async () => options.store.close());
  },
  { name: 'byoi-store', fastify: '5.x' },
);

import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { ovhAuthHook } from '../auth/auth-hook.ts';
import { publicAuthRoutes } from './routes/public-auth-routes.ts';
import { signedAuthRoutes } from './routes/signed-auth-routes.ts';
import { serverRoutes } from './routes/server-routes.ts';
import { installRoutes } from './routes/install-routes.ts';
import { taskRoutes } from './routes/task-routes.ts';
import { taskEventsRoute } from './routes/task-events-route.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { imageInspectRoute } from './routes/image-inspect-route.ts';

/**
 * The OVH-compatible API, registered once per prefix (/1.0 and /v1 are the same API). Two scopes: the
 * public auth routes, and everything else behind the signature hook, which stays inside its scope.
 */
export async function ovhApiPlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  await app.register(publicAuthRoutes, { config: options.config });
  await app.register(async (signed) => {
    signed.addHook('preValidation', ovhAuthHook(options.config));
    await signed.register(signedAuthRoutes, { config: options.config });
    await signed.register(serverRoutes);
    await signed.register(installRoutes);
    await signed.register(taskRoutes);
    await signed.register(taskEventsRoute);
    await signed.register(imageInspectRoute);
    await signed.register(adminRoutes);
  });
}

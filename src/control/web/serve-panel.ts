import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build:web` (vite build) writes the panel. */
export const defaultPanelDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** The paths of the panel's pages: the single-page app routes them itself (web/src/app/router.tsx). */
export const panelPagePaths = ['/', '/servers', '/servers/*'] as const;

// The panel talks to its own origin only; nothing inline runs (Vite emits files), and it is never framed.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the web panel: its pages (index.html for every panel path, so reloads and shared links work) and its
 * hashed assets under /assets/ (cached for a year). Only these paths: everything else stays the API's, whose
 * unknown paths keep answering OVH's 404. The panel uses the public API and the SSE stream like any client
 * (docs/API.md §2.4 for its session).
 *
 * When the panel was not built (a checkout without `npm run build:web`), the pages say how to build it.
 */
export function servePanel(options: { dir?: string } = {}) {
  const dir = options.dir ?? defaultPanelDir;
  return async function panel(app: FastifyInstance): Promise<void> {
    const indexPath = join(dir, 'index.html');
    const assets = join(dir, 'assets');
    if (existsSync(assets)) {
      await app.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        index: false,
        list: false,
        // File names carry a content hash: a new build has new names.
        maxAge: '365d',
        immutable: true,
      });
    }
    const page = (reply: FastifyReply) => {
      reply.header('content-security-policy', contentSecurityPolicy);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-cache');
      reply.type('text/html; charset=utf-8');
      // Read on each request: a rebuild is served without a restart (the file is under 1 KiB).
      if (existsSync(indexPath)) return reply.send(readFileSync(indexPath));
      return reply.code(503).send(notBuiltPage);
    };
    for (const path of panelPagePaths) app.get(path, { schema: { hide: true }, logLevel: 'warn' }, (_request, reply) => page(reply));
  };
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>byoi: the panel is not built</title></head>
<body>
<h1>The web panel is not built</h1>
<p>Build it with <code>npm run build:web</code> (<code>npm start</code> does it for you), then reload this page.</p>
<p>The API works without it: see <code>docs/API.md</code>.</p>
</body></html>
`;

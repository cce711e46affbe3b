import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web panel's build: web/ → web/dist/, which `byoi serve` serves at / (src/control/web/serve-panel.ts).
 * `npm run build:web` builds it; `npm start` and the browser tests build it when it is missing or stale
 * (scripts/ensure-web-build.mjs).
 *
 * For development, `npx vite --config web/vite.config.ts` serves the panel with hot reload and forwards the API
 * to a `byoi serve` on 127.0.0.1:8080 (BYOI_API to change it). Signatures still match: the panel signs with
 * its own origin, which the proxy passes on as the Host header.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The panel imports the contract's validators from ../src; nothing else outside web/ is bundled.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: Object.fromEntries(
      ['/1.0', '/v1', '/demo'].map((path) => [path, { target: process.env.BYOI_API ?? 'http://127.0.0.1:8080', changeOrigin: false }]),
    ),
  },
});

// Builds the analyst SPA (src/client) into dist/client, which the web server serves at /.
// In development, `npx vite` serves it on 5173 and forwards the API and the live socket to the server on 3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = 'http://localhost:3000';

export default defineConfig({
  root: 'src/client',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/client',
    emptyOutDir: true,
    // The CSP is default-src 'self': no inlined module-preload polyfill or data: scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/ws': { target: server, ws: true },
    },
  },
  preview: { port: 4173 },
});

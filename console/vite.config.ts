import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into the service's dist/ folder (git-ignored), which the service serves at /console.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No data: URIs or inline code: the CSP allows only files from the console's own origin.
    assetsInlineLimit: 0,
    sourcemap: false,
    // .vite/manifest.json: how the service tells a build from the sources (and which files it has).
    manifest: true,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } } },
});

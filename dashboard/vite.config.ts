// Builds the dashboard into dist/dashboard, served by the API process under /dashboard/.
// JSX goes through esbuild's automatic runtime, so no framework plugin is needed.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  esbuild: { jsx: 'automatic' },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      // React Query marks modules "use client" for server-component bundlers; meaningless in a browser bundle.
      onwarn(w, warn) {
        if (w.code !== 'MODULE_LEVEL_DIRECTIVE' && w.code !== 'SOURCEMAP_ERROR') warn(w);
      },
    },
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The seat-map page, built into dist/web and served by the API at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  logLevel: 'warn',
});

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
  plugins: [
    {
      // The page's entry runs whole as it loads: V8's explicit compile hint has it compiled eagerly,
      // off the main thread while it streams, instead of function by function on first call.
      name: 'compile-hints',
      generateBundle(_options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === 'chunk' && chunk.isEntry) chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
        }
      },
    },
  ],
});

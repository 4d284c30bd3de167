// Builds the dashboard into web/dist; the server serves it at /. Run from the repo root: `vite build web`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** .gz and .br copies of the hashed assets, for a server that serves precompressed files. */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'aether-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = join(c.root, c.build.outDir);
    },
    closeBundle() {
      const dir = join(outDir, 'assets');
      for (const name of readdirSync(dir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const buf = readFileSync(join(dir, name));
        writeFileSync(join(dir, `${name}.gz`), gzipSync(buf, { level: 9 }));
        writeFileSync(join(dir, `${name}.br`), brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  base: '/',
  // TSX uses the automatic JSX runtime; no React plugin is needed for a production build.
  esbuild: { jsx: 'automatic' },
  plugins: [precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        // React and uPlot change rarely: their own chunks stay cached across dashboard releases.
        manualChunks: (id) => (id.includes('node_modules/uplot') ? 'uplot' : /node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : undefined),
      },
    },
  },
  server: {
    // `npx vite web` during development, with the API on :8000 (`npm run dev`).
    proxy: { '/api': 'http://127.0.0.1:8000', '/v1': 'http://127.0.0.1:8000', '/health': 'http://127.0.0.1:8000' },
  },
});

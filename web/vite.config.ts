import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Writes a brotli (.br) and a gzip (.gz) copy beside each built asset, once per build, so the
 * server sends them as they are (@fastify/static `preCompressed`) instead of compressing every
 * response again. index.html is left out: the server fills a fresh nonce into it for each answer.
 * The largest files (the image viewer's) get a faster brotli level: the best one takes many
 * seconds on them for a few per cent.
 */
function precompress(): Plugin {
  let assets = '';
  return {
    name: 'consilium:precompress',
    apply: 'build',
    configResolved(config) {
      assets = path.resolve(config.root, config.build.outDir, config.build.assetsDir);
    },
    async closeBundle() {
      const files = (await fs.readdir(assets)).filter((f) => /\.(js|css|wasm|svg|json)$/.test(f));
      await Promise.all(files.map(async (name) => {
        const raw = await fs.readFile(path.join(assets, name));
        if (raw.length < 1024) return;
        const quality = raw.length > 1_000_000 ? 9 : zlib.constants.BROTLI_MAX_QUALITY;
        const copies = await Promise.all([
          brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }).then((b) => ['br', b] as const),
          gzip(raw, { level: zlib.constants.Z_BEST_COMPRESSION }).then((b) => ['gz', b] as const),
        ]);
        // A copy no smaller than the file itself is not worth sending.
        for (const [ext, body] of copies) if (body.length < raw.length) await fs.writeFile(path.join(assets, `${name}.${ext}`), body);
      }));
    },
  };
}

export default defineConfig({
  root: path.resolve(import.meta.dirname),
  plugins: [react(), precompress()],
  // The DICOM image loader starts its codecs as module workers (WebAssembly inside).
  worker: { format: 'es' },
  // The server swaps this placeholder for a fresh nonce in every page it sends (Content-Security-Policy).
  html: { cspNonce: '__CSP_NONCE__' },
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'], include: ['dicom-parser'] },
  build: {
    outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 6000,
    rolldownOptions: {
      output: {
        // Pages load on first use (App.tsx). Libraries are grouped so that a page fetches a few
        // files, not dozens of slivers, and a release that changes only our code keeps them cached:
        // React, the router and i18next on every page; the UI kit on every page; the upload widget only
        // with a case. The image viewer is its own chunk already (a dynamic import in the viewer).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser|@tanstack|i18next|react-i18next|html-parse-stringify|void-elements)[\\/]/, priority: 3 },
            { name: 'ui', test: /node_modules[\\/]@mantine[\\/]/, priority: 2, tags: ['$initial'] },
            { name: 'uploads', test: /node_modules[\\/](@uppy|tus-js-client)[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/fhir': 'http://localhost:3000', '/dicomweb': 'http://localhost:3000' } },
});

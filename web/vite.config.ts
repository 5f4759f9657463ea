import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: path.resolve(import.meta.dirname),
  plugins: [react()],
  // The DICOM image loader starts its codecs as module workers (WebAssembly inside).
  worker: { format: 'es' },
  // The server swaps this placeholder for a fresh nonce in every page it sends (Content-Security-Policy).
  html: { cspNonce: '__CSP_NONCE__' },
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'], include: ['dicom-parser'] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 6000 },
  server: { proxy: { '/api': 'http://localhost:3000', '/fhir': 'http://localhost:3000', '/dicomweb': 'http://localhost:3000' } },
});

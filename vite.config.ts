import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const logDir = resolve(here, 'src/log');
const browserCrypto = resolve(logDir, 'crypto.browser.ts');

/**
 * src/log reaches crypto only through './crypto.js' (node:crypto). In the browser the same
 * verification code must run over @noble, so every such import from inside src/log is pointed at
 * crypto.browser.ts, which has the same exports and is tested to give the same results.
 */
function browserLogCrypto(): Plugin {
  return {
    name: 'custos-browser-log-crypto',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== './crypto.js' || importer === undefined) return null;
      return dirname(resolve(importer)) === logDir ? browserCrypto : null;
    },
  };
}

export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [browserLogCrypto(), react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The map atlas and charts are lazy chunks; warn only when one of them grows unreasonably.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/log': 'http://localhost:8080',
      '/healthz': 'http://localhost:8080',
    },
  },
});

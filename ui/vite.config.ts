import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `base: './'` keeps every asset URL relative, so the same dist/ works from
// Tauri's custom protocol and from `duet serve`'s static server.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npm run dev` against a running `duet serve`: DUET_API=http://127.0.0.1:PORT. duet serve
    // answers requests addressed to itself from its own page only, so the proxy presents them
    // as such: its own Host, and no Origin of the dev server's.
    proxy: process.env.DUET_API
      ? {
          '/api': {
            target: process.env.DUET_API,
            changeOrigin: true,
            configure: (proxy) => proxy.on('proxyReq', (request) => request.removeHeader('origin')),
          },
        }
      : undefined,
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});

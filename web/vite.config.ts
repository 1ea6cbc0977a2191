/// <reference types="vitest/config" />
// The admin app's build: two HTML entries (the app and the GraphiQL page) under
// the base /admin/, a service worker compiled from src/sw.ts that precaches the
// app shell (never GraphiQL, never /graphql), and a dev/preview proxy to a
// running berth for /graphql and /graphql/ws.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/** The berth that `npm run dev` and `npm run preview` forward the API to. */
const berthUrl = process.env.BERTH_URL ?? 'http://127.0.0.1:8080';

/**
 * The Content-Security-Policy berth sends with the app's pages, so that
 * `npm run preview` (and the e2e tests while they run on it) refuse what
 * berth would refuse, e.g. an inline script.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/**
 * /graphql (and its WebSocket) and /media (photo uploads, images) forwarded to
 * berth. berth refuses requests whose
 * Origin is neither its own nor an allowed one, and honours the session cookie
 * only for same-origin requests, so the proxy presents berth's own origin.
 */
const apiProxy: ProxyOptions = {
  target: berthUrl,
  changeOrigin: true,
  ws: true,
  configure(proxy) {
    const origin = new URL(berthUrl).origin;
    proxy.on('proxyReq', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', origin);
    });
    proxy.on('proxyReqWs', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', origin);
    });
  },
};

interface ViteManifestChunk {
  file: string;
  css?: string[];
  assets?: string[];
  imports?: string[];
  dynamicImports?: string[];
}

/**
 * The files the app (index.html) can load: its entry, static and lazy imports,
 * their CSS and assets. Read from Vite's build manifest, so GraphiQL's own
 * chunks (reachable only from graphiql.html) are left out of the precache.
 */
function appFiles(): Set<string> {
  const manifest = JSON.parse(
    readFileSync(`${webDir}dist/.vite/manifest.json`, 'utf8'),
  ) as Record<string, ViteManifestChunk>;
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(key)) return;
    seen.add(key);
    files.add(chunk.file);
    for (const f of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(f);
    for (const k of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(k);
  };
  if (!manifest['index.html']) throw new Error('dist/.vite/manifest.json has no index.html entry');
  visit('index.html');
  return files;
}

export default defineConfig({
  base: '/admin/',
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      base: '/admin/',
      scope: '/admin/',
      // The app registers the worker itself (src/lib/service-worker.ts): no
      // script is injected into the HTML.
      injectRegister: false,
      // public/manifest.webmanifest is the manifest, linked from index.html only.
      manifest: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest,woff2}'],
        globIgnores: ['graphiql.html', 'sw.js'],
        manifestTransforms: [
          (entries) => {
            const app = appFiles();
            const manifest = entries.filter(
              (e) => !e.url.startsWith('assets/') || app.has(e.url),
            );
            return { manifest, warnings: [] };
          },
        ],
      },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // Every browser that runs the app supports modulepreload; the polyfill
    // would only add bytes to the entry.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('./graphiql.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: { '/graphql': apiProxy, '/media': apiProxy },
    // The GraphiQL page builds in ../graphql/schema.graphql.
    fs: { allow: [webDir, fileURLToPath(new URL('../graphql', import.meta.url))] },
  },
  preview: {
    proxy: { '/graphql': apiProxy, '/media': apiProxy },
    headers: { 'Content-Security-Policy': contentSecurityPolicy },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'eslint/**/*.test.js'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    // The app's base, as in the build (Vitest would otherwise say "/").
    env: { BASE_URL: '/admin/' },
  },
});

// Vite builds web/ into web/dist/, which `tessera serve` serves at `/` (hashed files under
// assets/ get long cache headers). `npm run dev` proxies /api to a hub on TESSERA_API
// (default http://127.0.0.1:8080) so pages are developed against a real server.
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2020",
    // No inline data: URIs and no inline scripts: the server's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/api": process.env.TESSERA_API ?? "http://127.0.0.1:8080" },
  },
});

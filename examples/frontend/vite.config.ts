import { defineConfig } from "vite";

// A static single-page app: `dist/` can be served by any web server that answers unknown paths
// with index.html (the app routes with the History API). `config.js` stays outside the bundle
// so one build can point at any API.
export default defineConfig({
  build: { outDir: "dist", sourcemap: true, target: "es2022" },
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
});

import { defineConfig } from "vite";

// The build lands in the Python package, which serves it (see src/synthscope/server/_app.py).
export default defineConfig({
  base: "./",
  build: {
    outDir: "../src/synthscope/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8765", ws: true },
    },
  },
});

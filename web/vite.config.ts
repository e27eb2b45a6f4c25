import { defineConfig } from "vite";

// One source, two builds, both into the Python package (`npm run build` runs both):
// - the page (index.html + main.ts), which `synthscope serve` serves (src/synthscope/server/_app.py);
// - `--mode widget`: one self-contained ES module, `widget.js`, with the stylesheet inlined as a
//   string, which `synthscope.Projector` hands to anywidget as its `_esm`.
const outDir = "../src/synthscope/static";

export default defineConfig(({ mode }) =>
  mode === "widget"
    ? {
        build: {
          outDir,
          emptyOutDir: false, // the page's build is already there
          chunkSizeWarningLimit: 1000,
          modulePreload: false,
          // An application build of one entry (not library mode, which keeps the whitespace):
          // minified, its exports kept, everything in one file.
          rolldownOptions: {
            input: "src/widget.ts",
            preserveEntrySignatures: "exports-only",
            output: { format: "es", entryFileNames: "widget.js", codeSplitting: false },
          },
        },
        define: { "process.env.NODE_ENV": JSON.stringify("production") },
      }
    : {
        base: "./",
        build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1000 },
        server: { proxy: { "/api": { target: "http://127.0.0.1:8765", ws: true } } },
      },
);

import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The bundle is written into the Python package, which serves it: `tonearm serve` needs
// no node. `npm run dev` proxies the API to a `tonearm serve` on port 8000.
const api = "http://127.0.0.1:8000";

export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  build: {
    outDir: "../src/tonearm/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // Lazily loaded chunks named for what they hold: hls.js (on first play), tus (on
        // first upload). bench/player.py tells first-load assets from these by index.html.
        chunkFileNames: (chunk) => {
          const ids = chunk.moduleIds.join(" ");
          if (ids.includes("/hls.js/")) return "assets/hls-[hash].js";
          if (ids.includes("/tus-js-client/")) return "assets/tus-[hash].js";
          return "assets/[name]-[hash].js";
        },
      },
    },
  },
  server: {
    proxy: { "/api": api, "/s": api, "/healthz": api },
    // The tests read the server's Python source (steps.test.ts checks the step labels
    // against it); the dev server serves nothing outside web/.
    fs: mode === "test" ? { allow: [".", "../src/tonearm"] } : undefined,
  },
  // Under Vitest, `svelte` resolves to its client build, as in the page.
  resolve: mode === "test" ? { conditions: ["browser"] } : undefined,
  test: {
    include: ["src/**/*.test.ts"],
    // Node with the browser's transform: runes in store modules behave as in the page.
    environment: "./vitest-environment.ts",
  },
}));

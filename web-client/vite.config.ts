import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Emits `sw.js` with the list of every built file baked in, so the service worker can
 * cache the whole app shell at install time (the first visit isn't controlled by the
 * worker yet, so runtime caching alone would miss the files that visit loaded).
 */
function serviceWorker(): Plugin {
  let outDir = "dist";
  return {
    name: "kith-service-worker",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    // After everything (including the document worker's own bundle) is written.
    closeBundle() {
      const assets = readdirSync(path.join(outDir, "assets")).map((f) => "/assets/" + f);
      const shell = ["/", "/index.html", "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png", "/icons/icon-512.png", ...assets];
      const source = readFileSync(new URL("./src/sw/sw.js", import.meta.url), "utf8")
        .replace("__SHELL__", JSON.stringify(shell))
        .replace("__VERSION__", JSON.stringify(hash(assets.sort().join(","))));
      writeFileSync(path.join(outDir, "sw.js"), source);
    },
  };
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export default defineConfig({
  plugins: [serviceWorker()],
  build: { target: "es2022", assetsInlineLimit: 0 },
  worker: { format: "es" },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8080",
      "/sync": { target: "ws://127.0.0.1:8080", ws: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});

// Starts a real `kith serve` on a free port with a temporary data dir, serving web-client/dist.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// KITH_E2E_WEB_DIR: another build (perf compares one branch's client with another's).
export const webDir = process.env.KITH_E2E_WEB_DIR ? path.resolve(process.env.KITH_E2E_WEB_DIR) : path.resolve(here, "../../dist");
const repoRoot = path.resolve(here, "../../..");

export function kithBinary() {
  if (process.env.KITH_BIN) return process.env.KITH_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug", "kith");
}

/** Resolves to { url, stop() } once the server logs its address and answers /healthz. */
export async function startKith({ env = {} } = {}) {
  // Point the tests at an already running server instead (e.g. a staging deploy).
  if (process.env.KITH_E2E_URL) return { url: process.env.KITH_E2E_URL, dataDir: null, log: () => "", stop: async () => {} };
  const bin = kithBinary();
  if (!existsSync(bin)) throw new Error(`kith binary not found at ${bin}; run cargo build -p sync-server first`);
  if (!existsSync(path.join(webDir, "index.html"))) throw new Error(`no built client in ${webDir}; run npm run build first`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "kith-e2e-"));
  const inherited = { ...process.env };
  delete inherited.KITH_DATABASE_URL; // always the SQLite file in the temp dir
  const child = spawn(bin, ["serve"], {
    env: {
      ...inherited,
      KITH_LISTEN: "127.0.0.1:0",
      KITH_DATA_DIR: dataDir,
      KITH_WEB_DIR: webDir,
      RUST_LOG: process.env.RUST_LOG ?? "info",
      NO_COLOR: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kith did not start in 30 s:\n${log}`)), 30_000);
    const onData = (buf) => {
      log += buf.toString();
      // eslint-disable-next-line no-control-regex
      const m = log.replace(/\x1b\[[0-9;]*m/g, "").match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kith exited with ${code}:\n${log}`));
    });
  });
  // The address is logged just before serving; wait until it really answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`kith at ${url} never became healthy:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    dataDir,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A unique email per test, so tests can share a server and run in parallel. */
export function uniqueEmail(tag) {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@e2e.kith.test`;
}

import { render } from "preact";
import { App } from "./ui/App";
import "./styles.css";

async function start() {
  render(<App />, document.getElementById("app")!);
  if ("serviceWorker" in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register("/sw.js").catch((e) => console.warn("service worker not registered", e));
  }
}

start().catch((e) => {
  const el = document.getElementById("app");
  if (el) el.textContent = `Kith couldn't start: ${e?.message ?? e}`;
});

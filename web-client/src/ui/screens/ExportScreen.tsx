import { useState } from "preact/hooks";
import { exportFile } from "../../api/client";
import { useApp } from "../context";

function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One-click export from the server, plus a backup of this device's copy that works offline. */
export function ExportScreen() {
  const { session, save } = useApp();
  const [error, setError] = useState("");
  const stamp = new Date().toISOString().slice(0, 10);

  async function server(kind: "vcf" | "json") {
    setError("");
    try {
      download(await exportFile(session.token, kind), `kith-${stamp}.${kind}`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section aria-labelledby="export-h" class="narrow-page">
      <h1 id="export-h">Export</h1>
      <p class="muted">Your data is yours. Take it anywhere.</p>
      <div class="stack">
        <button onClick={() => server("vcf")}>Download contacts (.vcf)</button>
        <button onClick={() => server("json")}>Download everything (.json)</button>
        <button class="secondary" onClick={async () => download(new Blob([(await save()) as BlobPart], { type: "application/octet-stream" }), `kith-${stamp}.automerge`)}>
          Back up this device's copy (.automerge, works offline)
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

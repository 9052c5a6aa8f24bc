import { useState } from "preact/hooks";
import { importContacts, type ImportReport } from "../../api/client";
import { previewImport, type ImportPreview as Preview } from "../../api/importPreview";
import { ImportPreview } from "../parts/ImportPreview";
import { importContentType, pickedToVcard, type PickedContact } from "../../view/vcard";
import { useApp } from "../context";

interface ContactsManager {
  select(props: string[], opts: { multiple: boolean }): Promise<PickedContact[]>;
}

function contactPicker(): ContactsManager | null {
  const nav = navigator as Navigator & { contacts?: ContactsManager };
  return nav.contacts && "ContactsManager" in window ? nav.contacts : null;
}

/** Import .vcf/.csv through the server (it matches existing people, so re-importing changes nothing). */
export function ImportScreen() {
  const { session } = useApp();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState("");
  // The file and what importing it would do, until the user applies or cancels.
  const [pending, setPending] = useState<{ body: Blob | string; type: string; preview: Preview } | null>(null);
  const picker = contactPicker();

  async function run(what: () => Promise<void>) {
    setBusy(true);
    setError("");
    try {
      await what();
    } catch (e) {
      setError((e as Error).message || "Import failed.");
    } finally {
      setBusy(false);
    }
  }

  /** First a dry run: nothing is applied until "Apply". */
  const send = (body: Blob | string, type: string) =>
    run(async () => {
      setReport(null);
      setPending(null);
      setPending({ body, type, preview: await previewImport(session.token, body, type) });
    });

  const apply = () =>
    run(async () => {
      if (!pending) return;
      setReport(await importContacts(session.token, pending.body, pending.type));
      setPending(null);
    });

  async function onFile(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const type = importContentType(file.name, file.type);
    if (!type) return setError("Choose a .vcf (vCard) or .csv file.");
    await send(file, type);
    input.value = "";
  }

  async function pick() {
    if (!picker) return;
    try {
      const picked = await picker.select(["name", "email", "tel"], { multiple: true });
      const vcf = pickedToVcard(picked);
      if (vcf) await send(vcf, "text/vcard");
    } catch (e) {
      setError((e as Error).message || "The contact picker was closed.");
    }
  }

  return (
    <section aria-labelledby="import-h" class="narrow-page">
      <h1 id="import-h">Import contacts</h1>
      <p class="muted">
        Export your contacts from iPhone, Android or Google as a vCard (.vcf) or CSV file and choose it here. Importing the same file again
        won't create duplicates.
      </p>
      <label class="file-drop">
        <span>Choose a .vcf or .csv file</span>
        <input type="file" name="import-file" accept=".vcf,.vcard,.csv,text/vcard,text/csv" onChange={onFile} disabled={busy} />
      </label>
      {picker && (
        <p>
          <button onClick={pick} disabled={busy}>
            Pick from this phone's contacts
          </button>
        </p>
      )}
      {busy && <p aria-busy="true">{pending ? "Importing…" : "Reading the file…"}</p>}
      {pending && <ImportPreview preview={pending.preview} busy={busy} onApply={apply} onCancel={() => setPending(null)} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <div class="report" role="status" data-report="import">
          <h2>Import finished</h2>
          <ul class="stats">
            <li>
              <strong data-stat="created">{report.created}</strong> new
            </li>
            <li>
              <strong data-stat="updated">{report.updated}</strong> updated
            </li>
            <li>
              <strong data-stat="unchanged">{report.unchanged}</strong> unchanged
            </li>
            <li>
              <strong data-stat="errors">{report.errors?.length ?? 0}</strong> skipped
            </li>
          </ul>
          {report.errors?.length > 0 && (
            <details>
              <summary>Entries that couldn't be read</summary>
              <ul>
                {report.errors.map((e) => (
                  <li>
                    Entry {e.index + 1}: {e.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <p>
            <a href="#/people">See your people</a>
          </p>
        </div>
      )}
    </section>
  );
}

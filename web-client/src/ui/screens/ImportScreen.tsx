import { useState } from "preact/hooks";
import { importContacts, type ImportReport } from "../../api/client";
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
  const picker = contactPicker();

  async function send(body: Blob | string, type: string) {
    setBusy(true);
    setError("");
    setReport(null);
    try {
      setReport(await importContacts(session.token, body, type));
    } catch (e) {
      setError((e as Error).message || "Import failed.");
    } finally {
      setBusy(false);
    }
  }

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
      {busy && <p aria-busy="true">Importing…</p>}
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

import type { ImportPreview as Preview } from "../../api/importPreview";
import { href } from "../router";

/** What an import would do, before anything is applied; "Apply" imports the same file. */
export function ImportPreview({ preview, busy, onApply, onCancel }: { preview: Preview; busy: boolean; onApply: () => void; onCancel: () => void }) {
  const skipped = preview.errors?.length ?? 0;
  const nothing = preview.created === 0 && preview.updated === 0;
  return (
    <div class="report" role="status" data-report="preview">
      <h2>Before importing</h2>
      <ul class="stats">
        <li>
          <strong data-stat="created">{preview.created}</strong> would be new
        </li>
        <li>
          <strong data-stat="updated">{preview.updated}</strong> would be updated
        </li>
        <li>
          <strong data-stat="unchanged">{preview.unchanged}</strong> unchanged
        </li>
        <li>
          <strong data-stat="errors">{skipped}</strong> skipped
        </li>
      </ul>
      {preview.updated_people?.length > 0 && (
        <details open={preview.updated_people.length <= 10}>
          <summary>People who would be updated</summary>
          <ul data-list="updated-people">
            {preview.updated_people.map((p) => (
              <li>
                <a href={href({ name: "person", id: p.contact_id })}>{p.name || "Unnamed"}</a>
              </li>
            ))}
          </ul>
        </details>
      )}
      {skipped > 0 && (
        <details>
          <summary>Entries that couldn't be read</summary>
          <ul>
            {preview.errors.map((e) => (
              <li>
                Entry {e.index + 1}: {e.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      <p>
        <button onClick={onApply} disabled={busy || nothing}>
          {nothing ? "Nothing to import" : "Apply"}
        </button>{" "}
        <button class="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </p>
    </div>
  );
}

/**
 * Edits made before the document had loaded (sync/pending.ts): how many are waiting, and
 * any the document refused — kept until the user retries or dismisses them, never dropped.
 */
import type { DocClient } from "../../sync/client";
import "./PendingEdits.css";

export function PendingEdits({ client }: { client: DocClient }) {
  const waiting = client.queued.length;
  const failed = client.failedEdits;
  if (waiting === 0 && failed.length === 0 && !client.queueProblem) return null;
  return (
    <div class="pending-edits">
      {waiting > 0 && (
        <p class="notice small" role="status" data-pending-edits={waiting}>
          {waiting === 1 ? "1 change is" : `${waiting} changes are`} saved on this device and will be added as soon as your data has loaded.
        </p>
      )}
      {client.queueProblem && (
        <p class="error small" role="alert">
          {client.queueProblem}
        </p>
      )}
      {failed.map((f) => (
        <p class="error small" role="alert" data-failed-edit={f.id}>
          Couldn't apply “{f.what}” from {f.at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}: {f.message}
          <span class="actions">
            <button class="link-btn" onClick={() => void client.retryFailed(f.id)}>
              Try again
            </button>
            <button class="link-btn" onClick={() => void client.dismissFailed(f.id)}>
              Dismiss
            </button>
          </span>
        </p>
      ))}
    </div>
  );
}

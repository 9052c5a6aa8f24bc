/** `POST /api/v1/import?dry_run=true`: what an import would do, with nothing applied. */
import { json, type ImportReport } from "./client";

export interface ImportPreview extends ImportReport {
  /** The existing people the import would update. */
  updated_people: Array<{ contact_id: string; name: string }>;
}

export function previewImport(token: string, body: Blob | string, contentType: string): Promise<ImportPreview> {
  return json<ImportPreview>("/api/v1/import?dry_run=true", { token, method: "POST", body, contentType });
}

/** Builds a vCard 3.0 file from Contact Picker results, so the server's importer does the matching. */

export interface PickedContact {
  name?: string[];
  email?: string[];
  tel?: string[];
}

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/([,;])/g, "\\$1");
}

export function pickedToVcard(picked: PickedContact[]): string {
  const cards: string[] = [];
  for (const p of picked) {
    const name = (p.name ?? []).find((n) => n.trim())?.trim() ?? "";
    const emails = (p.email ?? []).map((e) => e.trim()).filter(Boolean);
    const tels = (p.tel ?? []).map((t) => t.trim()).filter(Boolean);
    if (!name && emails.length === 0 && tels.length === 0) continue;
    const lines = ["BEGIN:VCARD", "VERSION:3.0", `FN:${esc(name || emails[0] || tels[0])}`];
    for (const e of emails) lines.push(`EMAIL:${esc(e)}`);
    for (const t of tels) lines.push(`TEL:${esc(t)}`);
    lines.push("END:VCARD");
    cards.push(lines.join("\r\n"));
  }
  return cards.length ? cards.join("\r\n") + "\r\n" : "";
}

/** The Content-Type the import endpoint expects for a chosen file. */
export function importContentType(fileName: string, mime: string): string | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".vcf") || lower.endsWith(".vcard") || mime === "text/vcard" || mime === "text/x-vcard") return "text/vcard";
  if (lower.endsWith(".csv") || mime === "text/csv") return "text/csv";
  return null;
}

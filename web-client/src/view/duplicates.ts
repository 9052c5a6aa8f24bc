/**
 * Likely duplicates among the active contacts: the same email, phone or name. Mirrors
 * crdt-model's `duplicates::find_duplicates` (what `GET /api/v1/duplicates` answers), but
 * runs on the local view, so the inbox works offline and a merge disappears from it at once:
 * each group sharing a key is suggested as merges into its oldest member (a star, not every
 * pair). Phones compare by their last nine digits, as the person page's merge panel does;
 * the server places national numbers in E.164 and may find a few more.
 */
import { displayName, isActive, type Contact, type ContactId, type KithView } from "../doc/schema";

export type MatchReason = "email" | "phone" | "name";

export interface Suggestion {
  /** The older contact: merging keeps this one. */
  keep: Contact;
  drop: Contact;
  reasons: MatchReason[];
}

export function emailKey(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  return e.includes("@") && e.length > 2 ? e : null;
}

export function phoneKey(raw: string): string | null {
  const main = raw.trim().replace(/^tel:/, "").split(/[;xX,#]|ext/)[0];
  const digits = main.replace(/\D/g, "");
  return digits.length >= 6 ? digits.slice(-9) : null;
}

export function nameKey(display: string): string | null {
  const words = display.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return words.length ? words.join(" ") : null;
}

const ORDER: MatchReason[] = ["email", "phone", "name"];

export function findDuplicates(view: KithView): Suggestion[] {
  const contacts = [...view.contacts.values()]
    .filter((c) => isActive(view.contacts, c))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const first = new Map<string, ContactId>();
  const pairs = new Map<string, { keep: ContactId; drop: ContactId; reasons: Set<MatchReason> }>();
  for (const c of contacts) {
    const keys: Array<[MatchReason, string | null]> = [
      ...c.emails.map((e) => ["email", emailKey(e.value)] as [MatchReason, string | null]),
      ...c.phones.map((p) => ["phone", phoneKey(p.value)] as [MatchReason, string | null]),
      ["name", nameKey(displayName(c))],
    ];
    for (const [reason, key] of keys) {
      if (key === null) continue;
      const k = `${reason}\u0000${key}`;
      const keeper = first.get(k);
      if (keeper === undefined) {
        first.set(k, c.id);
        continue;
      }
      if (keeper === c.id) continue;
      const pk = `${keeper}\u0000${c.id}`;
      const pair = pairs.get(pk) ?? { keep: keeper, drop: c.id, reasons: new Set<MatchReason>() };
      pair.reasons.add(reason);
      pairs.set(pk, pair);
    }
  }
  return [...pairs.values()].map((p) => ({
    keep: view.contacts.get(p.keep)!,
    drop: view.contacts.get(p.drop)!,
    reasons: ORDER.filter((r) => p.reasons.has(r)),
  }));
}

export function reasonText(reasons: MatchReason[]): string {
  const words = reasons.map((r) => (r === "email" ? "email" : r === "phone" ? "phone number" : "name"));
  return `Same ${words.join(", ")}`;
}

/**
 * People search: what a person types is matched against everything Kith knows about
 * someone, the way they would write it. Case and accents do not matter ("jurgen" finds
 * Jürgen Müller), a phone number matches on any run of its digits whatever the punctuation
 * ("617" finds "+1 (617) 555-0100"), and `#tag` matches tags only.
 *
 * The text is folded once per contact when the view changes (`searchText`); a keystroke
 * only folds the query and scans the prepared strings, which keeps 5,000 people well under
 * a frame.
 */

/** Letters that do not decompose into a base letter plus accent under NFD. */
const SPECIAL: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" };
const SPECIAL_RE = /[ßæœøłđðþı]/g;
const MARKS_RE = /\p{M}+/gu;

/** Lower case without accents: "Jürgen Müller" → "jurgen muller", "Straße" → "strasse". */
export function fold(s: string): string {
  const lower = s.toLowerCase();
  // Most text is plain ASCII: skip the Unicode work for it.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  return lower.normalize("NFD").replace(MARKS_RE, "").replace(SPECIAL_RE, (ch) => SPECIAL[ch] ?? ch);
}

/** What a contact's search text is made of; the builder passes every field it has. */
export interface SearchSource {
  texts: Array<string | null | undefined>;
  phones: string[];
  tags: string[];
}

/**
 * One folded string per contact. Fields are separated by a newline so a term never matches
 * across two fields; phone numbers are added once more as bare digits; tags appear once
 * more as "#tag " so `#tag` terms can be told from words.
 */
export function searchText(src: SearchSource): string {
  const parts: string[] = [];
  for (const t of src.texts) if (t) parts.push(fold(t));
  for (const p of src.phones) {
    if (!p) continue;
    parts.push(fold(p));
    const digits = p.replace(/\D/g, "");
    if (digits) parts.push(digits);
  }
  for (const t of src.tags) parts.push(fold(t.replace(/-/g, " ")), `#${fold(t).replace(/\s+/g, "-")} `);
  return "\n" + parts.join("\n") + "\n";
}

/** A parsed query: every term must occur. */
export interface Query {
  terms: string[];
  empty: boolean;
}

/**
 * Splits on whitespace and folds each term. A query that is only a phone number written
 * with spaces or punctuation ("(617) 555", "+49 170") becomes one run of digits.
 */
export function parseQuery(raw: string): Query {
  const q = raw.trim();
  if (/\d/.test(q) && /^[\d\s()+\-./]+$/.test(q)) {
    const digits = q.replace(/\D/g, "");
    return { terms: [digits], empty: false };
  }
  const terms = fold(q)
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => (t.startsWith("#") && t.length > 1 ? `#${t.slice(1).replace(/\s+/g, "-")}` : t));
  return { terms, empty: terms.length === 0 };
}

export function matches(text: string, q: Query): boolean {
  for (const t of q.terms) if (!text.includes(t)) return false;
  return true;
}

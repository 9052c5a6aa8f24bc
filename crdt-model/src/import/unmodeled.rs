//! vCard lines Kith does not model (`X-SOCIALPROFILE`, `IMPP`, `GENDER`, phonetic names,
//! Apple's `X-ABShowAs`, …), kept verbatim so a phone that syncs with Kith never loses them.
//!
//! They are stored per contact in `unmodeled` under keys of this module's making: `line:NNNN`
//! for whole lines in card order, and `n:middle` / `n:prefix` / `n:suffix` for the parts of
//! `N` that the contact has no field for. The card writer puts the lines back after the
//! modeled ones, renaming their `itemN.` groups so they cannot clash with its own.

use std::collections::{BTreeMap, HashSet};

use super::types::ParsedContact;

/// Properties the importer maps onto fields (or that the writer makes itself: VERSION,
/// PRODID, REV). Everything else on a card is unmodeled.
const MODELED: &[&str] = &[
    "BEGIN", "END", "VERSION", "PRODID", "REV", "FN", "N", "NICKNAME", "ORG", "TITLE", "EMAIL", "TEL", "ADR",
    "URL", "BDAY", "ANNIVERSARY", "RELATED", "PRONOUNS", "NOTE", "CATEGORIES", "UID", "PHOTO", "X-ANNIVERSARY",
    "X-ABDATE", "X-ABRELATEDNAMES", "X-PRONOUNS", "X-ABLABEL",
];

/// Longest unmodeled line kept, in bytes (a `LOGO` or `SOUND` inline can be big; the card as
/// a whole is already bounded by the import limits).
pub const MAX_LINE_BYTES: usize = 32 * 1024;

/// `(group, NAME)` of a content line, e.g. `item3.X-SOCIALPROFILE;type=x:…` → `(Some("item3"), "X-SOCIALPROFILE")`.
pub(crate) fn head(line: &str) -> (Option<&str>, String) {
    let end = line.find([':', ';']).unwrap_or(line.len());
    let head = &line[..end];
    match head.rsplit_once('.') {
        Some((group, name)) => (Some(group), name.trim().to_ascii_uppercase()),
        None => (None, head.trim().to_ascii_uppercase()),
    }
}

/// Whether `line` is a well-formed content line (`[group.]NAME[;params]:value`, group and name
/// of letters, digits and dashes). Anything else — a stray continuation, a mangled line — is not
/// kept: written back, it would read differently the next time (a round trip must be stable).
fn is_content_line(line: &str) -> bool {
    let Some(colon) = line.find(':') else { return false };
    let end = line[..colon].find(';').unwrap_or(colon);
    let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    match line[..end].split_once('.') {
        Some((group, name)) => token(group) && token(name),
        None => token(&line[..end]),
    }
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "")
}

fn is_modeled(name: &str, line: &str) -> bool {
    if name == "X-ANDROID-CUSTOM" {
        // Only Android's nickname row is read (as the nickname).
        return line.contains("/nickname");
    }
    MODELED.contains(&name)
}

/// The card's unmodeled lines in order (with the `X-ABLabel` of each group they use),
/// at most `max_lines`; warnings for what was dropped.
pub(crate) fn unmodeled_lines(card_text: &str, max_lines: usize, warnings: &mut Vec<String>) -> Vec<String> {
    let text = unfold(card_text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty()).collect();
    let mut modeled_groups = HashSet::new();
    let mut kept_groups = HashSet::new();
    let mut candidates = Vec::new();
    for line in &lines {
        if !is_content_line(line) {
            continue;
        }
        let (group, name) = head(line);
        let group = group.map(str::to_ascii_lowercase);
        if name == "X-ABLABEL" {
            candidates.push((group, true, *line));
        } else if is_modeled(&name, line) {
            modeled_groups.extend(group);
        } else {
            kept_groups.extend(group.clone());
            candidates.push((group, false, *line));
        }
    }
    let mut out = Vec::new();
    // Group names are the exporter's numbering (`item3`), which the writer renumbers anyway:
    // stored as `g1`, `g2`… by first appearance, a card reads the same after a round trip.
    let mut renamed: Vec<String> = Vec::new();
    for (group, is_label, line) in candidates {
        if is_label && !group.as_ref().is_some_and(|g| kept_groups.contains(g) && !modeled_groups.contains(g)) {
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            warnings.push(format!("a {} line of {} bytes was not kept", head(line).1, line.len()));
            continue;
        }
        if out.len() == max_lines {
            warnings.push(format!("more than {max_lines} lines Kith does not show; the rest were not kept"));
            break;
        }
        let line = match &group {
            None => line.to_owned(),
            Some(g) => {
                let n = renamed.iter().position(|r| r == g).unwrap_or_else(|| {
                    renamed.push(g.clone());
                    renamed.len() - 1
                });
                format!("g{}.{}", n + 1, &line[line.find('.').map_or(0, |i| i + 1)..])
            }
        };
        out.push(line);
    }
    out
}

/// What a contact stores in `unmodeled` for this card.
pub(crate) fn to_doc(c: &ParsedContact) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> =
        c.unmodeled.iter().enumerate().map(|(i, line)| (format!("line:{i:04}"), line.clone())).collect();
    for (key, part) in [("n:middle", &c.name.middle), ("n:prefix", &c.name.prefix), ("n:suffix", &c.name.suffix)] {
        if !part.is_empty() {
            out.insert(key.to_owned(), part.clone());
        }
    }
    out
}

/// The lines and name parts back from a contact's `unmodeled` (keys this module did not
/// write are ignored).
pub fn from_doc(unmodeled: &BTreeMap<String, String>) -> (Vec<String>, [String; 3]) {
    let lines = unmodeled.iter().filter(|(k, _)| k.starts_with("line:")).map(|(_, v)| v.clone()).collect();
    let part = |k: &str| unmodeled.get(k).cloned().unwrap_or_default();
    (lines, [part("n:middle"), part("n:prefix"), part("n:suffix")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_lines_are_kept() {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nitem10.berger@example.de\r\n\u{1e}C\u{f3}8s x:y\r\nX-GENDER:F\r\nitem2.X-SOCIALPROFILE;type=x;x-user=\"a:b\":https://x.example\r\nEND:VCARD\r\n";
        let mut warnings = Vec::new();
        assert_eq!(
            unmodeled_lines(card, 10, &mut warnings),
            vec!["X-GENDER:F".to_owned(), "g1.X-SOCIALPROFILE;type=x;x-user=\"a:b\":https://x.example".to_owned()]
        );
    }

    #[test]
    fn keeps_unknown_lines_and_the_labels_of_their_groups_only() {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nitem1.EMAIL:a@b.c\r\nitem1.X-ABLabel:work\r\n\
                    item2.X-SOCIALPROFILE;type=mastodon:https://x.y/\r\n @ada\r\nitem2.X-ABLabel:Fedi\r\n\
                    GENDER:F\r\nX-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Ada\r\nEND:VCARD\r\n";
        let mut warnings = Vec::new();
        let lines = unmodeled_lines(card, 10, &mut warnings);
        assert_eq!(
            lines,
            vec!["g1.X-SOCIALPROFILE;type=mastodon:https://x.y/@ada", "g1.X-ABLabel:Fedi", "GENDER:F"]
        );
        assert!(warnings.is_empty());
        assert_eq!(unmodeled_lines(card, 1, &mut warnings).len(), 1);
        assert_eq!(warnings.len(), 1);
    }
}

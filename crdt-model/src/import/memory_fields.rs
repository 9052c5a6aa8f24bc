//! Length bounds on the schema v2 fields of a card (department, pronouns, URLs, dates,
//! related names): the same limits the operations enforce ([`crate::limits`]), applied the
//! import's way — a value is cut or dropped with a warning, the card is kept.

use crate::limits::{MAX_FIELD_CHARS, MAX_URL_CHARS};

use super::types::ParsedContact;

/// Cuts short fields to [`MAX_FIELD_CHARS`]; drops URLs longer than [`MAX_URL_CHARS`] (a
/// cut URL leads nowhere) and URLs with a scheme that runs code or embeds a document when
/// clicked (clients show URLs as links).
pub(crate) fn bound(c: &mut ParsedContact, warnings: &mut Vec<String>) {
    for (what, value) in [("department", &mut c.department), ("pronouns", &mut c.pronouns)] {
        if let Some(v) = value {
            cut(v, what, warnings);
        }
    }
    c.urls.retain_mut(|u| {
        cut(&mut u.label, "label", warnings);
        if u.value.len() > MAX_URL_CHARS && u.value.chars().count() > MAX_URL_CHARS {
            warnings.push(format!("web address of {} characters is over the {MAX_URL_CHARS} limit; skipped", u.value.chars().count()));
            return false;
        }
        if runs_code(&u.value) {
            warnings.push("web address with a script or data scheme; skipped".to_owned());
            return false;
        }
        true
    });
    for d in &mut c.dates {
        cut(&mut d.label, "label", warnings);
    }
    for r in &mut c.related {
        cut(&mut r.label, "label", warnings);
        cut(&mut r.name, "related name", warnings);
    }
}

/// Cuts `value` to [`MAX_FIELD_CHARS`] characters at a character boundary.
fn cut(value: &mut String, what: &str, warnings: &mut Vec<String>) {
    if value.len() <= MAX_FIELD_CHARS {
        return;
    }
    if let Some((at, _)) = value.char_indices().nth(MAX_FIELD_CHARS) {
        let total = MAX_FIELD_CHARS + value[at..].chars().count();
        value.truncate(at);
        // Cutting may leave a trailing blank, which re-import would trim: trim now so a
        // second import sees the very same value.
        value.truncate(value.trim_end().len());
        warnings.push(format!("{what} of {total} characters cut to the first {MAX_FIELD_CHARS}"));
    }
}

fn runs_code(url: &str) -> bool {
    let lower: String =
        url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).take(16).collect::<String>().to_lowercase();
    ["javascript:", "vbscript:", "data:"].iter().any(|s| lower.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::types::{Labeled, LabeledName};

    #[test]
    fn long_fields_are_cut_and_long_or_scripted_urls_dropped() {
        let long = "é".repeat(MAX_FIELD_CHARS + 5);
        let mut c = ParsedContact {
            department: Some(long.clone()),
            related: vec![LabeledName { label: "friend".into(), name: long }],
            urls: vec![
                Labeled { label: String::new(), value: format!("https://x.example/{}", "a".repeat(MAX_URL_CHARS)) },
                Labeled { label: String::new(), value: " JavaScript:alert(1)".into() },
                Labeled { label: String::new(), value: "https://ok.example".into() },
            ],
            ..Default::default()
        };
        let mut warnings = Vec::new();
        bound(&mut c, &mut warnings);
        assert_eq!(c.department.as_deref().map(|d| d.chars().count()), Some(MAX_FIELD_CHARS));
        assert_eq!(c.related[0].name.chars().count(), MAX_FIELD_CHARS);
        assert_eq!(c.urls.iter().map(|u| u.value.as_str()).collect::<Vec<_>>(), ["https://ok.example"]);
        assert_eq!(warnings.len(), 4, "{warnings:?}");
    }
}

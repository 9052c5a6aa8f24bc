//! When two records are "the same person": the keys import matching and the duplicates
//! finder compare. One place, so an import never creates what the finder would flag.

use phonenumber::country::Id;

use crate::import::normalize_phone;

/// Emails compare case-insensitively and without surrounding spaces; empty is no key.
pub fn email_key(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    (e.contains('@') && e.len() > 2).then_some(e)
}

/// Phones compare in E.164 (`"+1 (650) 555-0100"` and `"+16505550100"` agree); a number
/// the parser cannot place (national without a region) compares by its digits instead, so
/// it still matches the same text written with other punctuation. Extensions are ignored.
///
/// Parsing costs tens of µs; callers with many numbers compare [`phone_tail`]s first.
pub fn phone_key(raw: &str, region: Option<Id>) -> Option<String> {
    if let Some(e164) = normalize_phone(raw, region) {
        return Some(e164);
    }
    let main = main_part(raw);
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 5).then(|| if main.trim_start().starts_with('+') { format!("+{digits}") } else { digits })
}

/// The last four digits of the number (extension removed): equal [`phone_key`]s always have
/// equal tails, since the national number ends every way of writing it. Cheap, so used to
/// find the few candidates worth the full comparison.
pub fn phone_tail(raw: &str) -> Option<String> {
    let digits: Vec<char> = main_part(raw).chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 3).then(|| digits[digits.len().saturating_sub(4)..].iter().collect())
}

/// Whether two written numbers are the same phone.
pub fn same_phone(a: &str, b: &str, region: Option<Id>) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    phone_tail(a).is_some() && phone_tail(a) == phone_tail(b) && {
        let key = phone_key(a, region);
        key.is_some() && key == phone_key(b, region)
    }
}

/// The number without a `tel:` prefix and without its extension or RFC 3966 parameters
/// (the same cut `import::normalize_phone` makes).
fn main_part(raw: &str) -> &str {
    let raw = raw.trim();
    let raw = raw.strip_prefix("tel:").unwrap_or(raw);
    let main = raw.split([';', 'x', 'X', ',', '#']).next().unwrap_or(raw);
    main.split("ext").next().unwrap_or(main)
}

/// Names compare case-insensitively with runs of whitespace collapsed.
pub fn name_key(display: &str) -> Option<String> {
    let words: Vec<String> = display.split_whitespace().map(str::to_lowercase).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The phone region of a document: `settings.region` ("DE", "us") if it is a known
/// country, else none (then only international numbers normalise to E.164).
pub fn doc_region(doc: &automerge::Automerge) -> Option<Id> {
    use automerge::{ObjType, ReadDoc, Value, ROOT};
    let settings = match doc.get(ROOT, "settings") {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        _ => return None,
    };
    let region = crate::strings::read_str(doc, &settings, "region").ok().flatten()?;
    crate::import::parse_region(&region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise() {
        assert_eq!(email_key(" Anna@Example.COM ").as_deref(), Some("anna@example.com"));
        assert_eq!(email_key("  "), None);
        assert_eq!(phone_key("+49 (170) 123-4567", None), phone_key("+491701234567", None));
        assert_eq!(phone_key("030 1234567", None).as_deref(), Some("0301234567"));
        let de = crate::import::parse_region("DE");
        assert_eq!(phone_key("030 1234567", de).as_deref(), Some("+49301234567"));
        assert_eq!(phone_key("+1 650 555 0100 ext. 12", None), phone_key("+16505550100", None));
        assert_eq!(phone_tail("+1 (650) 555-0100 x12").as_deref(), Some("0100"));
        assert!(same_phone("+49 30 1234567", "0049301234567", None));
        assert!(!same_phone("+49 30 1234567", "+49 30 7654567", None));
        assert_eq!(name_key("  Anna   SCHMIDT "), Some("anna schmidt".into()));
        assert_eq!(name_key(" "), None);
    }
}

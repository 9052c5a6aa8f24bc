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
/// it still matches the same text written with other punctuation.
pub fn phone_key(raw: &str, region: Option<Id>) -> Option<String> {
    if let Some(e164) = normalize_phone(raw, region) {
        return Some(e164);
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 5).then(|| {
        if raw.trim_start().starts_with('+') {
            format!("+{digits}")
        } else {
            digits
        }
    })
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
        assert_eq!(name_key("  Anna   SCHMIDT "), Some("anna schmidt".into()));
        assert_eq!(name_key(" "), None);
    }
}

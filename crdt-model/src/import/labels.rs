//! Labels for emails, phones, addresses and URLs, normalised across exporters.
//!
//! The canonical vocabulary is lowercase words: a place ("home", "work", "other") and/or
//! a kind ("mobile", "fax", "pager", "main", "iphone", ...), e.g. "work fax". A label
//! outside it (an iPhone custom label such as "Berlin office") is kept verbatim, so a
//! round trip through our exporter gives it back unchanged.

/// Type parameters that say nothing a person would call a label.
const IGNORED: &[&str] = &[
    "pref", "voice", "internet", "x400", "msg", "dom", "intl", "postal", "parcel", "bbs",
    "modem", "isdn", "pcs", "car", "encoding", "charset", "quoted-printable", "base64", "b",
    "text", "uri",
];

const PLACES: &[&str] = &["home", "work", "other"];

/// Maps one word (a vCard TYPE value, an Apple label name, a Google label word) to the
/// canonical vocabulary.
fn canonical(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "home" | "personal" => "home",
        "work" | "business" | "office" => "work",
        "other" => "other",
        "cell" | "mobile" | "cellular" => "mobile",
        "fax" => "fax",
        "pager" => "pager",
        "main" | "main-number" => "main",
        "iphone" => "iphone",
        "homepage" => "homepage",
        "school" => "school",
        "video" => "video",
        "textphone" => "textphone",
        "blog" => "blog",
        "profile" => "profile",
        _ => return None,
    })
}

/// Composes a place and a kind: "work" + "fax" -> "work fax".
fn compose(place: Option<&str>, kind: Option<&str>) -> String {
    match (place, kind) {
        (Some(p), Some(k)) => format!("{p} {k}"),
        (Some(p), None) => p.to_owned(),
        (None, Some(k)) => k.to_owned(),
        (None, None) => String::new(),
    }
}

/// A label from vCard `TYPE` parameters (`TYPE=WORK,FAX`, 2.1 bare `;CELL`, `x-custom`).
pub(crate) fn from_types<'a>(types: impl IntoIterator<Item = &'a str>) -> String {
    let mut place = None;
    let mut kind = None;
    let mut custom = None;
    for t in types {
        let t = t.trim();
        let lower = t.to_ascii_lowercase();
        if t.is_empty() || IGNORED.contains(&lower.as_str()) {
            continue;
        }
        match canonical(t) {
            Some(c) if PLACES.contains(&c) => place = place.or(Some(c)),
            Some(c) => kind = kind.or(Some(c)),
            None => {
                let stripped = t.strip_prefix("x-").or_else(|| t.strip_prefix("X-")).unwrap_or(t);
                if custom.is_none() && !stripped.is_empty() {
                    custom = Some(stripped.to_owned());
                }
            }
        }
    }
    if place.is_none() && kind.is_none() {
        return custom.unwrap_or_default();
    }
    compose(place, kind)
}

/// The label without control characters. They are dropped from labels later anyway
/// (`clean_line`); dropping them before a label is recognised lets `_$!<HomePage>!$_` followed
/// by a stray DEL, or "S\0pouse" in a CSV, read as "homepage" and "spouse" the first time, not
/// only after our own export wrote them back cleaned (the fuzz test's round trip).
fn visible(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect()
}

/// An iPhone `itemN.X-ABLabel` value: `_$!<HomeFAX>!$_` -> "home fax"; custom labels verbatim.
pub(crate) fn from_apple(raw: &str) -> String {
    let cleaned = visible(raw);
    let raw = cleaned.trim();
    let Some(inner) = raw.strip_prefix("_$!<").and_then(|r| r.strip_suffix(">!$_")) else {
        return raw.to_owned();
    };
    let lower = inner.to_ascii_lowercase();
    for place in PLACES {
        if let Some(kind) = lower.strip_prefix(place) {
            if let Some(k) = canonical(kind) {
                return compose(Some(place), Some(k));
            }
        }
    }
    canonical(inner).map(str::to_owned).unwrap_or(lower)
}

/// A Google CSV label: "* Home" (the star marks the primary entry), "Mobile", "Work Fax",
/// or a custom label kept verbatim.
pub(crate) fn from_words(raw: &str) -> String {
    let cleaned = visible(raw);
    let raw = cleaned.trim();
    let raw = raw.strip_prefix('*').map(str::trim).unwrap_or(raw);
    // Google's website type for what Apple calls HomePage.
    if raw.eq_ignore_ascii_case("home page") {
        return "homepage".to_owned();
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() {
        return String::new();
    }
    let mapped: Option<Vec<&str>> = words.iter().map(|w| canonical(w)).collect();
    match mapped {
        Some(m) if m.len() <= 2 => m.join(" "),
        _ => raw.to_owned(),
    }
}

/// Date and relation labels both exporters name alike (Apple `_$!<Spouse>!$_`, Google
/// "Spouse"): written lowercase so both read as one label. Others are kept verbatim.
const DATE_AND_RELATION_WORDS: &[&str] = &[
    "anniversary", "other", "spouse", "partner", "domestic partner", "husband", "wife",
    "boyfriend", "girlfriend", "mother", "father", "parent", "child", "son", "daughter",
    "brother", "sister", "sibling", "friend", "relative", "manager", "assistant", "colleague",
    "co-worker", "referred by",
];

/// A label of an important date or a related name, from any exporter: an Apple
/// `_$!<Anniversary>!$_`, a Google "* Spouse", a vCard 4 `TYPE=spouse`, or custom text.
pub(crate) fn readable(raw: &str) -> String {
    let cleaned = visible(raw);
    let raw = cleaned.trim();
    let raw = raw.strip_prefix('*').map(str::trim).unwrap_or(raw);
    let label = if raw.starts_with("_$!<") { from_apple(raw) } else { raw.to_owned() };
    let lower = label.to_lowercase();
    if DATE_AND_RELATION_WORDS.contains(&lower.as_str()) {
        lower
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_compose_place_and_kind() {
        assert_eq!(from_types(["WORK", "FAX"]), "work fax");
        assert_eq!(from_types(["CELL", "VOICE", "pref"]), "mobile");
        assert_eq!(from_types(["INTERNET", "HOME"]), "home");
        assert_eq!(from_types(["INTERNET"]), "");
        assert_eq!(from_types(["x-Assistant"]), "Assistant");
    }

    #[test]
    fn apple_labels() {
        assert_eq!(from_apple("_$!<Other>!$_"), "other");
        assert_eq!(from_apple("_$!<HomeFAX>!$_"), "home fax");
        assert_eq!(from_apple("_$!<Mobile>!$_"), "mobile");
        assert_eq!(from_apple("_$!<HomePage>!$_"), "homepage");
        assert_eq!(from_apple("_$!<HomePage>!$_\u{7f}"), "homepage", "a stray control character");
        assert_eq!(from_apple("_$!<Anniversary>!$_"), "anniversary");
        assert_eq!(from_apple("Berlin office"), "Berlin office");
    }

    #[test]
    fn google_labels() {
        assert_eq!(from_words("* Home"), "home");
        assert_eq!(from_words("Work Fax"), "work fax");
        assert_eq!(from_words("Google Voice"), "Google Voice");
        assert_eq!(from_words("Home Page"), "homepage");
        assert_eq!(from_words(""), "");
    }

    #[test]
    fn date_and_relation_labels_agree_across_exporters() {
        assert_eq!(readable("_$!<Anniversary>!$_"), "anniversary");
        assert_eq!(readable("_$!<Spouse>!$_"), "spouse");
        assert_eq!(readable("* Spouse"), "spouse");
        assert_eq!(readable("Domestic Partner"), "domestic partner");
        assert_eq!(readable("Godmother"), "Godmother");
        assert_eq!(readable("_$!<Other>!$_"), "other");
    }
}

//! Field rules shared by the vCard and CSV readers: de-duplication inside one card, the
//! display name, and what makes a card unusable.

use std::collections::HashSet;

use base64::Engine;

use super::types::{Labeled, ParsedContact, ParsedPhoto};

/// The values already kept in one list of a card, so that each new value is checked in
/// constant time: a card with 50,000 `TEL` lines costs 50,000 look-ups, not 50,000².
#[derive(Default)]
struct Seen {
    values: HashSet<String>,
    /// Phones: the digits, so "+49 30 1" and "+49-30-1" are one number.
    digits: HashSet<String>,
}

impl Seen {
    /// Emails are the same when they match case-insensitively.
    fn new_email(&mut self, item: &Labeled) -> bool {
        !item.value.is_empty() && self.values.insert(item.value.to_ascii_lowercase())
    }

    /// Phones are the same when the text or the (non-empty) digits match. Both sets only
    /// grow with kept values, exactly as comparing against every kept value would.
    fn new_phone(&mut self, item: &Labeled) -> bool {
        if item.value.is_empty() || self.values.contains(&item.value) {
            return false;
        }
        let d = phone_digits(&item.value);
        if !d.is_empty() && !self.digits.insert(d) {
            return false;
        }
        self.values.insert(item.value.clone());
        true
    }

    fn non_empty(&mut self, item: &Labeled) -> bool {
        !item.value.is_empty()
    }
}

fn phone_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Removes control characters (a stray CR, NUL...) except newlines, turns tabs into
/// spaces and trims: what no address book means and what would not survive export.
fn clean(s: &mut String) {
    if s.chars().any(|c| c.is_control() && c != '\n') || s.trim().len() != s.len() {
        *s = s
            .replace("\r\n", "\n")
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control() || *c == '\n')
            .collect::<String>()
            .trim()
            .to_owned();
    }
}

/// For fields that are one line by nature (names, emails, URLs, labels...).
fn clean_line(s: &mut String) {
    if s.contains('\n') {
        *s = s.replace('\n', " ");
    }
    clean(s);
}

fn clean_opt(s: &mut Option<String>, clean: fn(&mut String)) {
    if let Some(v) = s {
        clean(v);
        if v.is_empty() {
            *s = None;
        }
    }
}

fn clean_list(list: &mut Vec<Labeled>, scheme: &str, keep: fn(&mut Seen, &Labeled) -> bool) {
    let mut seen = Seen::default();
    let mut out = Vec::with_capacity(list.len());
    for mut item in list.drain(..) {
        clean_line(&mut item.label);
        clean_line(&mut item.value);
        strip_scheme(&mut item.value, scheme);
        if keep(&mut seen, &item) {
            out.push(item);
        }
    }
    *list = out;
}

/// Drops a URI scheme some exporters put before a phone or email (`tel:`, `mailto:`);
/// a loop, so that no scheme is left and a second pass changes nothing.
fn strip_scheme(value: &mut String, scheme: &str) {
    while !scheme.is_empty()
        && value.len() >= scheme.len() && value.is_char_boundary(scheme.len()) && value[..scheme.len()].eq_ignore_ascii_case(scheme) {
        *value = value[scheme.len()..].trim().to_owned();
    }
}

/// Normalises every text field; duplicates that only differed by junk collapse.
fn sanitize(c: &mut ParsedContact) {
    let n = &mut c.name;
    for s in [&mut n.display, &mut n.given, &mut n.family, &mut n.middle, &mut n.prefix, &mut n.suffix] {
        clean_line(s);
    }
    for s in [&mut c.nickname, &mut c.org, &mut c.department, &mut c.title, &mut c.uid, &mut c.pronouns] {
        clean_opt(s, clean_line);
    }
    clean_opt(&mut c.note, clean);
    if let Some(ParsedPhoto::Url(url)) = &mut c.photo {
        clean_line(url);
        // A backslash is not a URI character, and vCard 3.0 readers (ours included) take it
        // as an escape: percent-encoded, the address survives export and re-import as is.
        if url.contains('\\') {
            *url = url.replace('\\', "%5C");
        }
        if url.is_empty() {
            c.photo = None;
        }
    }
    clean_list(&mut c.emails, "mailto:", Seen::new_email);
    clean_list(&mut c.phones, "tel:", Seen::new_phone);
    clean_list(&mut c.urls, "", Seen::non_empty);
    for a in &mut c.addresses {
        clean(&mut a.street);
        for s in [&mut a.label, &mut a.city, &mut a.region, &mut a.postal_code, &mut a.country] {
            clean_line(s);
        }
    }
    c.addresses.retain(|a| !a.is_empty());
    let mut seen = HashSet::new();
    c.dates.retain_mut(|d| {
        clean_line(&mut d.label);
        seen.insert((d.label.to_lowercase(), d.date))
    });
    let mut seen = HashSet::new();
    c.related.retain_mut(|r| {
        clean_line(&mut r.label);
        clean_line(&mut r.name);
        !r.name.is_empty() && seen.insert((r.label.to_lowercase(), r.name.clone()))
    });
    let mut cats: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for mut cat in c.categories.drain(..) {
        clean_line(&mut cat);
        // Google's implicit "everyone" group is not a category anybody chose.
        if !cat.is_empty() && !cat.eq_ignore_ascii_case("myContacts") && seen.insert(cat.clone()) {
            cats.push(cat);
        }
    }
    c.categories = cats;
}

/// Base64 with the line breaks and blanks exporters leave in it.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let engine = base64::engine::general_purpose::STANDARD;
    engine
        .decode(compact.as_bytes())
        .ok()
        .or_else(|| base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('=').as_bytes()).ok())
}

/// Whether a name is written in a script that puts the family name first without spaces.
fn is_east_asian(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30FF      // Hiragana, Katakana
            | 0x3400..=0x4DBF    // CJK extension A
            | 0x4E00..=0x9FFF    // CJK unified ideographs
            | 0xAC00..=0xD7AF)   // Hangul syllables
    })
}

/// A display name from name parts: "王小明" for CJK names, "Dr. Ann B. Lee Jr." otherwise.
pub(crate) fn compose_display(c: &ParsedContact) -> String {
    let n = &c.name;
    if is_east_asian(&n.family) || is_east_asian(&n.given) {
        return format!("{}{}", n.family, n.given);
    }
    [&n.prefix, &n.given, &n.middle, &n.family, &n.suffix]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trims, fills `display` from the best field available, and rejects a card that has
/// nothing to recognise a person by.
pub(crate) fn finish_contact(mut c: ParsedContact) -> Result<ParsedContact, String> {
    sanitize(&mut c);
    if c.name.display.is_empty() {
        c.name.display = compose_display(&c);
    }
    if c.name.display.is_empty() {
        let fallback = c
            .nickname
            .clone()
            .or_else(|| c.org.clone())
            .or_else(|| c.emails.first().map(|e| e.value.clone()))
            .or_else(|| c.phones.first().map(|p| p.value.clone()));
        match fallback {
            Some(f) => c.name.display = f,
            None => return Err("card has no name, email or phone".to_owned()),
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::types::ParsedName;

    fn named(family: &str, given: &str) -> ParsedContact {
        ParsedContact {
            name: ParsedName { family: family.into(), given: given.into(), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn display_names_follow_the_script() {
        assert_eq!(compose_display(&named("王", "小明")), "王小明");
        assert_eq!(compose_display(&named("Иванов", "Пётр")), "Пётр Иванов");
    }

    #[test]
    fn an_empty_card_is_an_error_but_an_email_is_enough() {
        assert!(finish_contact(ParsedContact::default()).is_err());
        let mut c = ParsedContact::default();
        c.emails.push(Labeled { label: String::new(), value: "a@b.c".into() });
        assert_eq!(finish_contact(c).map(|c| c.name.display).as_deref(), Ok("a@b.c"));
    }
}

//! vCard 3.0 writer: the version iOS and Android both import. Photos are included inline;
//! labels are kept (see [`super::labels`]) so exporting and re-importing loses nothing.

use base64::Engine;

use super::labels::{label_out, LabelOut, Prop};
use crate::import::{Labeled, ParsedContact, ParsedPhoto, PartialDate};

/// RFC 2425: lines longer than 75 octets are folded.
const FOLD_AT: usize = 75;

/// Writes one file with every card, CRLF line endings.
pub fn write_vcards<'a>(contacts: impl IntoIterator<Item = &'a ParsedContact>) -> String {
    let mut out = String::new();
    for c in contacts {
        write_card(&mut out, c);
    }
    out
}

/// Text-value escaping of RFC 2426 (backslash, newline, comma, semicolon).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            c => out.push(c),
        }
    }
    out
}

/// A photo link: readers take it verbatim, so only line breaks must go.
fn escape_uri(s: &str) -> String {
    s.replace(['\r', '\n'], "")
}

/// Appends `line` folded at 75 octets without splitting a UTF-8 character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

fn date(d: &PartialDate) -> String {
    match d.year {
        Some(y) => format!("{y:04}-{:02}-{:02}", d.month, d.day),
        None => format!("--{:02}{:02}", d.month, d.day),
    }
}

/// Writes `NAME;TYPE=..:value` or the grouped `itemN.NAME` + `itemN.X-ABLabel` pair.
struct Grouped {
    next_item: usize,
}

impl Grouped {
    fn write(&mut self, out: &mut String, name: &str, extra_type: Option<&str>, label: &str, prop: Prop, value: &str) {
        let mut types: Vec<&str> = extra_type.into_iter().collect();
        let mut group = None;
        match label_out(label, prop) {
            LabelOut::None => {}
            LabelOut::Types(t) => types.extend(t),
            LabelOut::Apple(text) => {
                self.next_item += 1;
                group = Some((format!("item{}", self.next_item), text));
            }
        }
        let mut line = String::new();
        if let Some((g, _)) = &group {
            line.push_str(g);
            line.push('.');
        }
        line.push_str(name);
        if !types.is_empty() {
            line.push_str(";TYPE=");
            line.push_str(&types.join(","));
        }
        line.push(':');
        line.push_str(value);
        push_line(out, &line);
        if let Some((g, text)) = group {
            push_line(out, &format!("{g}.X-ABLabel:{}", escape(&text)));
        }
    }
}

fn labeled(items: &[Labeled]) -> impl Iterator<Item = &Labeled> {
    items.iter().filter(|l| !l.value.trim().is_empty())
}

/// The lines Kith does not model, as they came, after the modeled ones. Their `itemN.`
/// groups are renumbered past the writer's own, consistently within the card, so a label
/// stays with its property and never with one of Kith's.
fn write_unmodeled(out: &mut String, lines: &[String], used_items: usize) {
    let mut groups: Vec<String> = Vec::new();
    for line in lines {
        let (group, _) = crate::import::unmodeled::head(line);
        match group {
            None => push_line(out, line),
            Some(group) => {
                let lower = group.to_ascii_lowercase();
                let n = match groups.iter().position(|g| *g == lower) {
                    Some(i) => i,
                    None => {
                        groups.push(lower);
                        groups.len() - 1
                    }
                };
                push_line(out, &format!("item{}.{}", used_items + n + 1, &line[group.len() + 1..]));
            }
        }
    }
}

/// Appends one card.
pub fn write_card(out: &mut String, c: &ParsedContact) {
    let n = &c.name;
    push_line(out, "BEGIN:VCARD");
    push_line(out, "VERSION:3.0");
    push_line(out, "PRODID:-//Kith//Kith//EN");
    let parts = [&n.family, &n.given, &n.middle, &n.prefix, &n.suffix].map(|p| escape(p));
    push_line(out, &format!("N:{}", parts.join(";")));
    push_line(out, &format!("FN:{}", escape(&n.display)));
    if let Some(v) = &c.nickname {
        push_line(out, &format!("NICKNAME:{}", escape(v)));
    }
    if c.org.is_some() || c.department.is_some() {
        let org = escape(c.org.as_deref().unwrap_or(""));
        match &c.department {
            Some(d) => push_line(out, &format!("ORG:{org};{}", escape(d))),
            None => push_line(out, &format!("ORG:{org}")),
        }
    }
    if let Some(v) = &c.title {
        push_line(out, &format!("TITLE:{}", escape(v)));
    }
    let mut g = Grouped { next_item: 0 };
    for e in labeled(&c.emails) {
        g.write(out, "EMAIL", Some("INTERNET"), &e.label, Prop::Email, &escape(&e.value));
    }
    for p in labeled(&c.phones) {
        g.write(out, "TEL", None, &p.label, Prop::Tel, &escape(&p.value));
    }
    for a in c.addresses.iter().filter(|a| !a.is_empty()) {
        let value = format!(
            ";;{};{};{};{};{}",
            escape(&a.street),
            escape(&a.city),
            escape(&a.region),
            escape(&a.postal_code),
            escape(&a.country)
        );
        g.write(out, "ADR", None, &a.label, Prop::Adr, &value);
    }
    for u in labeled(&c.urls) {
        g.write(out, "URL", None, &u.label, Prop::Url, &escape(&u.value));
    }
    if let Some(b) = &c.birthday {
        push_line(out, &format!("BDAY:{}", date(b)));
    }
    if let Some(a) = &c.anniversary {
        // 3.0 has no ANNIVERSARY: Apple's labelled date is what iOS reads.
        g.next_item += 1;
        push_line(out, &format!("item{}.X-ABDATE:{}", g.next_item, date(a)));
        push_line(out, &format!("item{}.X-ABLabel:_$!<Anniversary>!$_", g.next_item));
    }
    for d in &c.dates {
        g.write(out, "X-ABDATE", None, &d.label, Prop::Date, &date(&d.date));
    }
    for r in c.related.iter().filter(|r| !r.name.trim().is_empty()) {
        g.write(out, "X-ABRELATEDNAMES", None, &r.label, Prop::Related, &escape(&r.name));
    }
    if let Some(v) = &c.pronouns {
        // vCard 4 (RFC 9554) has PRONOUNS; in 3.0 it is an extension.
        push_line(out, &format!("X-PRONOUNS:{}", escape(v)));
    }
    if let Some(v) = &c.note {
        push_line(out, &format!("NOTE:{}", escape(v)));
    }
    if !c.categories.is_empty() {
        let cats: Vec<String> = c.categories.iter().map(|s| escape(s)).collect();
        push_line(out, &format!("CATEGORIES:{}", cats.join(",")));
    }
    if let Some(uid) = &c.uid {
        push_line(out, &format!("UID:{}", escape(uid)));
    }
    write_unmodeled(out, &c.unmodeled, g.next_item);
    match &c.photo {
        Some(ParsedPhoto::Inline { mime, bytes }) => {
            let kind = mime.strip_prefix("image/").unwrap_or("JPEG").to_ascii_uppercase();
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            push_line(out, &format!("PHOTO;ENCODING=b;TYPE={kind}:{data}"));
        }
        Some(ParsedPhoto::Url(url)) => push_line(out, &format!("PHOTO;VALUE=uri:{}", escape_uri(url))),
        None => {}
    }
    push_line(out, "END:VCARD");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_utf8_whole_and_lines_short() {
        let mut out = String::new();
        push_line(&mut out, &format!("FN:{}", "ж".repeat(100)));
        for line in out.split("\r\n") {
            assert!(line.len() <= FOLD_AT, "{} octets", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("FN:{}\r\n", "ж".repeat(100)));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}

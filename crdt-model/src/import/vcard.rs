//! One vCard (2.1, 3.0 or 4.0) to a [`ParsedContact`], via calcard.
//!
//! calcard already decodes 2.1 quoted-printable with `CHARSET`, 3.0 `ENCODING=b`, 4.0
//! `data:` URIs, folding and `itemN.` groups; this module maps properties to fields and
//! decides what is an error (the card is dropped) and what is a warning (a field is).

use std::collections::HashMap;

use calcard::common::IanaString;
use calcard::vcard::{VCard, VCardEntry, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue};
use calcard::Entry;

use super::card_fields::finish_contact;
use super::split::RawCard;
use super::types::{Labeled, LabeledDate, LabeledName, ParsedAddress, ParsedContact, ParsedPhoto, PartialDate};
use super::{dates, labels, photo, Limits};

/// What one card gave: the contact or the reason it was dropped, plus field warnings.
pub(crate) struct CardOutcome {
    pub contact: Result<ParsedContact, String>,
    pub warnings: Vec<String>,
}

pub(crate) fn parse_card(raw: &RawCard<'_>, limits: &Limits) -> CardOutcome {
    let mut warnings = Vec::new();
    let contact = parse_inner(raw, limits, &mut warnings);
    CardOutcome { contact, warnings }
}

fn parse_inner(raw: &RawCard<'_>, limits: &Limits, warnings: &mut Vec<String>) -> Result<ParsedContact, String> {
    if !raw.has_end {
        return Err("card has no END:VCARD".to_owned());
    }
    let text = decode(raw.bytes, warnings);
    let text = text.trim_start_matches('\u{feff}');
    let card = VCard::parse(text).map_err(|e| match e {
        Entry::InvalidLine(line) => format!("invalid line: {}", shorten(&line)),
        _ => "not a readable vCard".to_owned(),
    })?;
    let mut c = ParsedContact::default();
    let group_labels = apple_group_labels(&card);
    let mut notes = Vec::new();
    for e in &card.entries {
        let label = || label_for(e, &group_labels);
        match &e.name {
            VCardProperty::Version => {
                let v = first_text(e).unwrap_or_default();
                if !v.is_empty() && !["2", "3", "4"].iter().any(|p| v.starts_with(p)) {
                    return Err(format!("unsupported vCard version {}", shorten(&v)));
                }
            }
            VCardProperty::Fn => set_once(&mut c.name.display, first_text(e)),
            VCardProperty::N => {
                let parts = texts(e);
                let part = |i: usize| parts.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
                c.name.family = part(0);
                c.name.given = part(1);
                c.name.middle = part(2);
                c.name.prefix = part(3);
                c.name.suffix = part(4);
            }
            VCardProperty::Nickname => {
                let all: Vec<String> = texts(e).into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                if c.nickname.is_none() && !all.is_empty() {
                    c.nickname = Some(all.join(", "));
                }
            }
            VCardProperty::Org => {
                let parts = texts(e);
                c.org = c.org.take().or_else(|| non_empty(parts.first()));
                c.department = c.department.take().or_else(|| non_empty(parts.get(1)));
            }
            VCardProperty::Title => c.title = c.title.take().or_else(|| first_text(e)),
            VCardProperty::Email => {
                // Duplicates are dropped once, after cleaning (`finish_contact`).
                if let Some(v) = first_text(e) {
                    c.emails.push(Labeled { label: label(), value: v });
                }
            }
            VCardProperty::Tel => {
                if let Some(v) = first_text(e) {
                    c.phones.push(Labeled { label: label(), value: v });
                }
            }
            VCardProperty::Adr => {
                let a = address(e, label());
                if !a.is_empty() {
                    c.addresses.push(a);
                }
            }
            VCardProperty::Url => {
                if let Some(v) = first_text(e) {
                    // Google writes "https\://"; calcard keeps the unknown escape.
                    c.urls.push(Labeled { label: label(), value: v.replacen("\\://", "://", 1) });
                }
            }
            VCardProperty::Bday if c.birthday.is_none() => c.birthday = date_of(e, text, "BDAY", warnings),
            VCardProperty::Anniversary => {
                if let Some(d) = date_of(e, text, "ANNIVERSARY", warnings) {
                    add_date(&mut c, "anniversary".to_owned(), d);
                }
            }
            VCardProperty::Related => related(e, &group_labels, &mut c, warnings),
            VCardProperty::Pronouns => c.pronouns = c.pronouns.take().or_else(|| first_text(e)),
            VCardProperty::Note => {
                if let Some(n) = first_text_joined(e) {
                    notes.push(n.replace("\r\n", "\n"));
                }
            }
            VCardProperty::Categories => {
                c.categories.extend(texts(e));
            }
            VCardProperty::Uid => c.uid = c.uid.take().or_else(|| first_text(e)),
            VCardProperty::Photo if c.photo.is_none() => c.photo = photo_of(e, limits, warnings),
            VCardProperty::Other(name) => other_property(name, e, &group_labels, text, &mut c, warnings),
            _ => {}
        }
    }
    if !notes.is_empty() {
        c.note = Some(notes.join("\n\n"));
    }
    c.unmodeled = super::unmodeled::unmodeled_lines(text, limits.max_values_per_field * 4, warnings);
    finish_contact(c)
}

/// vCards are UTF-8 in practice; an old 8-bit export without quoted-printable is read as
/// Latin-1 (every byte is a character there), which is what such exporters wrote.
fn decode<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> std::borrow::Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => {
            warnings.push("card is not UTF-8; read as Latin-1".to_owned());
            bytes.iter().map(|b| char::from(*b)).collect::<String>().into()
        }
    }
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// `itemN.X-ABLabel` values by lowercase group name.
fn apple_group_labels(card: &VCard) -> HashMap<String, String> {
    card.entries
        .iter()
        .filter(|e| matches!(&e.name, VCardProperty::Other(n) if n.eq_ignore_ascii_case("X-ABLabel")))
        .filter_map(|e| Some((e.group.as_ref()?.to_ascii_lowercase(), labels::from_apple(&first_text(e)?))))
        .collect()
}

fn label_for(e: &VCardEntry, group_labels: &HashMap<String, String>) -> String {
    if let Some(l) = e.group.as_ref().and_then(|g| group_labels.get(&g.to_ascii_lowercase())) {
        return l.clone();
    }
    labels::from_types(type_params(e).iter().map(String::as_str))
}

/// TYPE values, including 2.1's bare parameters (`TEL;CELL;X-Custom:`).
fn type_params(e: &VCardEntry) -> Vec<String> {
    let mut out = Vec::new();
    for p in &e.params {
        match (&p.name, &p.value) {
            (VCardParameterName::Type, VCardParameterValue::Type(t)) => out.push(t.as_str().to_owned()),
            (VCardParameterName::Type, VCardParameterValue::Text(s)) => out.extend(s.split(',').map(str::to_owned)),
            (VCardParameterName::Other(n), VCardParameterValue::Null) => out.push(n.clone()),
            _ => {}
        }
    }
    out
}

fn param_text(e: &VCardEntry, wanted: &VCardParameterName) -> Option<String> {
    e.params.iter().find(|p| &p.name == wanted).and_then(|p| match &p.value {
        VCardParameterValue::Text(s) => Some(s.clone()),
        _ => None,
    })
}

fn value_text(v: &VCardValue) -> Option<String> {
    match v {
        VCardValue::Text(s) => Some(s.clone()),
        VCardValue::Component(parts) => Some(parts.join(",")),
        VCardValue::Integer(i) => Some(i.to_string()),
        VCardValue::Float(f) => Some(f.to_string()),
        VCardValue::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn texts(e: &VCardEntry) -> Vec<String> {
    e.values.iter().map(|v| value_text(v).unwrap_or_default()).collect()
}

fn first_text(e: &VCardEntry) -> Option<String> {
    e.values.first().and_then(value_text).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A single-valued text property that a lax exporter split at commas/semicolons.
fn first_text_joined(e: &VCardEntry) -> Option<String> {
    let s = texts(e).join(",");
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn non_empty(s: Option<&String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn set_once(slot: &mut String, value: Option<String>) {
    if slot.is_empty() {
        if let Some(v) = value {
            *slot = v;
        }
    }
}

/// ADR components: PO box; extended; street; locality; region; postal code; country.
fn address(e: &VCardEntry, label: String) -> ParsedAddress {
    let parts = texts(e);
    let part = |i: usize| parts.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
    let street: Vec<String> = [part(2), part(1), part(0)].into_iter().filter(|s| !s.is_empty()).collect();
    ParsedAddress {
        label,
        street: street.join("\n"),
        city: part(3),
        region: part(4),
        postal_code: part(5),
        country: part(6),
    }
}

/// The raw text after the colon of the first `name` line; used when calcard read a date
/// spelling it does not know (`--03-15`) as something partial.
fn raw_value<'t>(card_text: &'t str, name: &str) -> Option<&'t str> {
    card_text.lines().find_map(|line| {
        let (head, value) = line.split_once(':')?;
        let prop = head.split(';').next()?;
        let prop = prop.rsplit('.').next()?;
        prop.trim().eq_ignore_ascii_case(name).then_some(value)
    })
}

fn date_of(e: &VCardEntry, card_text: &str, name: &str, warnings: &mut Vec<String>) -> Option<super::PartialDate> {
    let omit_year = e.params.iter().any(|p| matches!(&p.name, VCardParameterName::Other(n) if n.eq_ignore_ascii_case("X-APPLE-OMIT-YEAR")));
    let parsed = match e.values.first() {
        Some(VCardValue::PartialDateTime(p)) => dates::from_partial(p, omit_year)
            .or_else(|| raw_value(card_text, name).and_then(dates::parse_text)),
        Some(v) => value_text(v).as_deref().and_then(dates::parse_text),
        None => None,
    };
    let parsed = parsed.map(|d| if omit_year { super::PartialDate { year: None, ..d } } else { d });
    if parsed.is_none() {
        let shown = raw_value(card_text, name).map(shorten).unwrap_or_default();
        warnings.push(format!("{name} {shown:?} is not a date; skipped"));
    }
    parsed
}

fn photo_of(e: &VCardEntry, limits: &Limits, warnings: &mut Vec<String>) -> Option<ParsedPhoto> {
    let declared = param_text(e, &VCardParameterName::Mediatype).or_else(|| type_params(e).into_iter().next());
    let (bytes, content_type) = match e.values.first()? {
        VCardValue::Binary(data) => (data.data.clone(), data.content_type.clone()),
        VCardValue::Text(s) => {
            let s = s.trim();
            if s.starts_with("http://") || s.starts_with("https://") {
                return Some(ParsedPhoto::Url(s.to_owned()));
            }
            match super::card_fields::decode_base64(s) {
                Some(b) => (b, None),
                None => {
                    warnings.push("photo could not be decoded; skipped".to_owned());
                    return None;
                }
            }
        }
        _ => return None,
    };
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() > limits.max_photo_bytes {
        warnings.push(format!(
            "photo of {} KB is over the {} KB limit; skipped",
            bytes.len().div_ceil(1024),
            limits.max_photo_bytes / 1024
        ));
        return None;
    }
    match photo::mime_for(&bytes) {
        Some(mime) => Some(ParsedPhoto::Inline { mime: mime.to_owned(), bytes }),
        None => {
            let said = content_type.or(declared).and_then(|d| photo::declared_mime(&d)).unwrap_or_default();
            warnings.push(if said.is_empty() {
                "photo is not a recognised image; skipped".to_owned()
            } else {
                format!("photo ({said}) is not a recognised image; skipped")
            });
            None
        }
    }
}

/// Vendor extensions worth keeping.
fn other_property(
    name: &str,
    e: &VCardEntry,
    group_labels: &HashMap<String, String>,
    card_text: &str,
    c: &mut ParsedContact,
    warnings: &mut Vec<String>,
) {
    let upper = name.to_ascii_uppercase();
    match upper.as_str() {
        // Android keeps the nickname in its own row type.
        "X-ANDROID-CUSTOM" => {
            let raw = first_text_joined(e).unwrap_or_default();
            let mut parts = raw.split(';');
            if parts.next().is_some_and(|m| m.ends_with("/nickname")) && c.nickname.is_none() {
                c.nickname = parts.next().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            }
        }
        // Evolution/KDE anniversaries, and Apple's labelled dates.
        "X-ANNIVERSARY" | "X-ABDATE" => {
            let label = if upper == "X-ANNIVERSARY" { "anniversary".to_owned() } else { labels::readable(&label_for(e, group_labels)) };
            if let Some(d) = date_of(e, card_text, name, warnings) {
                add_date(c, label, d);
            }
        }
        "X-ABRELATEDNAMES" => related(e, group_labels, c, warnings),
        "X-PRONOUNS" => c.pronouns = c.pronouns.take().or_else(|| first_text(e)),
        _ => {}
    }
}

/// The first anniversary is the card's anniversary; every other date is kept with its label.
fn add_date(c: &mut ParsedContact, label: String, date: PartialDate) {
    if label == "anniversary" && c.anniversary.is_none() {
        c.anniversary = Some(date);
    } else {
        c.dates.push(LabeledDate { label, date });
    }
}

/// `X-ABRELATEDNAMES` (iPhone) or `RELATED` (vCard 4): a name, or in vCard 4 possibly a
/// link to another card, which names nobody Kith can show.
fn related(e: &VCardEntry, group_labels: &HashMap<String, String>, c: &mut ParsedContact, warnings: &mut Vec<String>) {
    let Some(name) = first_text_joined(e) else { return };
    if LabeledName::is_link(&name) {
        warnings.push(format!("related person {:?} is a link, not a name; skipped", shorten(&name)));
        return;
    }
    c.related.push(LabeledName { label: labels::readable(&label_for(e, group_labels)), name });
}

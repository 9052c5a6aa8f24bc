//! CSV rows (Google Contacts, Outlook) to [`ParsedContact`]s, with the `csv` crate
//! (quoted multi-line addresses, doubled quotes) and a plan from the header row.

use std::borrow::Cow;

use super::bounds::Gate;
use super::card_fields::finish_contact;
use super::csv_headers::{plan, Field, GroupCols, GroupKind, Plan};
use super::types::{CardIssue, FileKind, Labeled, LabeledDate, LabeledName, ParsedAddress, ParsedContact, ParsedEntry, ParsedFile, ParsedPhoto};
use super::{dates, labels, ImportError, Limits};

/// Google joins several values of one field with this.
const MULTI: &str = " ::: ";

/// UTF-8 (BOM or not), UTF-16 with a BOM (Outlook), else Latin-1 (older Outlook).
fn decode(input: &[u8]) -> (Cow<'_, str>, Option<&'static str>) {
    if let Some(rest) = input.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest), None);
    }
    if let Some(rest) = input.strip_prefix(b"\xFF\xFE") {
        let units = rest.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]]));
        let s: String = char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect();
        return (s.into(), None);
    }
    match std::str::from_utf8(input) {
        Ok(s) => (s.into(), None),
        Err(_) => (
            input.iter().map(|b| char::from(*b)).collect::<String>().into(),
            Some("file is not UTF-8; read as Latin-1"),
        ),
    }
}

/// Semicolon-separated files come from spreadsheet programs in comma-decimal locales.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

pub(crate) fn parse(input: &[u8], limits: &Limits) -> Result<ParsedFile, ImportError> {
    let (text, encoding_warning) = decode(input);
    let mut file = ParsedFile { kind: FileKind::Csv, contacts: Vec::new(), errors: Vec::new(), warnings: Vec::new() };
    if text.trim().is_empty() {
        return Ok(file);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(ImportError::NotCsv(format!("unreadable header row: {}", csv_error_kind(&e)))),
        None => return Ok(file),
    };
    let headers: Vec<&str> = header.iter().collect();
    let plan = plan(&headers);
    if !plan.is_contacts_csv() {
        return Err(ImportError::NotCsv("no name, email or phone column in the header row".to_owned()));
    }
    if let Some(w) = encoding_warning {
        file.warnings.push(CardIssue { index: 0, line: 1, message: w.to_owned() });
    }
    let mut gate = Gate::new(limits);
    for (index, record) in records.enumerate() {
        gate.tick()?;
        if index >= limits.max_cards {
            return Err(ImportError::TooManyCards { limit: limits.max_cards });
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                file.errors.push(CardIssue { index, line, message: format!("unreadable row: {}", csv_error_kind(&e)) });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut warnings = Vec::new();
        let result = row_contact(&plan, &record, &mut warnings);
        let issue = |message| CardIssue { index, line, message };
        file.warnings.extend(warnings.into_iter().map(issue));
        match result {
            Ok(mut contact) => {
                file.warnings.extend(gate.accept(&mut contact)?.into_iter().map(issue));
                file.contacts.push(ParsedEntry { index, line, contact });
            }
            Err(message) => file.errors.push(CardIssue { index, line, message }),
        }
    }
    Ok(file)
}

/// The kind of a csv error without echoing file content back.
fn csv_error_kind(e: &csv::Error) -> &'static str {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8",
        csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields",
        _ => "malformed CSV",
    }
}

fn cell(record: &csv::StringRecord, i: Option<usize>) -> &str {
    i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("")
}

fn split_multi(s: &str) -> Vec<&str> {
    s.split(MULTI).map(str::trim).filter(|v| !v.is_empty()).collect()
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn row_contact(plan: &Plan, record: &csv::StringRecord, warnings: &mut Vec<String>) -> Result<ParsedContact, String> {
    let mut c = ParsedContact::default();
    for &(i, field) in &plan.fields {
        let v = cell(record, Some(i));
        if v.is_empty() {
            continue;
        }
        match field {
            Field::Display => c.name.display = v.to_owned(),
            Field::Given => c.name.given = v.to_owned(),
            Field::Middle => c.name.middle = v.to_owned(),
            Field::Family => c.name.family = v.to_owned(),
            Field::Prefix => c.name.prefix = v.to_owned(),
            Field::Suffix => c.name.suffix = v.to_owned(),
            Field::Nickname => c.nickname = some(v),
            Field::Org => c.org = some(v),
            Field::JobTitle => c.title = some(v),
            Field::Department => c.department = some(v),
            Field::Birthday => c.birthday = date(v, "birthday", warnings),
            Field::Anniversary => c.anniversary = date(v, "anniversary", warnings),
            Field::Note => c.note = some(&v.replace("\r\n", "\n")),
            Field::Photo => {
                if v.starts_with("https://") || v.starts_with("http://") {
                    c.photo = Some(ParsedPhoto::Url(v.to_owned()));
                }
            }
            Field::Categories => {
                // "* myContacts ::: Friends": the star marks Google's system groups.
                let cats = split_multi(v).into_iter().map(|cat| cat.trim_start_matches('*').to_owned());
                c.categories.extend(cats);
            }
        }
    }
    for ((kind, _), cols) in &plan.groups {
        group(&mut c, *kind, cols, record, warnings);
    }
    finish_contact(c)
}

fn date(v: &str, what: &str, warnings: &mut Vec<String>) -> Option<super::PartialDate> {
    let d = dates::parse_text(v);
    if d.is_none() && v != "0/0/00" {
        warnings.push(format!("{what} {v:?} is not a date; skipped"));
    }
    d
}

/// Pairs " ::: "-joined values with their labels (a single label applies to all).
fn labeled_values(cols: &GroupCols, record: &csv::StringRecord) -> Vec<Labeled> {
    let values = split_multi(cell(record, cols.value));
    let raw_labels = split_multi(cell(record, cols.label));
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let label = match cols.fixed_label {
                Some(l) => l.to_owned(),
                None => raw_labels.get(i).or(raw_labels.first()).map(|l| labels::from_words(l)).unwrap_or_default(),
            };
            Labeled { label, value: (*v).to_owned() }
        })
        .collect()
}

fn group(c: &mut ParsedContact, kind: GroupKind, cols: &GroupCols, record: &csv::StringRecord, warnings: &mut Vec<String>) {
    match kind {
        // Duplicates are dropped once, after cleaning (`finish_contact`).
        GroupKind::Email => c.emails.extend(labeled_values(cols, record)),
        GroupKind::Phone => c.phones.extend(labeled_values(cols, record)),
        GroupKind::Website => c.urls.extend(labeled_values(cols, record)),
        GroupKind::Event => {
            for e in labeled_values(cols, record) {
                let label = labels::readable(&e.label);
                let Some(d) = date(&e.value, "event", warnings) else { continue };
                if label == "anniversary" && c.anniversary.is_none() {
                    c.anniversary = Some(d);
                } else {
                    c.dates.push(LabeledDate { label, date: d });
                }
            }
        }
        GroupKind::Relation => {
            for r in labeled_values(cols, record) {
                if LabeledName::is_link(&r.value) {
                    warnings.push(format!("related person {:?} is a link, not a name; skipped", r.value.chars().take(40).collect::<String>()));
                    continue;
                }
                c.related.push(LabeledName { label: labels::readable(&r.label), name: r.value });
            }
        }
        GroupKind::Organization => {
            c.org = c.org.take().or_else(|| some(cell(record, cols.name)));
            c.title = c.title.take().or_else(|| some(cell(record, cols.title)));
            c.department = c.department.take().or_else(|| some(cell(record, cols.department)));
        }
        GroupKind::Address => {
            if let Some(a) = address(cols, record) {
                c.addresses.push(a);
            }
        }
    }
}

/// Structured parts when present, else the "Formatted" text as the street.
fn address(cols: &GroupCols, record: &csv::StringRecord) -> Option<ParsedAddress> {
    let label = match cols.fixed_label {
        Some(l) => l.to_owned(),
        None => labels::from_words(split_multi(cell(record, cols.label)).first().copied().unwrap_or("")),
    };
    let street: Vec<&str> = [cols.street, cols.extended, cols.po_box]
        .into_iter()
        .map(|i| cell(record, i))
        .filter(|s| !s.is_empty())
        .collect();
    let mut a = ParsedAddress {
        label,
        street: street.join("\n").replace("\r\n", "\n"),
        city: cell(record, cols.city).to_owned(),
        region: cell(record, cols.region).to_owned(),
        postal_code: cell(record, cols.postal_code).to_owned(),
        country: cell(record, cols.country).to_owned(),
    };
    if a.is_empty() {
        a.street = cell(record, cols.formatted).replace("\r\n", "\n");
    }
    (!a.is_empty()).then_some(a)
}

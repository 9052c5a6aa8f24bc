//! Reading a CSV header row into a plan of which column feeds which field.
//!
//! Covers Google Contacts' current export ("First Name", "E-mail 1 - Label"), its older
//! one ("Given Name", "E-mail 1 - Type", "Group Membership") and Outlook's ("E-mail
//! Address", "Business Phone", "Home Street").

use std::collections::BTreeMap;

/// A single-column field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Display,
    Given,
    Middle,
    Family,
    Prefix,
    Suffix,
    Nickname,
    Org,
    JobTitle,
    Department,
    Birthday,
    Anniversary,
    Note,
    Photo,
    Categories,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum GroupKind {
    Email,
    Phone,
    Address,
    Website,
    Event,
    Relation,
    Organization,
}

/// The columns of one numbered group ("Phone 2 - Label", "Phone 2 - Value") or of one
/// Outlook fixed-label group ("Business Street", "Business City").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GroupCols {
    /// Outlook's columns carry their label in the header.
    pub fixed_label: Option<&'static str>,
    pub label: Option<usize>,
    pub value: Option<usize>,
    pub formatted: Option<usize>,
    pub street: Option<usize>,
    pub extended: Option<usize>,
    pub po_box: Option<usize>,
    pub city: Option<usize>,
    pub region: Option<usize>,
    pub postal_code: Option<usize>,
    pub country: Option<usize>,
    pub name: Option<usize>,
    pub title: Option<usize>,
    pub department: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub fields: Vec<(usize, Field)>,
    /// Keyed by kind and group number; Outlook groups get numbers from 1000 up.
    pub groups: BTreeMap<(GroupKind, u32), GroupCols>,
}

impl Plan {
    /// Whether the header named anything that identifies a person.
    pub fn is_contacts_csv(&self) -> bool {
        self.fields.iter().any(|(_, f)| matches!(f, Field::Display | Field::Given | Field::Family))
            || self.groups.keys().any(|(k, _)| matches!(k, GroupKind::Email | GroupKind::Phone))
    }
}

fn simple_field(h: &str) -> Option<Field> {
    Some(match h {
        "name" | "display name" | "full name" => Field::Display,
        "first name" | "given name" => Field::Given,
        "middle name" | "additional name" => Field::Middle,
        "last name" | "family name" | "surname" => Field::Family,
        // Outlook's "Title" is the name prefix ("Dr."), its job title is "Job Title".
        "name prefix" | "title" | "prefix" => Field::Prefix,
        "name suffix" | "suffix" => Field::Suffix,
        "nickname" => Field::Nickname,
        "organization name" | "company" | "organization" => Field::Org,
        "organization title" | "job title" => Field::JobTitle,
        "organization department" | "department" => Field::Department,
        "birthday" => Field::Birthday,
        "anniversary" => Field::Anniversary,
        "notes" | "note" => Field::Note,
        "photo" => Field::Photo,
        "labels" | "group membership" | "categories" => Field::Categories,
        _ => return None,
    })
}

/// "E-mail 2 - Value" -> (Email, 2, "value").
fn numbered(h: &str) -> Option<(GroupKind, u32, String)> {
    let (left, part) = h.split_once(" - ")?;
    let (kind, n) = left.rsplit_once(' ')?;
    let n: u32 = n.parse().ok()?;
    let kind = match kind {
        "e-mail" | "email" => GroupKind::Email,
        "phone" => GroupKind::Phone,
        "address" => GroupKind::Address,
        "website" => GroupKind::Website,
        "event" => GroupKind::Event,
        "relation" => GroupKind::Relation,
        "organization" => GroupKind::Organization,
        _ => return None,
    };
    Some((kind, n, part.trim().to_owned()))
}

/// Outlook's fixed columns: (kind, group number, label, part).
fn outlook(h: &str) -> Option<(GroupKind, u32, &'static str, &'static str)> {
    let phone = |n, label| Some((GroupKind::Phone, n, label, "value"));
    match h {
        "e-mail address" => return Some((GroupKind::Email, 1001, "", "value")),
        "e-mail 2 address" => return Some((GroupKind::Email, 1002, "", "value")),
        "e-mail 3 address" => return Some((GroupKind::Email, 1003, "", "value")),
        "mobile phone" => return phone(1001, "mobile"),
        "home phone" => return phone(1002, "home"),
        "home phone 2" => return phone(1003, "home"),
        "business phone" => return phone(1004, "work"),
        "business phone 2" => return phone(1005, "work"),
        "other phone" => return phone(1006, "other"),
        "primary phone" | "company main phone" => return phone(1007, "main"),
        "business fax" => return phone(1008, "work fax"),
        "home fax" => return phone(1009, "home fax"),
        "pager" => return phone(1010, "pager"),
        "web page" => return Some((GroupKind::Website, 1001, "", "value")),
        "personal web page" => return Some((GroupKind::Website, 1002, "homepage", "value")),
        _ => {}
    }
    let (place, rest) = h.split_once(' ')?;
    let (n, label) = match place {
        "business" => (1001, "work"),
        "home" => (1002, "home"),
        "other" => (1003, "other"),
        _ => return None,
    };
    let part = match rest {
        "street" => "street",
        "street 2" | "street 3" => "extended",
        "city" => "city",
        "state" => "region",
        "postal code" => "postal code",
        "country/region" | "country" => "country",
        "po box" => "po box",
        _ => return None,
    };
    Some((GroupKind::Address, n, label, part))
}

fn assign(cols: &mut GroupCols, part: &str, i: usize) {
    let slot = match part {
        "label" | "type" => &mut cols.label,
        "value" => &mut cols.value,
        "formatted" => &mut cols.formatted,
        "street" => &mut cols.street,
        "extended" | "extended address" => &mut cols.extended,
        "po box" => &mut cols.po_box,
        "city" => &mut cols.city,
        "region" => &mut cols.region,
        "postal code" => &mut cols.postal_code,
        "country" => &mut cols.country,
        "name" => &mut cols.name,
        "title" => &mut cols.title,
        "department" => &mut cols.department,
        _ => return,
    };
    // Outlook has "Business Street 2" and "3"; the first extended column wins.
    slot.get_or_insert(i);
}

pub(crate) fn plan(headers: &[&str]) -> Plan {
    let mut plan = Plan::default();
    for (i, raw) in headers.iter().enumerate() {
        let h = raw.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        if let Some(f) = simple_field(&h) {
            if !plan.fields.iter().any(|(_, g)| *g == f) {
                plan.fields.push((i, f));
            }
        } else if let Some((kind, n, part)) = numbered(&h) {
            assign(plan.groups.entry((kind, n)).or_default(), &part.to_ascii_lowercase(), i);
        } else if let Some((kind, n, label, part)) = outlook(&h) {
            let cols = plan.groups.entry((kind, n)).or_default();
            cols.fixed_label = Some(label);
            assign(cols, part, i);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_current_and_old_headers() {
        let p = plan(&["\u{feff}First Name", "Last Name", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 2 - Type"]);
        assert_eq!(p.fields, vec![(0, Field::Given), (1, Field::Family)]);
        let email = &p.groups[&(GroupKind::Email, 1)];
        assert_eq!((email.label, email.value), (Some(2), Some(3)));
        assert_eq!(p.groups[&(GroupKind::Phone, 2)].label, Some(4));
        let p = plan(&["Name", "Relation 1 - Label", "Relation 1 - Value", "Event 2 - Type", "Event 2 - Value"]);
        assert_eq!(p.groups[&(GroupKind::Relation, 1)].value, Some(2));
        assert_eq!(p.groups[&(GroupKind::Event, 2)].label, Some(3));
        assert!(p.is_contacts_csv());
    }

    #[test]
    fn outlook_headers() {
        let p = plan(&["First Name", "E-mail Address", "Business Fax", "Home Street", "Home City"]);
        assert_eq!(p.groups[&(GroupKind::Phone, 1008)].fixed_label, Some("work fax"));
        let home = &p.groups[&(GroupKind::Address, 1002)];
        assert_eq!((home.street, home.city, home.fixed_label), (Some(3), Some(4), Some("home")));
    }

    #[test]
    fn unrelated_csv_is_not_contacts() {
        assert!(!plan(&["date", "amount", "payee"]).is_contacts_csv());
    }
}

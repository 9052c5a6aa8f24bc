//! Property values (the inside of `<d:prop>`) for each kind of resource.

use super::cards::Card;
use super::paths;
use super::xml::{esc, Name, CALSERVER, CARDDAV, DAV};
use crate::ids::UserId;

/// The resource a property is asked of.
pub enum Target<'a> {
    Root,
    Principal,
    Home,
    Book { token: &'a str },
    Card(&'a Card),
}

/// Largest card a PUT accepts, in bytes (advertised as `max-resource-size`).
pub const MAX_CARD_BYTES: usize = 1024 * 1024;

/// What `allprop` (or an empty PROPFIND) returns.
pub const ALLPROP: &[(&str, &str)] = &[
    (DAV, "resourcetype"),
    (DAV, "displayname"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
    (DAV, "current-user-principal"),
    (CALSERVER, "getctag"),
    (DAV, "sync-token"),
];

pub fn allprop() -> Vec<Name> {
    ALLPROP.iter().map(|(ns, local)| Name { ns: (*ns).to_owned(), local: (*local).to_owned() }).collect()
}

fn wrap(tag: &str, inner: &str) -> String {
    format!("<{tag}>{inner}</{tag}>")
}

fn href(h: &str) -> String {
    wrap("d:href", &esc(h))
}

fn privileges(list: &[&str]) -> String {
    let inner: String = list.iter().map(|p| format!("<d:privilege><d:{p}/></d:privilege>")).collect();
    wrap("d:current-user-privilege-set", &inner)
}

/// The property's XML, or `None` when this resource has no such property (→ 404 propstat).
pub fn value(name: &Name, target: &Target<'_>, user: UserId) -> Option<String> {
    let principal = paths::principal(user);
    let v = match (name.ns.as_str(), name.local.as_str(), target) {
        (DAV, "resourcetype", t) => wrap(
            "d:resourcetype",
            match t {
                Target::Root | Target::Home => "<d:collection/>",
                Target::Principal => "<d:collection/><d:principal/>",
                Target::Book { .. } => "<d:collection/><card:addressbook/>",
                Target::Card(_) => "",
            },
        ),
        (DAV, "current-user-principal", _) => wrap("d:current-user-principal", &href(&principal)),
        (DAV, "principal-URL", Target::Principal) => wrap("d:principal-URL", &href(&principal)),
        (DAV, "owner", Target::Book { .. } | Target::Home) => wrap("d:owner", &href(&principal)),
        (CARDDAV, "addressbook-home-set", Target::Root | Target::Principal) => {
            wrap("card:addressbook-home-set", &href(&paths::home(user)))
        }
        (DAV, "principal-collection-set", Target::Root | Target::Principal) => {
            wrap("d:principal-collection-set", &href("/dav/principals/"))
        }
        (DAV, "displayname", Target::Book { .. }) => wrap("d:displayname", "Kith"),
        (DAV, "displayname", Target::Principal) => wrap("d:displayname", "Kith"),
        (DAV, "displayname", Target::Home) => wrap("d:displayname", "Address books"),
        (CARDDAV, "addressbook-description", Target::Book { .. }) => {
            wrap("card:addressbook-description", "Your contacts in Kith")
        }
        (DAV, "getetag", Target::Card(c)) => wrap("d:getetag", &esc(&c.etag)),
        (DAV, "getcontenttype", Target::Card(_)) => wrap("d:getcontenttype", "text/vcard; charset=utf-8"),
        (DAV, "getcontentlength", Target::Card(c)) => wrap("d:getcontentlength", &c.vcard.len().to_string()),
        // CR as a character reference: XML parsers turn a literal CRLF into LF.
        (CARDDAV, "address-data", Target::Card(c)) => wrap("card:address-data", &esc(&c.vcard).replace('\r', "&#13;")),
        (CALSERVER, "getctag", Target::Book { token }) => wrap("cs:getctag", &esc(token)),
        (DAV, "sync-token", Target::Book { token }) => wrap("d:sync-token", &esc(token)),
        (DAV, "supported-report-set", Target::Book { .. }) => wrap(
            "d:supported-report-set",
            "<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>\
             <d:supported-report><d:report><card:addressbook-multiget/></d:report></d:supported-report>\
             <d:supported-report><d:report><card:addressbook-query/></d:report></d:supported-report>",
        ),
        (CARDDAV, "supported-address-data", Target::Book { .. }) => wrap(
            "card:supported-address-data",
            "<card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>",
        ),
        (CARDDAV, "max-resource-size", Target::Book { .. }) => wrap("card:max-resource-size", &MAX_CARD_BYTES.to_string()),
        (DAV, "current-user-privilege-set", Target::Book { .. } | Target::Card(_)) => {
            privileges(&["read", "write", "write-content", "write-properties", "bind", "unbind", "read-current-user-privilege-set"])
        }
        (DAV, "current-user-privilege-set", _) => privileges(&["read", "read-current-user-privilege-set"]),
        _ => return None,
    };
    Some(v)
}

/// Splits asked-for names into found values and missing names. With `quiet` (allprop),
/// missing ones are left out instead of listed as 404.
pub fn answer(names: &[Name], target: &Target<'_>, user: UserId, quiet: bool) -> (Vec<String>, Vec<Name>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match value(n, target, user) {
            Some(v) => found.push(v),
            None if !quiet => missing.push(n.clone()),
            None => {}
        }
    }
    (found, missing)
}

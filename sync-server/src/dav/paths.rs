//! Where things live under `/dav`, and hrefs in and out.
//!
//! `/dav/` (discovery) → `/dav/principals/<user>/` → home `/dav/addressbooks/<user>/` → the one
//! address book `/dav/addressbooks/<user>/contacts/` → cards `…/contacts/<name>`.

use crate::ids::UserId;

pub const ROOT: &str = "/dav/";
/// Longest card name accepted (one path segment).
pub const MAX_NAME_BYTES: usize = 255;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    Root,
    Principal,
    Home,
    Book,
    Card(String),
}

pub fn principal(user: UserId) -> String {
    format!("/dav/principals/{user}/")
}

pub fn home(user: UserId) -> String {
    format!("/dav/addressbooks/{user}/")
}

pub fn book(user: UserId) -> String {
    format!("/dav/addressbooks/{user}/contacts/")
}

pub fn card(user: UserId, name: &str) -> String {
    format!("{}{}", book(user), encode(name))
}

/// The resource a request path names for `user`; `None` for anything else (another
/// user's paths included: they are simply not there).
pub fn resource(path: &str, user: UserId) -> Option<Resource> {
    let path = decode(path)?;
    let rest = path.strip_prefix("/dav")?;
    let rest = rest.trim_start_matches('/');
    if rest.is_empty() {
        return Some(Resource::Root);
    }
    let user = user.to_string();
    let parts: Vec<&str> = rest.split('/').collect();
    let parts: Vec<&str> = match parts.split_last() {
        Some((&"", init)) => init.to_vec(),
        _ => parts,
    };
    match parts.as_slice() {
        ["principals", u] if *u == user => Some(Resource::Principal),
        ["addressbooks", u] if *u == user => Some(Resource::Home),
        ["addressbooks", u, "contacts"] if *u == user => Some(Resource::Book),
        ["addressbooks", u, "contacts", name] if *u == user && valid_name(name) && !rest.ends_with('/') => {
            Some(Resource::Card((*name).to_owned()))
        }
        _ => None,
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME_BYTES && name != "." && name != ".." && !name.chars().any(char::is_control)
}

/// The card name an href (absolute path or full URL, as clients send in a multiget) names.
pub fn card_name_of_href(href: &str, user: UserId) -> Option<String> {
    let href = href.trim();
    let path = match href.find("://") {
        Some(i) => &href[href[i + 3..].find('/').map(|j| i + 3 + j)?..],
        None => href,
    };
    match resource(path, user)? {
        Resource::Card(name) => Some(name),
        _ => None,
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved and sub-delims stay).
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes a path; `None` for bad escapes or bytes that are not UTF-8.
pub fn decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_resources_of_their_user_only() {
        let me = UserId(uuid::Uuid::new_v4());
        let other = UserId(uuid::Uuid::new_v4());
        assert_eq!(resource("/dav/", me), Some(Resource::Root));
        assert_eq!(resource("/dav", me), Some(Resource::Root));
        assert_eq!(resource(&principal(me), me), Some(Resource::Principal));
        assert_eq!(resource(&book(me), me), Some(Resource::Book));
        assert_eq!(resource(book(me).trim_end_matches('/'), me), Some(Resource::Book));
        assert_eq!(resource(&card(me, "A B@x.vcf"), me), Some(Resource::Card("A B@x.vcf".into())));
        assert_eq!(resource(&book(other), me), None);
        assert_eq!(resource(&format!("{}..", book(me)), me), None);
        assert_eq!(resource("/dav/%zz", me), None);
        let url = format!("https://kith.example{}", card(me, "x.vcf"));
        assert_eq!(card_name_of_href(&url, me).as_deref(), Some("x.vcf"));
        assert_eq!(card_name_of_href(&card(me, "ü.vcf"), me).as_deref(), Some("ü.vcf"));
    }
}

//! `addressbook-query` (RFC 6352 §8.6) filters: `prop-filter` with `is-not-defined` or
//! `text-match` (equals / contains / starts-with / ends-with, case-insensitive, negatable),
//! combined with `anyof` (the default) or `allof`. A `param-filter` is not evaluated (it
//! passes), which only ever returns more cards, never fewer.

use super::xml::{Element, CARDDAV};

/// `(NAME, value)` of each content line of a rendered card (unfolded).
pub fn properties(vcard: &str) -> Vec<(String, String)> {
    let unfolded = vcard.replace("\r\n ", "").replace("\r\n\t", "");
    unfolded
        .lines()
        .filter_map(|line| {
            let (head, value) = line.split_once(':')?;
            let name = head.split(';').next()?;
            let name = name.rsplit('.').next()?.to_ascii_uppercase();
            Some((name, value.to_owned()))
        })
        .collect()
}

/// Whether a card (as its properties) passes `filter` (the `<card:filter>` element, or
/// `None` for no filter).
pub fn matches(filter: Option<&Element>, props: &[(String, String)]) -> bool {
    let Some(filter) = filter else { return true };
    let prop_filters: Vec<&Element> = filter.children_named(CARDDAV, "prop-filter").collect();
    if prop_filters.is_empty() {
        return true;
    }
    let results = prop_filters.iter().map(|pf| prop_filter(pf, props));
    if filter.attribute("test") == Some("allof") {
        results.into_iter().all(|r| r)
    } else {
        results.into_iter().any(|r| r)
    }
}

fn prop_filter(pf: &Element, props: &[(String, String)]) -> bool {
    let name = pf.attribute("name").unwrap_or("").to_ascii_uppercase();
    let values: Vec<&str> = props.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.as_str()).collect();
    if pf.child(CARDDAV, "is-not-defined").is_some() {
        return values.is_empty();
    }
    let tests: Vec<&Element> = pf.children_named(CARDDAV, "text-match").collect();
    if tests.is_empty() {
        return !values.is_empty();
    }
    let results = tests.iter().map(|t| values.iter().any(|v| text_match(t, v)));
    if pf.attribute("test") == Some("allof") {
        results.into_iter().all(|r| r)
    } else {
        results.into_iter().any(|r| r)
    }
}

fn text_match(t: &Element, value: &str) -> bool {
    let needle = t.text.trim().to_lowercase();
    let hay = value.to_lowercase();
    let hit = match t.attribute("match-type").unwrap_or("contains") {
        "equals" => hay == needle,
        "starts-with" => hay.starts_with(&needle),
        "ends-with" => hay.ends_with(&needle),
        _ => hay.contains(&needle),
    };
    hit != (t.attribute("negate-condition") == Some("yes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dav::xml::parse;

    #[test]
    fn prop_filters_match_like_the_rfc_says() {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nitem1.EMAIL;TYPE=INTERNET:ada@example.com\r\nEND:VCARD\r\n";
        let props = properties(card);
        let f = |xml: &str| parse(&format!("<C:filter xmlns:C=\"urn:ietf:params:xml:ns:carddav\" {xml}")).expect("xml");
        assert!(matches(None, &props));
        assert!(matches(Some(&f("><C:prop-filter name=\"FN\"/></C:filter>")), &props));
        assert!(!matches(Some(&f("><C:prop-filter name=\"NICKNAME\"/></C:filter>")), &props));
        assert!(matches(Some(&f("><C:prop-filter name=\"NICKNAME\"><C:is-not-defined/></C:prop-filter></C:filter>")), &props));
        let email = "<C:prop-filter name=\"EMAIL\"><C:text-match match-type=\"ends-with\">EXAMPLE.COM</C:text-match></C:prop-filter>";
        assert!(matches(Some(&f(&format!(">{email}</C:filter>"))), &props));
        let neg = "<C:prop-filter name=\"FN\"><C:text-match negate-condition=\"yes\">ada</C:text-match></C:prop-filter>";
        assert!(!matches(Some(&f(&format!(">{neg}</C:filter>"))), &props));
        assert!(!matches(Some(&f(&format!("test=\"allof\">{email}{neg}</C:filter>"))), &props));
        assert!(matches(Some(&f(&format!("test=\"anyof\">{email}{neg}</C:filter>"))), &props));
    }
}

//! WebDAV request bodies in, multistatus bodies out.
//!
//! Reading uses quick-xml (maintained, no unsafe in its parser, namespace-aware, and it
//! never expands DTD-declared entities — so no billion-laughs or external-entity tricks; an
//! unknown entity is simply an error). Bodies are small and already bounded in bytes, so
//! they are read into a little element tree (bounded in elements and depth) that the
//! request parsers walk. Writing is plain string building with quick-xml's escaping: the
//! responses are a handful of fixed shapes.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub const DAV: &str = "DAV:";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";

/// Elements in one request body; far more than any real PROPFIND or REPORT uses.
const MAX_ELEMENTS: usize = 20_000;
const MAX_DEPTH: usize = 32;

/// A namespaced element name, e.g. `("DAV:", "getetag")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub ns: String,
    pub local: String,
}

impl Name {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

#[derive(Debug, Default)]
pub struct Element {
    pub name: Option<Name>,
    pub text: String,
    pub children: Vec<Element>,
    /// Attributes by local name (`name="FN"`, `match-type="contains"`).
    pub attributes: Vec<(String, String)>,
}

impl Element {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.name.as_ref().is_some_and(|n| n.is(ns, local))
    }

    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == local).map(|(_, v)| v.as_str())
    }

    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    pub fn children_named<'a>(&'a self, ns: &'a str, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    #[error("the request body is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the request body has more than {MAX_ELEMENTS} elements or nests deeper than {MAX_DEPTH}")]
    TooBig,
    #[error("the request body is empty")]
    Empty,
}

fn name_of(ns: ResolveResult<'_>, local: &[u8]) -> Name {
    let ns = match ns {
        ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
        _ => String::new(),
    };
    Name { ns, local: String::from_utf8_lossy(local).into_owned() }
}

fn attributes_of(e: &quick_xml::events::BytesStart<'_>) -> Result<Vec<(String, String)>, XmlError> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let raw = String::from_utf8_lossy(&a.value).into_owned();
        let value = quick_xml::escape::unescape(&raw).map_err(|e| XmlError::Malformed(e.to_string()))?.into_owned();
        out.push((key, value));
    }
    Ok(out)
}

/// The root element of `body`.
pub fn parse(body: &str) -> Result<Element, XmlError> {
    let bad = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    let mut reader = NsReader::from_str(body);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut count = 0usize;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(e) | Event::Empty(e) if stack.len() > MAX_DEPTH => {
                let _ = e;
                return Err(XmlError::TooBig);
            }
            Event::Start(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooBig);
                }
                let attributes = attributes_of(&e)?;
                stack.push(Element { name: Some(name_of(ns, e.local_name().as_ref())), attributes, ..Element::default() });
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooBig);
                }
                let attributes = attributes_of(&e)?;
                let el = Element { name: Some(name_of(ns, e.local_name().as_ref())), attributes, ..Element::default() };
                stack.last_mut().ok_or(XmlError::Empty)?.children.push(el);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                stack.last_mut().ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?.children.push(done);
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| bad(&e))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| bad(&e))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c,
                    None => match r.decode().map_err(|e| bad(&e))?.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(XmlError::Malformed(format!("unknown entity &{other};"))),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(resolved);
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions and DOCTYPEs carry nothing
            // a DAV request needs; entities a DOCTYPE declares are never expanded.
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(XmlError::Malformed("the document ends inside an element".into()));
    }
    let root = stack.pop().ok_or(XmlError::Empty)?;
    root.children.into_iter().find(|c| c.name.is_some()).ok_or(XmlError::Empty)
}

/// Text for element content and attribute values.
pub fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// The prefix this server writes for a namespace (declared on every multistatus root).
pub fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("d"),
        CARDDAV => Some("card"),
        CALSERVER => Some("cs"),
        _ => None,
    }
}

/// `<d:getetag/>`-style empty element for any name (unknown namespaces get their own
/// declaration), for 404 propstats.
pub fn empty_element(name: &Name) -> String {
    match prefix(&name.ns) {
        Some(p) => format!("<{p}:{}/>", esc(&name.local)),
        None if name.ns.is_empty() => format!("<{}/>", esc(&name.local)),
        None => format!("<x:{} xmlns:x=\"{}\"/>", esc(&name.local), esc(&name.ns)),
    }
}

pub const MULTISTATUS_OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus xmlns:d=\"DAV:\" xmlns:card=\"urn:ietf:params:xml:ns:carddav\" xmlns:cs=\"http://calendarserver.org/ns/\">";
pub const MULTISTATUS_CLOSE: &str = "</d:multistatus>\n";

/// One `<d:response>` with the properties found (200) and not found (404).
pub fn response(out: &mut String, href: &str, found: &[String], missing: &[Name]) {
    out.push_str("<d:response><d:href>");
    out.push_str(&esc(href));
    out.push_str("</d:href>");
    if !found.is_empty() {
        out.push_str("<d:propstat><d:prop>");
        for p in found {
            out.push_str(p);
        }
        out.push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
    }
    if !missing.is_empty() {
        out.push_str("<d:propstat><d:prop>");
        for n in missing {
            out.push_str(&empty_element(n));
        }
        out.push_str("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
    }
    out.push_str("</d:response>");
}

/// A `<d:response>` with only a status (a removed member in sync-collection, a missing
/// href in a multiget).
pub fn status_response(out: &mut String, href: &str, status: &str) {
    out.push_str("<d:response><d:href>");
    out.push_str(&esc(href));
    out.push_str("</d:href><d:status>HTTP/1.1 ");
    out.push_str(status);
    out.push_str("</d:status></d:response>");
}

/// `<d:error>` body naming a failed precondition, e.g. `("DAV:", "valid-sync-token")`.
pub fn error_body(ns: &str, local: &str) -> String {
    let p = prefix(ns).unwrap_or("d");
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:card=\"{CARDDAV}\"><{p}:{local}/></d:error>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaced_elements_and_text_with_entities() {
        let body = r#"<?xml version="1.0"?><A:propfind xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
            <A:prop><A:getetag/><C:address-data/></A:prop><A:href>/a&amp;b&#x20;c</A:href></A:propfind>"#;
        let root = parse(body).expect("parses");
        assert!(root.is(DAV, "propfind"));
        let prop = root.child(DAV, "prop").expect("prop");
        assert!(prop.children[0].is(DAV, "getetag"));
        assert!(prop.children[1].is(CARDDAV, "address-data"));
        assert_eq!(root.child(DAV, "href").map(|h| h.text.as_str()), Some("/a&b c"));
    }

    #[test]
    fn refuses_garbage_entities_and_deep_nesting() {
        assert!(matches!(parse("<d:propfind xmlns:d='DAV:'><d:prop>"), Err(XmlError::Malformed(_))));
        assert!(parse("not xml at all").is_err());
        let bomb = r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><x>&a;&a;</x>"#;
        assert!(matches!(parse(bomb), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(parse(&deep).err(), Some(XmlError::TooBig));
        assert_eq!(parse("").err(), Some(XmlError::Empty));
    }
}

//! The address book as cards: which contacts are served, under which name, with which UID,
//! rendered how, and their ETags. Pure functions over a loaded document.

use crdt_model::export::{card_of, write_card, CardSource};
use crdt_model::schema::{Contact, KithDoc, SourceKind};
use crdt_model::ContactId;
use sha2::{Digest, Sha256};

/// One served card.
#[derive(Clone, Debug)]
pub struct Card {
    pub id: ContactId,
    /// Last path segment (`<contact-id>.vcf`, or the name the client chose).
    pub name: String,
    pub etag: String,
    pub vcard: String,
}

/// Active contacts are cards; archived and merged-away ones are not (nothing is deleted,
/// so a client's DELETE archives and the card disappears).
pub fn is_served(c: &Contact) -> bool {
    !c.archived && c.merged_into.is_none()
}

/// The card's last path segment: what the client chose when it created it, else the
/// contact's stable id.
pub fn card_name(c: &Contact) -> String {
    if c.dav_href.is_empty() {
        format!("{}.vcf", c.id)
    } else {
        c.dav_href.clone()
    }
}

/// The card's UID: the one a CardDAV client gave it (kept, so the phone recognises its own
/// card), else the contact's id (what Kith's export writes too).
pub fn card_uid(c: &Contact) -> String {
    c.sources
        .values()
        .filter(|s| s.kind == SourceKind::Carddav && !s.uid.trim().is_empty())
        .map(|s| s.uid.clone())
        .next()
        .unwrap_or_else(|| c.id.to_string())
}

/// The card's vCard 3.0 text, as the export writes it but with the DAV UID. `source` indexes
/// the document once for all the cards of one answer.
pub fn render(source: &CardSource<'_>, c: &Contact) -> String {
    let mut card = card_of(source, c);
    card.uid = Some(card_uid(c));
    let mut out = String::new();
    write_card(&mut out, &card);
    out
}

/// A strong ETag: a hash of exactly the bytes served, so it changes iff the card does.
pub fn etag(vcard: &str) -> String {
    let digest = Sha256::digest(vcard.as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

pub fn card(source: &CardSource<'_>, c: &Contact) -> Card {
    let vcard = render(source, c);
    Card { id: c.id, name: card_name(c), etag: etag(&vcard), vcard }
}

/// Every served card, oldest contact first (a stable order for listings).
pub fn all(doc: &KithDoc) -> Vec<Card> {
    let mut contacts: Vec<&Contact> = doc.contacts.values().filter(|c| is_served(c)).collect();
    contacts.sort_by_key(|c| (c.created_at, c.id));
    let source = CardSource::new(doc);
    contacts.into_iter().map(|c| card(&source, c)).collect()
}

/// The contact a card name refers to, served or not (a PUT to an archived contact's name
/// brings it back rather than making a second one). Merged-away contacts have no name.
pub fn find_by_name<'d>(doc: &'d KithDoc, name: &str) -> Option<&'d Contact> {
    let by_id = name.strip_suffix(".vcf").and_then(|id| id.parse::<ContactId>().ok());
    if let Some(c) = by_id.and_then(|id| doc.contacts.get(&id)) {
        if c.dav_href.is_empty() && c.merged_into.is_none() {
            return Some(c);
        }
    }
    doc.contacts.values().find(|c| c.merged_into.is_none() && !c.dav_href.is_empty() && c.dav_href == name)
}

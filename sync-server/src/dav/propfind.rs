//! `PROPFIND` (RFC 4918) on the discovery chain, the address book and its cards.

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use crdt_model::export::CardSource;

use super::cards::{self, Card};
use super::paths::{self, Resource};
use super::props::{self, Target};
use super::xml::{self, Element, Name, DAV};
use super::{depth, load, multistatus, read_xml, sync_token, Ctx, DavError, Depth};

/// Properties named in one request; more than any client asks for.
const MAX_PROPS: usize = 100;

/// The names a `<d:prop>` element asks for (bounded).
pub fn prop_names(prop: &Element) -> Result<Vec<Name>, DavError> {
    if prop.children.len() > MAX_PROPS {
        return Err(DavError::bad("too_many_properties", format!("at most {MAX_PROPS} properties per request")));
    }
    Ok(prop.children.iter().filter_map(|c| c.name.clone()).collect())
}

/// `(names, quiet)`: the properties asked for, and whether missing ones go unlisted.
fn requested(body: Option<&Element>) -> Result<(Vec<Name>, bool), DavError> {
    let Some(root) = body else { return Ok((props::allprop(), true)) };
    if !root.is(DAV, "propfind") {
        return Err(DavError::bad("bad_xml", "a PROPFIND body must be a DAV:propfind element"));
    }
    match root.child(DAV, "prop") {
        Some(prop) => Ok((prop_names(prop)?, false)),
        // allprop and propname: the usual set (propname clients are rare and happy with values).
        None => Ok((props::allprop(), true)),
    }
}

pub async fn handle(ctx: &Ctx, resource: Resource, headers: &HeaderMap, body: Body) -> Result<Response, DavError> {
    let body = read_xml(headers, body).await?;
    let (names, quiet) = requested(body.as_ref())?;
    let depth = depth(headers);
    let user = ctx.user.user_id;
    let mut out = String::from(xml::MULTISTATUS_OPEN);
    let mut respond = |href: &str, target: &Target<'_>| {
        let (found, missing) = props::answer(&names, target, user, quiet);
        xml::response(&mut out, href, &found, &missing);
    };
    match resource {
        Resource::Root => respond(paths::ROOT, &Target::Root),
        Resource::Principal => respond(&paths::principal(user), &Target::Principal),
        Resource::Home => {
            respond(&paths::home(user), &Target::Home);
            if depth == Depth::One {
                let token = sync_token::encode(&load::heads(ctx).await?);
                respond(&paths::book(user), &Target::Book { token: &token });
            }
        }
        Resource::Book => {
            let token = sync_token::encode(&load::heads(ctx).await?);
            respond(&paths::book(user), &Target::Book { token: &token });
            if depth == Depth::One {
                // 5,000 cards render in tens of milliseconds: on a copy, off the async threads.
                let (names, mut out) = (names.clone(), std::mem::take(&mut out));
                let out = load::with_doc(ctx, move |_, doc| {
                    for card in cards::all(doc) {
                        let (found, missing) = props::answer(&names, &Target::Card(&card), user, quiet);
                        xml::response(&mut out, &paths::card(user, &card.name), &found, &missing);
                    }
                    out
                })
                .await?;
                return Ok(multistatus(out + xml::MULTISTATUS_CLOSE));
            }
        }
        Resource::Card(name) => {
            let card = one_card(ctx, name).await?.ok_or_else(DavError::not_found)?;
            respond(&paths::card(user, &card.name), &Target::Card(&card));
        }
    }
    out.push_str(xml::MULTISTATUS_CLOSE);
    Ok(multistatus(out))
}

/// The served card with this name, if any.
pub async fn one_card(ctx: &Ctx, name: String) -> Result<Option<Card>, DavError> {
    load::with_doc(ctx, move |_, doc| {
        cards::find_by_name(doc, &name).filter(|c| cards::is_served(c)).map(|c| cards::card(&CardSource::new(doc), c))
    })
    .await
}

//! An in-memory tree of one part of the document, built in one sequential pass.
//!
//! Why not `ReadDoc::hydrate`: in automerge 0.12 it seeks to every object separately, and
//! each seek costs several microseconds; a 5,000-contact document has ~100,000 objects.
//! `ReadDoc::iter_at` walks the same ops in storage order, about 3x faster. The tree is
//! read-only, borrows keys and scalars from the document instead of copying them, and
//! keeps each map as a small vector (records have a handful of keys; a linear scan beats
//! hashing there, and ~100,000 small hash maps cost more to build than they save).

use std::borrow::Cow;
use std::collections::HashMap;

use automerge::iter::{DocItem, Span};
use automerge::{ObjId, ObjType, ReadDoc, ScalarValueRef, ValueRef};

/// The materialized subtree under one object; borrows from the document `'d`.
pub(crate) struct Tree<'d> {
    objs: Vec<Obj<'d>>,
}

enum Obj<'d> {
    Map(Vec<(Cow<'d, str>, Slot<'d>)>),
    Text(String),
    List,
}

enum Slot<'d> {
    Scalar(ScalarValueRef<'d>),
    Obj(usize),
}

/// A node of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    Scalar(&'a ScalarValueRef<'a>),
    Map(MapRef<'a>),
    Text(&'a str),
    List,
}

/// A node of a map: look up keys or iterate entries.
#[derive(Clone, Copy)]
pub(crate) struct MapRef<'a> {
    tree: &'a Tree<'a>,
    entries: &'a [(Cow<'a, str>, Slot<'a>)],
}

impl<'a> MapRef<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<Value<'a>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, s)| self.tree.value(s))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, Value<'a>)> + 'a {
        let tree = self.tree;
        self.entries.iter().map(move |(k, s)| (k.as_ref(), tree.value(s)))
    }
}

impl<'d> Tree<'d> {
    /// Materializes `root` (a map) and everything below it.
    pub(crate) fn build<D: ReadDoc>(doc: &'d D, root: &ObjId) -> Tree<'d> {
        let mut objs = vec![Obj::Map(Vec::new())];
        let mut index: HashMap<ObjId, usize> = HashMap::new();
        index.insert(root.clone(), 0);
        let mut current: Option<(std::sync::Arc<ObjId>, usize)> = None;
        for item in doc.iter_at(root, None) {
            // Items arrive grouped by object; look the object up only when it changes.
            let idx = match &current {
                Some((obj, idx)) if std::sync::Arc::ptr_eq(obj, &item.obj) || **obj == *item.obj => *idx,
                _ => match index.get(&*item.obj) {
                    Some(idx) => {
                        current = Some((item.obj.clone(), *idx));
                        *idx
                    }
                    // Parents are visited before children, so this does not happen.
                    None => continue,
                },
            };
            match item.item {
                DocItem::Map(m) => {
                    let slot = match m.value {
                        ValueRef::Object(typ) => {
                            let child = objs.len();
                            objs.push(match typ {
                                ObjType::Map | ObjType::Table => Obj::Map(Vec::new()),
                                ObjType::Text => Obj::Text(String::new()),
                                ObjType::List => Obj::List,
                            });
                            index.insert(m.id(), child);
                            Slot::Obj(child)
                        }
                        ValueRef::Scalar(s) => Slot::Scalar(s),
                    };
                    if let Obj::Map(entries) = &mut objs[idx] {
                        entries.push((m.key, slot));
                    }
                }
                DocItem::Text(Span::Text { text, .. }) => {
                    if let Obj::Text(s) = &mut objs[idx] {
                        s.push_str(&text);
                    }
                }
                // List contents and rich-text blocks are not part of the schema.
                DocItem::Text(Span::Block(_)) | DocItem::List(_) => {}
            }
        }
        Tree { objs }
    }

    /// The root map (`build` always puts one at index 0).
    pub(crate) fn root(&'d self) -> Option<MapRef<'d>> {
        match self.objs.first() {
            Some(Obj::Map(entries)) => Some(MapRef { tree: self, entries }),
            _ => None,
        }
    }

    fn value(&'d self, slot: &'d Slot<'d>) -> Value<'d> {
        match slot {
            Slot::Scalar(s) => Value::Scalar(s),
            Slot::Obj(i) => match &self.objs[*i] {
                Obj::Map(entries) => Value::Map(MapRef { tree: self, entries }),
                Obj::Text(s) => Value::Text(s),
                Obj::List => Value::List,
            },
        }
    }
}

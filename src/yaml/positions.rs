//! Where every node of a document stands, kept compactly while nobody asks.
//!
//! A repository of thousands of files has millions of nodes and almost none of them is ever
//! pointed at, so reading stores one small fixed-size entry per node (its parent, how the
//! parent names it, its position packed in 32-bit numbers) with every mapping key of the
//! document in one string; the map from JSON pointers is built on the first lookup, which
//! most objects (those without findings) never need.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{NodePos, Pos, child_pointer};

/// JSON pointer → position, for one document.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    compact: Vec<Entry>,
    /// The keys the entries name ([`Seg::Key`] ranges).
    keys: String,
    /// The first entry's position: the root, asked for every document, needs no map.
    root: Option<NodePos>,
    map: OnceLock<HashMap<String, NodePos>>,
}

/// How a parent names a child node.
#[derive(Debug, Clone, Copy)]
pub(super) enum Seg {
    Root,
    /// A range of the document's key string.
    Key {
        start: usize,
        len: u32,
    },
    Index(u32),
}

/// One node: where it is, and how its parent (an earlier entry) names it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub parent: u32,
    pub seg: Seg,
    pub pos: Packed,
}

/// A [`NodePos`] in 32-bit numbers (`NONE` for what it lacks). Byte offsets fit: a text
/// over 4 GiB is refused before it is read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Packed {
    line: u32,
    column: u32,
    key_line: u32,
    key_column: u32,
    start: u32,
    end: u32,
}

const NONE: u32 = u32::MAX;

impl From<NodePos> for Packed {
    fn from(p: NodePos) -> Self {
        let key = p.key.map_or((NONE, NONE), |k| (k.line, k.column));
        let offset = |o: usize| u32::try_from(o).unwrap_or(NONE);
        let bytes = p
            .bytes
            .map_or((NONE, NONE), |(s, e)| (offset(s), offset(e)));
        Packed {
            line: p.value.line,
            column: p.value.column,
            key_line: key.0,
            key_column: key.1,
            start: bytes.0,
            end: bytes.1,
        }
    }
}

impl Packed {
    pub fn get(self) -> NodePos {
        NodePos {
            value: Pos {
                line: self.line,
                column: self.column,
            },
            key: (self.key_line != NONE).then_some(Pos {
                line: self.key_line,
                column: self.key_column,
            }),
            bytes: (self.start != NONE && self.end != NONE)
                .then_some((self.start as usize, self.end as usize)),
        }
    }
}

/// The entries of one document as they are read, with the string their keys are kept in.
#[derive(Debug, Default)]
pub(super) struct Entries {
    pub list: Vec<Entry>,
    keys: String,
}

impl Entries {
    /// A segment naming `key`, its text stored once in the document's key string.
    pub fn key(&mut self, key: &str) -> Seg {
        let start = self.keys.len();
        self.keys.push_str(key);
        Seg::Key {
            start,
            len: key.len() as u32,
        }
    }

    /// The text of a key segment read into these entries.
    pub fn key_text(&self, seg: Seg) -> Option<&str> {
        match seg {
            Seg::Key { start, len } => Some(&self.keys[start..start + len as usize]),
            _ => None,
        }
    }

    pub fn push(&mut self, parent: u32, seg: Seg, pos: impl Into<Packed>) {
        self.list.push(Entry {
            parent,
            seg,
            pos: pos.into(),
        });
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}

impl Positions {
    pub fn from_map(map: HashMap<String, NodePos>) -> Self {
        Positions {
            root: map.get("").copied(),
            map: OnceLock::from(map),
            ..Positions::default()
        }
    }

    pub(super) fn compact(entries: Entries) -> Self {
        Positions {
            root: entries.list.first().map(|e| e.pos.get()),
            compact: entries.list,
            keys: entries.keys,
            map: OnceLock::new(),
        }
    }

    fn map(&self) -> &HashMap<String, NodePos> {
        self.map.get_or_init(|| {
            // Parents come before their children, so each parent's pointer is known.
            let mut pointers: Vec<String> = Vec::with_capacity(self.compact.len());
            let mut map = HashMap::with_capacity(self.compact.len());
            for e in &self.compact {
                let parent = pointers.get(e.parent as usize).map_or("", String::as_str);
                let pointer = match e.seg {
                    Seg::Root => String::new(),
                    Seg::Key { start, len } => {
                        child_pointer(parent, &self.keys[start..start + len as usize])
                    }
                    Seg::Index(i) => format!("{parent}/{i}"),
                };
                map.insert(pointer.clone(), e.pos.get());
                pointers.push(pointer);
            }
            map
        })
    }

    pub fn get(&self, pointer: &str) -> Option<&NodePos> {
        if pointer.is_empty() && self.map.get().is_none() && self.root.is_some() {
            return self.root.as_ref();
        }
        self.map().get(pointer)
    }

    /// The position of `pointer`, or of its nearest ancestor that has one: a missing key is
    /// reported at the mapping that should hold it.
    pub fn nearest(&self, pointer: &str) -> Option<&NodePos> {
        let mut p = pointer;
        let map = self.map();
        loop {
            if let Some(found) = map.get(p) {
                return Some(found);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &NodePos)> {
        self.map().iter()
    }
}

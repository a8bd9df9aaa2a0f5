//! The fast path of YAML reading: values and positions built straight from the parser's
//! events, for the YAML that manifests are made of.
//!
//! Gathering a tree first (as the full reader does) costs more than the parsing itself, and
//! that dominates validating a large repository. This builder reads scalars and keys (tagged
//! ones too) with the same resolver as the full reader ([`super::resolve`]), and anchors,
//! aliases and merge keys with the same semantics: an anchored node's finished value (and its
//! positions) is kept and copied where an alias names it; `<<: *name` and `<<: [*a, *b]` lay
//! the anchored mappings over the mapping at the place where `<<` is written (a key written
//! before it is overwritten, a key written after it wins, the first mapping of a list wins);
//! aliases count against the same budget, counted the same way; an inline mapping as a merge
//! value is read as an anchored one. It says "not mine" (`None`) for what needs the tree or an
//! error's words: an alias to a node not yet complete, duplicate keys, keys that are
//! collections or that Helm refuses, values
//! JSON cannot hold, documents that Helm and kubectl split differently, deep nesting, a budget
//! exceeded, and every syntax error. The caller then reads the whole text with the full reader,
//! so the result never depends on which path ran (a test compares both on every fixture).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, ScalarStyle, Span};

use super::positions::{Entries, Entry, Packed, Seg};
use super::resolve::{self, Scalar};
use super::{
    Document, MAX_ALIASED_NODES, MAX_DEPTH, MAX_DOCUMENTS, MAX_EVENTS, MAX_NODES, NodePos, Pos,
    Positions,
};

/// Every non-empty document of `text`, or `None` when the text needs the full reader.
pub(super) fn parse(text: &str) -> Option<Vec<Document>> {
    if text.len() > super::MAX_STREAM_BYTES {
        return None;
    }
    let mut parser = super::parser(text);
    let mut docs = Vec::new();
    let mut builder = Builder::default();
    // Past a budget of the full reader, it words the error.
    let (mut events, mut nodes, mut started) = (0usize, 0usize, 0usize);
    // Nodes copied through aliases, the whole stream together, as the full reader counts them.
    let mut aliased = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.ok()?;
        events += 1;
        if events > MAX_EVENTS || nodes > MAX_NODES || docs.len() >= MAX_DOCUMENTS {
            return None;
        }
        match event {
            Event::StreamStart | Event::Comment(..) => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit, version) => {
                super::check_document_start(started, explicit, version, &span).ok()?;
                started += 1;
                // The scratch stacks are empty between documents; their room is kept.
                builder = Builder {
                    items: std::mem::take(&mut builder.items),
                    pairs: std::mem::take(&mut builder.pairs),
                    ..Builder::default()
                };
            }
            Event::DocumentEnd => {
                let mut finished = std::mem::take(&mut builder);
                builder.items = std::mem::take(&mut finished.items);
                builder.pairs = std::mem::take(&mut finished.pairs);
                if let Some(root) = finished.root.take()
                    && !root.is_null()
                {
                    docs.push(Document {
                        value: root,
                        positions: Positions::compact(finished.into_entries()),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                nodes += 1;
                let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()));
                builder.scalar(&text, style, tag, anchor, &span)?;
            }
            // Tags on collections mean nothing to go-yaml v2, nor here.
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                nodes += 1;
                let mapping = matches!(event, Event::MappingStart(..));
                builder.open(mapping, anchor, &span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            Event::Alias(id) => {
                nodes += 1;
                aliased += builder.alias(id, &span)?;
                if aliased > MAX_ALIASED_NODES {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(docs)
}

/// The parent of an entry whose node a merge overwrote: dropped when the document ends.
const DEAD: u32 = u32::MAX - 1;

/// A scalar as written, for an alias that uses an anchored scalar as a key or value.
struct RawScalar {
    text: String,
    plain: bool,
    tag: Option<String>,
}

impl RawScalar {
    fn get(&self) -> Scalar<'_> {
        Scalar {
            text: &self.text,
            plain: self.plain,
            tag: self.tag.as_deref(),
        }
    }
}

/// A finished anchored node: what an alias copies.
struct Anchor {
    /// Its value; `None` for an anchored key, read as a value only where an alias asks.
    value: Option<Value>,
    /// A scalar as written.
    scalar: Option<RawScalar>,
    /// Its position entries, itself first, parents before children (indices relative to it).
    entries: Vec<Entry>,
    /// What copying it counts against the alias budget, as the full reader counts.
    cost: usize,
    /// How much deeper than itself its deepest node is, through aliases and merges.
    height: usize,
}

/// What a mapping waits for.
enum Pending {
    Key,
    /// The value of the key read.
    Value(String, Pos),
    /// The value of a merge key `<<`.
    Merge,
}

enum Kind {
    /// Its items so far are `Builder::items[start..]`.
    Seq { start: usize },
    Map {
        /// Its entries so far are `Builder::pairs[start..]`, until a merge moves them into
        /// `map`, where merged keys are laid over them.
        start: usize,
        map: Map<String, Value>,
        pending: Pending,
        /// Set once a merge has laid keys over this mapping.
        merged: Option<Box<Merged>>,
    },
    /// The list of a merge key (`<<: [*a, *b]`): the anchors it names, in order.
    Merges(Vec<usize>),
}

/// A mapping that merges hold keys of.
struct Merged {
    /// The keys written in the mapping itself: a merged key may be overwritten by a written
    /// one, a written one may not (it is a duplicate).
    written: HashSet<String>,
    /// The entry of each key's current value, to drop when it is overwritten.
    at: HashMap<String, u32>,
}

struct Frame {
    kind: Kind,
    entry: u32,
    anchor: usize,
    /// What copying this node through an alias would count against the budget.
    cost: usize,
    /// The depth of the deepest node read in it (through aliases and merges too).
    deep: usize,
    /// An inline mapping that is the value of a merge key, or an item of its list.
    source: bool,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// The items of the open sequences and the entries of the open mappings, innermost last:
    /// a collection's are moved into a value of exactly their size when it closes, so that
    /// no vector or map grows step by step.
    items: Vec<Value>,
    pairs: Vec<(String, Value)>,
    entries: Entries,
    root: Option<Value>,
    anchors: HashMap<usize, Anchor>,
    /// Some entries are [`DEAD`].
    buried: bool,
    /// Inline mappings merged so far, each kept as an anchor of its own id (counted down
    /// from `usize::MAX`, far from the parser's).
    inline: usize,
}

/// Where a span starts, 1-based.
pub(super) fn pos(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        column: span.start.col() as u32 + 1,
    }
}

pub(super) fn node_pos(span: &Span, key: Option<Pos>) -> NodePos {
    NodePos {
        value: pos(span),
        key,
        bytes: span.start.byte_offset().zip(span.end.byte_offset()),
    }
}

impl Builder {
    /// Records a node about to be added at the current place; `None` when the current place
    /// wants a key (a collection as a key is not for this path) or a merge.
    fn entry(&mut self, span: &Span) -> Option<u32> {
        let next = self.entries.len() as u32;
        let entries = &mut self.entries;
        let (parent, seg, key) = match self.stack.last_mut() {
            None => (u32::MAX, Seg::Root, None),
            Some(Frame {
                kind: Kind::Seq { start },
                entry,
                ..
            }) => (*entry, Seg::Index((self.items.len() - *start) as u32), None),
            Some(Frame {
                kind:
                    Kind::Map {
                        pending: Pending::Value(k, at),
                        merged,
                        ..
                    },
                entry,
                ..
            }) => {
                if let Some(merged) = merged {
                    merged.at.insert(k.clone(), next);
                }
                (*entry, entries.key(k), Some(*at))
            }
            Some(_) => return None,
        };
        self.entries.push(parent, seg, node_pos(span, key));
        Some(next)
    }

    /// The current mapping, when it waits for a key.
    fn wants_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map {
                    pending: Pending::Key,
                    ..
                },
                ..
            })
        )
    }

    /// Counts a finished child of the current collection: its cost and its deepest node.
    fn count(&mut self, cost: usize, deep: usize) -> Option<()> {
        if deep > MAX_DEPTH {
            return None;
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.cost += cost;
            parent.deep = parent.deep.max(deep);
        }
        Some(())
    }

    /// Sets the key the current mapping waits with.
    fn key(&mut self, key: String, at: Pos) -> Option<()> {
        let Some(Frame {
            kind: Kind::Map {
                pending, merged, ..
            },
            ..
        }) = self.stack.last_mut()
        else {
            return None;
        };
        if let Some(merged) = merged {
            // Written twice is an error the full reader words; over a merged key, it wins.
            if !merged.written.insert(key.clone()) {
                return None;
            }
            if let Some(&old) = merged.at.get(&key) {
                bury(&mut self.entries.list, old);
                self.buried = true;
            }
        }
        *pending = Pending::Value(key, at);
        Some(())
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<String>,
        anchor: usize,
        span: &Span,
    ) -> Option<()> {
        let scalar = Scalar {
            text,
            plain: style == ScalarStyle::Plain,
            tag: tag.as_deref(),
        };
        let raw = || RawScalar {
            text: text.to_string(),
            plain: style == ScalarStyle::Plain,
            tag: tag.clone(),
        };
        if self.wants_key() {
            if scalar.is_merge_key() {
                if anchor != 0 {
                    return None;
                }
                if let Some(Frame {
                    kind: Kind::Map { pending, .. },
                    ..
                }) = self.stack.last_mut()
                {
                    *pending = Pending::Merge;
                }
                return Some(());
            }
            self.key(resolve::key(scalar).ok()?, pos(span))?;
            if anchor != 0 {
                self.anchors.insert(
                    anchor,
                    Anchor {
                        value: None,
                        scalar: Some(raw()),
                        entries: vec![root_entry(node_pos(span, None).into())],
                        cost: 1,
                        height: 0,
                    },
                );
            }
            return Some(());
        }
        let value = resolve::value(scalar).ok()?;
        let entry = self.entry(span)?;
        self.count(1, self.stack.len())?;
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchor {
                    value: Some(value.clone()),
                    scalar: Some(raw()),
                    entries: vec![root_entry(self.entries.list[entry as usize].pos)],
                    cost: 1,
                    height: 0,
                },
            );
        }
        self.add(value)
    }

    fn open(&mut self, mapping: bool, anchor: usize, span: &Span) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        let depth = self.stack.len();
        let merge_value = match self.stack.last() {
            Some(Frame {
                kind:
                    Kind::Map {
                        pending: Pending::Merge,
                        ..
                    },
                ..
            }) => Some(true),
            Some(Frame {
                kind: Kind::Merges(_),
                ..
            }) => Some(false),
            _ => None,
        };
        if let Some(direct) = merge_value {
            if !mapping {
                // `<<: [*a, *b]`; a list in a list is an error the full reader words.
                if !direct || anchor != 0 {
                    return None;
                }
                self.stack.push(Frame {
                    kind: Kind::Merges(Vec::new()),
                    entry: u32::MAX,
                    anchor: 0,
                    cost: 0,
                    deep: depth,
                    source: false,
                });
                return Some(());
            }
            // An inline mapping to merge: read as an anchored one whose own entries are
            // dropped (its keys take their place in the mapping it is merged into).
            self.entries.push(DEAD, Seg::Root, node_pos(span, None));
            self.buried = true;
            self.stack.push(Frame {
                kind: Kind::Map {
                    start: self.pairs.len(),
                    map: Map::new(),
                    pending: Pending::Key,
                    merged: None,
                },
                entry: self.entries.len() as u32 - 1,
                anchor,
                cost: 1,
                deep: depth,
                source: true,
            });
            return Some(());
        }
        let entry = self.entry(span)?;
        let kind = if mapping {
            Kind::Map {
                start: self.pairs.len(),
                map: Map::new(),
                pending: Pending::Key,
                merged: None,
            }
        } else {
            Kind::Seq {
                start: self.items.len(),
            }
        };
        self.stack.push(Frame {
            kind,
            entry,
            anchor,
            cost: 1,
            deep: depth,
            source: false,
        });
        Some(())
    }

    fn close(&mut self) -> Option<()> {
        let frame = self.stack.pop()?;
        let value = match frame.kind {
            Kind::Seq { start } => Value::Array(self.items.drain(start..).collect()),
            Kind::Map {
                start,
                pending: Pending::Key,
                merged: None,
                ..
            } => Value::Object(collect_map(&mut self.pairs, start)?),
            Kind::Map {
                map,
                pending: Pending::Key,
                ..
            } => Value::Object(map),
            Kind::Map { .. } => return None,
            Kind::Merges(ids) => {
                // The first mapping of the list wins: lay them over from the last.
                for id in ids.into_iter().rev() {
                    self.merge(id)?;
                }
                return self.merged();
            }
        };
        let depth = self.stack.len();
        if frame.source {
            let entries = snapshot(&self.entries.list[frame.entry as usize..], frame.entry);
            bury(&mut self.entries.list, frame.entry);
            let id = if frame.anchor != 0 {
                frame.anchor
            } else {
                self.inline += 1;
                usize::MAX - self.inline
            };
            self.anchors.insert(
                id,
                Anchor {
                    value: Some(value),
                    scalar: None,
                    entries,
                    cost: frame.cost,
                    height: frame.deep - depth,
                },
            );
            // Merged where it is written, it counts nothing against the alias budget (its
            // aliases have counted); inside an anchored node, its values count for each copy.
            return match self.stack.last_mut() {
                Some(Frame {
                    kind: Kind::Merges(ids),
                    ..
                }) => {
                    ids.push(id);
                    Some(())
                }
                _ => {
                    self.merge(id)?;
                    self.merged()
                }
            };
        }
        if frame.anchor != 0 {
            let entries = snapshot(&self.entries.list[frame.entry as usize..], frame.entry);
            self.anchors.insert(
                frame.anchor,
                Anchor {
                    value: Some(value.clone()),
                    scalar: None,
                    entries,
                    cost: frame.cost,
                    height: frame.deep - depth,
                },
            );
        }
        self.count(frame.cost, frame.deep)?;
        self.add(value)
    }

    /// An alias: a copy of the anchored node, a key, or a mapping to merge. What it counts
    /// against the alias budget.
    fn alias(&mut self, id: usize, span: &Span) -> Option<usize> {
        // An anchor not yet finished is one the alias is inside of: the full reader refuses it.
        let anchor = self.anchors.get(&id)?;
        // Copy nothing the budget refuses anyway.
        if anchor.cost > MAX_ALIASED_NODES {
            return None;
        }
        match self.stack.last_mut() {
            Some(Frame {
                kind: Kind::Merges(ids),
                ..
            }) => {
                if !matches!(anchor.value, Some(Value::Object(_))) {
                    return None;
                }
                ids.push(id);
                return Some(anchor.cost - 1);
            }
            Some(Frame {
                kind:
                    Kind::Map {
                        pending: Pending::Merge,
                        ..
                    },
                ..
            }) => {
                let cost = self.merge(id)?;
                self.merged()?;
                return Some(cost);
            }
            _ => {}
        }
        if self.wants_key() {
            let key = resolve::key(anchor.scalar.as_ref()?.get()).ok()?;
            self.key(key, pos(span))?;
            return Some(0);
        }
        let value = match &anchor.value {
            Some(v) => v.clone(),
            None => resolve::value(anchor.scalar.as_ref()?.get()).ok()?,
        };
        let (cost, height) = (anchor.cost, anchor.height);
        let root = self.entry(span)?;
        let anchor = &self.anchors[&id];
        self.entries
            .list
            .extend(anchor.entries[1..].iter().map(|e| Entry {
                parent: root + e.parent,
                ..*e
            }));
        self.count(1 + cost, self.stack.len() + height)?;
        self.add(value)?;
        Some(cost)
    }

    /// Lays the anchored mapping `id` over the current mapping, as go-yaml v2 decodes a
    /// mapping into a map that already holds keys. What it counts against the alias budget.
    fn merge(&mut self, id: usize) -> Option<usize> {
        let anchor = self.anchors.get(&id)?;
        let Some(Value::Object(source)) = &anchor.value else {
            return None;
        };
        if anchor.cost > MAX_ALIASED_NODES {
            return None;
        }
        let depth = self.stack.len().checked_sub(1)?;
        let Some(Frame {
            kind: Kind::Map {
                start, map, merged, ..
            },
            entry,
            cost,
            deep,
            ..
        }) = self.stack.last_mut()
        else {
            return None;
        };
        if merged.is_none() {
            *map = collect_map(&mut self.pairs, *start)?;
        }
        if depth + anchor.height > MAX_DEPTH {
            return None;
        }
        *cost += anchor.cost - 1;
        *deep = (*deep).max(depth + anchor.height);
        let parent = *entry;
        // The keys written so far are this mapping's own; their entries follow its own.
        let merged = merged.get_or_insert_with(|| {
            let entries = &self.entries;
            let at = (parent as usize + 1..entries.len())
                .filter(|&i| entries.list[i].parent == parent)
                .filter_map(|i| Some((entries.key_text(entries.list[i].seg)?.to_owned(), i as u32)))
                .collect();
            Box::new(Merged {
                written: map.keys().cloned().collect(),
                at,
            })
        });
        for (k, v) in source {
            if map.insert(k.clone(), v.clone()).is_some()
                && let Some(&old) = merged.at.get(k)
            {
                bury(&mut self.entries.list, old);
                self.buried = true;
            }
        }
        let base = self.entries.len() as u32;
        for (i, e) in anchor.entries.iter().enumerate().skip(1) {
            let at = base + i as u32 - 1;
            let parent = if e.parent == 0 {
                if let Some(k) = self.entries.key_text(e.seg) {
                    merged.at.insert(k.to_owned(), at);
                }
                parent
            } else {
                base + e.parent - 1
            };
            self.entries.list.push(Entry { parent, ..*e });
        }
        Some(anchor.cost - 1)
    }

    /// The merge key's value is done: the mapping waits for its next key.
    fn merged(&mut self) -> Option<()> {
        match self.stack.last_mut() {
            Some(Frame {
                kind: Kind::Map { pending, .. },
                ..
            }) => {
                *pending = Pending::Key;
                Some(())
            }
            _ => None,
        }
    }

    /// Puts a finished value where it belongs.
    fn add(&mut self, value: Value) -> Option<()> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame {
                kind: Kind::Seq { .. },
                ..
            }) => self.items.push(value),
            Some(Frame {
                kind:
                    Kind::Map {
                        map,
                        pending,
                        merged,
                        ..
                    },
                ..
            }) => {
                let Pending::Value(k, _) = std::mem::replace(pending, Pending::Key) else {
                    return None;
                };
                // A merged key is overwritten (its entries were buried when the key was read).
                match merged {
                    Some(_) => {
                        map.insert(k, value);
                    }
                    None => self.pairs.push((k, value)),
                }
            }
            Some(_) => return None,
        }
        Some(())
    }

    /// The position entries, without those of overwritten nodes.
    fn into_entries(self) -> Entries {
        let mut entries = self.entries;
        if !self.buried {
            return entries;
        }
        let mut remap = vec![u32::MAX; entries.len()];
        let mut out = Vec::with_capacity(entries.len());
        for (i, e) in entries.list.drain(..).enumerate() {
            if e.parent == DEAD {
                continue;
            }
            remap[i] = out.len() as u32;
            let parent = remap.get(e.parent as usize).copied().unwrap_or(e.parent);
            out.push(Entry { parent, ..e });
        }
        entries.list = out;
        entries
    }
}

/// The entries `pairs[start..]` of a mapping, moved into a map of their size; `None` for a
/// key written twice, an error the full reader words and places.
fn collect_map(pairs: &mut Vec<(String, Value)>, start: usize) -> Option<Map<String, Value>> {
    let mut map = Map::with_capacity(pairs.len() - start);
    for (k, v) in pairs.drain(start..) {
        if map.insert(k, v).is_some() {
            return None;
        }
    }
    Some(map)
}

fn root_entry(pos: Packed) -> Entry {
    Entry {
        parent: u32::MAX,
        seg: Seg::Root,
        pos,
    }
}

/// Marks dead entry `i` and its descendants. Entries of a node follow it, so its descendants
/// are the entries after it up to the first whose parent comes before it.
fn bury(entries: &mut [Entry], i: u32) {
    let i = i as usize;
    entries[i].parent = DEAD;
    for e in &mut entries[i + 1..] {
        if e.parent < i as u32 {
            break;
        }
        e.parent = DEAD;
    }
}

/// An anchored node's live entries (`entries` starts with its own, at index `first`), with
/// parents renumbered from 0.
fn snapshot(entries: &[Entry], first: u32) -> Vec<Entry> {
    let mut remap = vec![u32::MAX; entries.len()];
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if e.parent == DEAD && i > 0 {
            continue;
        }
        remap[i] = out.len() as u32;
        let parent = if i == 0 {
            u32::MAX
        } else {
            remap[(e.parent - first) as usize]
        };
        out.push(Entry { parent, ..*e });
    }
    out
}

//! The full reader: any YAML stream, read as Helm and kubectl read it (sigs.k8s.io/yaml over
//! go-yaml v2), or refused with a position and a reason.
//!
//! The parser's events are first gathered into a tree per document, so that aliases can refer
//! to anchored nodes; the tree is then turned into a JSON value with go-yaml v2's semantics:
//!
//! - an alias stands for a copy of its anchored node (its positions are the anchored node's);
//! - a merge key `<<` lays the keys of a mapping, or of each mapping of a list (the first of
//!   the list winning), over the mapping it appears in, at the place where it appears: a key
//!   written before `<<` is overwritten by a merged one, a key written after it wins;
//! - tags on collections are ignored; scalars and keys go through [`super::resolve`];
//! - two entries of one mapping that name the same JSON key are refused (Helm would keep one
//!   of them silently, the API server refuses them).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, ScalarStyle, Span};

use super::events::{node_pos, pos};
use super::positions::{Entries, Seg};
use super::resolve::{self, Scalar};
use super::{
    Document, MAX_ALIASED_NODES, MAX_DEPTH, MAX_DOCUMENTS, MAX_EVENTS, MAX_NODES, NodePos, Pos,
    Positions, YamlError,
};

/// Reads every non-empty document of `text`.
pub(super) fn parse(text: &str) -> Result<Vec<Document>, YamlError> {
    if text.len() > super::MAX_STREAM_BYTES {
        return Err(YamlError::new(
            None,
            format!(
                "this text is {} bytes; YAML streams over 4 GiB are not read",
                text.len()
            ),
        )
        .with_help("split it into smaller files"));
    }
    let mut parser = super::parser(text);
    let mut docs = Vec::new();
    let mut tree = Tree::default();
    let mut started = 0usize;
    let mut events = 0usize;
    let mut aliased = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            YamlError::new(
                Some(Pos {
                    line: e.marker().line() as u32,
                    column: e.marker().col() as u32 + 1,
                }),
                e.info(),
            )
            .with_help(super::SYNTAX_HELP)
        })?;
        events += 1;
        if events > MAX_EVENTS || tree.nodes.len() > MAX_NODES {
            return Err(at(
                &span,
                "the file is too large to read (more than 20,000,000 YAML nodes)",
            )
            .with_help("split it into smaller files"));
        }
        match event {
            Event::StreamStart | Event::Comment(..) | Event::Anchor(..) => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit, version) => {
                super::check_document_start(started, explicit, version, &span)?;
                started += 1;
                if started > MAX_DOCUMENTS {
                    return Err(at(&span, "more than 100,000 documents in one stream")
                        .with_help("split it into smaller files"));
                }
                tree = Tree::default();
            }
            Event::DocumentEnd => {
                let finished = std::mem::take(&mut tree);
                if let Some(root) = finished.root {
                    let mut converter = Converter {
                        nodes: &finished.nodes,
                        in_progress: HashSet::new(),
                        aliased: &mut aliased,
                        outer_alias: None,
                    };
                    let node = converter.node(root, None, 0, false)?;
                    let mut entries = Entries::default();
                    let value = flatten(node, u32::MAX, Seg::Root, &mut entries);
                    if !value.is_null() {
                        docs.push(Document {
                            value,
                            positions: Positions::compact(entries),
                        });
                    }
                }
            }
            Event::Alias(id) => {
                let target = *tree.anchors.get(&id).ok_or_else(|| {
                    at(&span, "an alias to an anchor this document does not define")
                        .with_help("define `&name` before `*name`, in the same document")
                })?;
                tree.add(Raw::Alias(target), &span)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let raw = Raw::Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                    tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                };
                let id = tree.add(raw, &span)?;
                if anchor != 0 {
                    tree.anchors.insert(anchor, id);
                }
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                let raw = if matches!(event, Event::MappingStart(..)) {
                    Raw::Map(Vec::new())
                } else {
                    Raw::Seq(Vec::new())
                };
                let id = tree.add(raw, &span)?;
                if anchor != 0 {
                    tree.anchors.insert(anchor, id);
                }
                if tree.open.len() >= MAX_DEPTH {
                    return Err(at(&span, "nested deeper than 64 levels").with_help(DEPTH_HELP));
                }
                tree.open.push(id);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                tree.open.pop();
            }
            Event::UnresolvedAlias(name) => {
                return Err(at(
                    &span,
                    &format!("the alias `*{name}` names no anchor defined before it"),
                )
                .with_help("define `&name` before `*name`, in the same document"));
            }
            _ => return Err(at(&span, "an unexpected YAML event")),
        }
    }
    Ok(docs)
}

fn at(span: &Span, message: &str) -> YamlError {
    YamlError::new(Some(pos(span)), message)
}

const DEPTH_HELP: &str = "no Kubernetes object or values file is this deep; check the indentation";
const MERGE: &str = "a merge key `<<` takes a mapping, an alias of one, or a list of those; Helm and kubectl refuse anything else";
const MERGE_HELP: &str = "write `<<: *name` with `&name` on a mapping";
const CYCLE: &str = "this alias refers to a node that contains it, which has no end";
const CYCLE_HELP: &str = "an alias can copy only a node that is complete before it";

/// One node as written.
enum Raw {
    Scalar {
        text: String,
        plain: bool,
        tag: Option<String>,
    },
    Seq(Vec<usize>),
    /// Keys and values, in order.
    Map(Vec<usize>),
    Alias(usize),
}

struct RawNode {
    raw: Raw,
    pos: NodePos,
}

/// One document's nodes, as the events built them.
#[derive(Default)]
struct Tree {
    nodes: Vec<RawNode>,
    /// Collections not yet closed.
    open: Vec<usize>,
    anchors: HashMap<usize, usize>,
    root: Option<usize>,
}

impl Tree {
    fn add(&mut self, raw: Raw, span: &Span) -> Result<usize, YamlError> {
        let id = self.nodes.len();
        self.nodes.push(RawNode {
            raw,
            pos: node_pos(span, None),
        });
        match self.open.last() {
            None => self.root = Some(id),
            Some(&parent) => match &mut self.nodes[parent].raw {
                Raw::Seq(items) | Raw::Map(items) => items.push(id),
                _ => return Err(at(span, "a node inside a scalar")),
            },
        }
        Ok(id)
    }
}

/// A value being built, with the position of every node.
struct Node {
    pos: NodePos,
    kind: Kind,
}

enum Kind {
    Leaf(Value),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// A mapping's entries in first-written order; a key set again keeps its place.
#[derive(Default)]
struct Mapping {
    entries: Vec<(String, Node)>,
    index: HashMap<String, usize>,
}

impl Mapping {
    fn insert(&mut self, key: String, node: Node) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = node,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, node));
            }
        }
    }
}

struct Converter<'a> {
    nodes: &'a [RawNode],
    /// Anchored nodes being read, for aliases that refer to their own ancestors.
    in_progress: HashSet<usize>,
    aliased: &'a mut usize,
    /// The outermost alias being expanded: where a budget error is reported.
    outer_alias: Option<usize>,
}

impl Converter<'_> {
    fn error(&self, id: usize, message: impl Into<String>, help: impl Into<String>) -> YamlError {
        YamlError::new(Some(self.nodes[id].pos.value), message).with_help(help)
    }

    /// The node `id`, placed at `key` (for a mapping entry); `via_alias` when it is read
    /// through an alias, which counts against the alias budget.
    fn node(
        &mut self,
        id: usize,
        key: Option<Pos>,
        depth: usize,
        via_alias: bool,
    ) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                id,
                "nested deeper than 64 levels (through aliases)",
                DEPTH_HELP,
            ));
        }
        if via_alias {
            *self.aliased += 1;
            if *self.aliased > MAX_ALIASED_NODES {
                return Err(self.error(
                    self.outer_alias.unwrap_or(id),
                    "aliases expand to more than 100,000 nodes",
                    "write the repeated parts out, or use fewer aliases",
                ));
            }
        }
        let mut pos = self.nodes[id].pos;
        pos.key = key;
        let kind = match &self.nodes[id].raw {
            Raw::Scalar { text, plain, tag } => {
                let scalar = Scalar {
                    text,
                    plain: *plain,
                    tag: tag.as_deref(),
                };
                Kind::Leaf(resolve::value(scalar).map_err(|p| self.error(id, p.message, p.help))?)
            }
            Raw::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.node(item, None, depth + 1, via_alias)?);
                }
                Kind::Seq(out)
            }
            Raw::Map(_) => {
                let mut mapping = Mapping::default();
                self.map_into(id, &mut mapping, depth, via_alias)?;
                Kind::Map(mapping)
            }
            &Raw::Alias(target) => {
                let node = self.alias(id, target, key, depth)?;
                // The alias itself stands where it is written; what it copies keeps the
                // positions of the anchored node.
                return Ok(Node { pos, ..node });
            }
        };
        Ok(Node { pos, kind })
    }

    fn alias(
        &mut self,
        id: usize,
        target: usize,
        key: Option<Pos>,
        depth: usize,
    ) -> Result<Node, YamlError> {
        if !self.in_progress.insert(target) {
            return Err(self.error(id, CYCLE, CYCLE_HELP));
        }
        let outer = self.outer_alias.get_or_insert(id) == &id;
        let node = self.node(target, key, depth, true);
        self.in_progress.remove(&target);
        if outer {
            self.outer_alias = None;
        }
        node
    }

    /// Sets the entries of mapping `id` into `out`, as go-yaml v2 decodes a mapping into a
    /// map that may already hold keys (from the mapping itself or an earlier merge).
    fn map_into(
        &mut self,
        id: usize,
        out: &mut Mapping,
        depth: usize,
        via_alias: bool,
    ) -> Result<(), YamlError> {
        let Raw::Map(items) = &self.nodes[id].raw else {
            return Err(self.error(id, "expected a mapping", MERGE_HELP));
        };
        let mut written: HashSet<String> = HashSet::new();
        for pair in items.chunks(2) {
            let [k, v] = *pair else {
                return Err(self.error(
                    id,
                    "a mapping key without a value",
                    "give the key a value",
                ));
            };
            if self.is_merge_key(k) {
                self.merge(v, out, depth, via_alias)?;
                continue;
            }
            let key = self.key(k)?;
            if !written.insert(key.clone()) {
                return Err(self.error(
                    k,
                    format!(
                        "duplicate key `{key}`: written twice in one mapping (Helm would keep one silently, the API server refuses it)"
                    ),
                    "keep one",
                ));
            }
            let key_pos = self.nodes[k].pos.value;
            let node = self.node(v, Some(key_pos), depth + 1, via_alias)?;
            out.insert(key, node);
        }
        Ok(())
    }

    fn is_merge_key(&self, id: usize) -> bool {
        match &self.nodes[id].raw {
            Raw::Scalar { text, plain, tag } => Scalar {
                text,
                plain: *plain,
                tag: tag.as_deref(),
            }
            .is_merge_key(),
            _ => false,
        }
    }

    /// The value of a merge key: a mapping, an alias of one, or a list of those; the keys of
    /// the first mapping of a list win.
    fn merge(
        &mut self,
        id: usize,
        out: &mut Mapping,
        depth: usize,
        via_alias: bool,
    ) -> Result<(), YamlError> {
        let wrong = |c: &Self, at: usize| c.error(at, MERGE, MERGE_HELP);
        match &self.nodes[id].raw {
            Raw::Map(_) => self.map_into(id, out, depth, via_alias),
            &Raw::Alias(target) => self.merge_alias(id, target, out, depth),
            Raw::Seq(items) => {
                for &item in items.iter().rev() {
                    match &self.nodes[item].raw {
                        Raw::Map(_) => self.map_into(item, out, depth, via_alias)?,
                        &Raw::Alias(target) => self.merge_alias(item, target, out, depth)?,
                        _ => return Err(wrong(self, item)),
                    }
                }
                Ok(())
            }
            Raw::Scalar { .. } => Err(wrong(self, id)),
        }
    }

    fn merge_alias(
        &mut self,
        id: usize,
        target: usize,
        out: &mut Mapping,
        depth: usize,
    ) -> Result<(), YamlError> {
        if !matches!(self.nodes[target].raw, Raw::Map(_)) {
            return Err(self.error(id, MERGE, MERGE_HELP));
        }
        if !self.in_progress.insert(target) {
            return Err(self.error(id, CYCLE, CYCLE_HELP));
        }
        let outer = self.outer_alias.get_or_insert(id) == &id;
        let result = self.map_into(target, out, depth, true);
        self.in_progress.remove(&target);
        if outer {
            self.outer_alias = None;
        }
        result
    }

    /// A mapping key as its JSON object key.
    fn key(&self, id: usize) -> Result<String, YamlError> {
        match &self.nodes[id].raw {
            Raw::Scalar { text, plain, tag } => resolve::key(Scalar {
                text,
                plain: *plain,
                tag: tag.as_deref(),
            })
            .map_err(|p| self.error(id, p.message, p.help)),
            &Raw::Alias(target) if matches!(self.nodes[target].raw, Raw::Scalar { .. }) => {
                self.key(target).map_err(|mut e| {
                    e.pos = Some(self.nodes[id].pos.value);
                    e
                })
            }
            _ => Err(self.error(
                id,
                "a list or mapping used as a key: Helm and kubectl take only scalars as keys",
                "write the key as a string",
            )),
        }
    }
}

/// Turns a built node into its value and position entries (parents before children).
fn flatten(node: Node, parent: u32, seg: Seg, entries: &mut Entries) -> Value {
    let me = entries.len() as u32;
    entries.push(parent, seg, node.pos);
    match node.kind {
        Kind::Leaf(v) => v,
        Kind::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| flatten(item, me, Seg::Index(i as u32), entries))
                .collect(),
        ),
        Kind::Map(mapping) => {
            let mut map = Map::with_capacity(mapping.entries.len());
            for (k, v) in mapping.entries {
                let seg = entries.key(&k);
                let value = flatten(v, me, seg, entries);
                map.insert(k, value);
            }
            Value::Object(map)
        }
    }
}

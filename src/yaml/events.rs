//! The fast path of YAML reading: values and positions built straight from the parser's
//! events, for the plain YAML that manifests are made of.
//!
//! Gathering a tree first (as the full reader does, for aliases) costs more than the parsing
//! itself, and that dominates validating a large repository. This builder reads scalars and
//! keys (tagged ones too) with the same resolver as the full reader ([`super::resolve`]) and
//! says "not mine" (`None`) for what needs the tree or an error's words: anchors and aliases,
//! merge keys, duplicate keys, keys that are collections or that Helm refuses, values JSON
//! cannot hold, documents that Helm and kubectl split differently, deep nesting, and every
//! syntax error. The caller then reads the whole text with the full reader, so the result never
//! depends on which path ran (a test compares both on every fixture).

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};

use super::resolve::{self, Scalar};
use super::{
    Document, MAX_DEPTH, MAX_DOCUMENTS, MAX_EVENTS, MAX_NODES, NodePos, Pos, Positions, Seg,
};

/// Every non-empty document of `text`, or `None` when the text needs the full reader.
pub(super) fn parse(text: &str) -> Option<Vec<Document>> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut builder = Builder::default();
    // Past a budget of the full reader, it words the error.
    let (mut events, mut nodes, mut started) = (0usize, 0usize, 0usize);
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
                builder = Builder::default();
            }
            Event::DocumentEnd => {
                let finished = std::mem::take(&mut builder);
                if let Some(root) = finished.root
                    && !root.is_null()
                {
                    docs.push(Document {
                        value: root,
                        positions: Positions::compact(finished.entries),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 {
                    return None;
                }
                nodes += 1;
                let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()));
                builder.scalar(&text, style, tag.as_deref(), &span)?;
            }
            // Tags on collections mean nothing to go-yaml v2, nor here.
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if anchor != 0 {
                    return None;
                }
                nodes += 1;
                let mapping = matches!(event, Event::MappingStart(..));
                builder.open(mapping, &span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            _ => return None,
        }
    }
    Some(docs)
}

/// One position entry: where the node is, and how its parent names it.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub parent: u32,
    pub seg: Seg,
    pub pos: NodePos,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        entry: u32,
    },
    Map {
        map: Map<String, Value>,
        entry: u32,
        /// The key read, waiting for its value.
        key: Option<(String, Pos)>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    entries: Vec<Entry>,
    root: Option<Value>,
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
    /// wants a key (a collection as a key is not for this path).
    fn entry(&mut self, span: &Span) -> Option<u32> {
        let (parent, seg, key) = match self.stack.last() {
            None => (u32::MAX, Seg::Root, None),
            Some(Frame::Seq { items, entry }) => (*entry, Seg::Index(items.len() as u32), None),
            Some(Frame::Map {
                entry,
                key: Some((k, at)),
                ..
            }) => (*entry, Seg::Key(k.as_str().into()), Some(*at)),
            Some(Frame::Map { key: None, .. }) => return None,
        };
        self.entries.push(Entry {
            parent,
            seg,
            pos: node_pos(span, key),
        });
        Some(self.entries.len() as u32 - 1)
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&str>,
        span: &Span,
    ) -> Option<()> {
        let scalar = Scalar {
            text,
            plain: style == ScalarStyle::Plain,
            tag,
        };
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            if scalar.is_merge_key() {
                return None;
            }
            *key = Some((resolve::key(scalar).ok()?, pos(span)));
            return Some(());
        }
        let value = resolve::value(scalar).ok()?;
        self.entry(span)?;
        self.add(value)
    }

    fn open(&mut self, mapping: bool, span: &Span) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        let entry = self.entry(span)?;
        self.stack.push(if mapping {
            Frame::Map {
                map: Map::new(),
                entry,
                key: None,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                entry,
            }
        });
        Some(())
    }

    fn close(&mut self) -> Option<()> {
        let value = match self.stack.pop()? {
            Frame::Seq { items, .. } => Value::Array(items),
            Frame::Map { map, key: None, .. } => Value::Object(map),
            Frame::Map { key: Some(_), .. } => return None,
        };
        self.add(value)
    }

    /// Puts a finished value where it belongs.
    fn add(&mut self, value: Value) -> Option<()> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => {
                let (k, _) = key.take()?;
                // A duplicate key is an error the full reader words and places.
                if map.insert(k, value).is_some() {
                    return None;
                }
            }
        }
        Some(())
    }
}

//! The fast path of YAML reading: values and positions built straight from the parser's
//! events, for the plain YAML that manifests are made of.
//!
//! Going through serde costs about three times the parsing itself, and that dominates
//! validating a large repository. This builder handles the common subset exactly and says
//! "not mine" (`None`) for anything where YAML's typing rules get subtle: anchors and aliases,
//! tags, merge keys, duplicate keys, plain scalars that might be numbers, booleans or dates in
//! some YAML version, non-string keys, deep nesting, and every syntax error. The caller then
//! reads the whole text with the full deserializer, so the result never depends on which path
//! ran (a test compares both on every fixture).

use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};

use super::{
    Document, MAX_DEPTH, MAX_DOCUMENTS, MAX_EVENTS, MAX_NODES, NodePos, Pos, Positions, Seg,
};

/// Every non-empty document of `text`, or `None` when the text needs the full reader.
pub(super) fn parse(text: &str) -> Option<Vec<Document>> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut builder = Builder::default();
    // Past a budget of the full reader, it words the error.
    let (mut events, mut nodes) = (0usize, 0usize);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.ok()?;
        events += 1;
        if events > MAX_EVENTS || nodes > MAX_NODES || docs.len() >= MAX_DOCUMENTS {
            return None;
        }
        match event {
            Event::StreamStart | Event::Comment(..) => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) => builder = Builder::default(),
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
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                nodes += 1;
                builder.scalar(&text, style, &span)?;
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
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

fn pos(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        column: span.start.col() as u32 + 1,
    }
}

fn node_pos(span: &Span, key: Option<Pos>) -> NodePos {
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

    fn scalar(&mut self, text: &str, style: ScalarStyle, span: &Span) -> Option<()> {
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            if style == ScalarStyle::Plain && !surely_string(text) {
                return None;
            }
            *key = Some((text.to_owned(), pos(span)));
            return Some(());
        }
        let value = if style == ScalarStyle::Plain {
            resolve_plain(text)?
        } else {
            Value::String(text.to_owned())
        };
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

/// A plain scalar's value, when no YAML version could read it differently.
fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" => return Some(Value::Null),
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if surely_string(text) {
        return Some(Value::String(text.to_owned()));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let simple_integer = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if simple_integer {
        return text
            .parse::<i64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)));
    }
    None
}

/// Whether a plain scalar is a string in YAML 1.1 and 1.2 alike, with no number, boolean,
/// null, float or timestamp reading: text starting with a letter that is not one of those
/// words, a path, a `--flag` or `-f`, non-ASCII text, or a digit followed by something no number or
/// date contains (`100m`, `64Mi`, `25%`).
fn surely_string(text: &str) -> bool {
    let Some(&first) = text.as_bytes().first() else {
        return false;
    };
    if first.is_ascii_alphabetic() {
        if text.len() > 8 {
            return true;
        }
        let lower = text.to_ascii_lowercase();
        return !matches!(
            lower.as_str(),
            "null"
                | "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "nan"
                | "inf"
                | "infinity"
        );
    }
    if first >= 0x80 || first == b'/' {
        return true;
    }
    if first.is_ascii_digit() {
        return text
            .bytes()
            .any(|b| !(b.is_ascii_hexdigit() || b" xXoO+-._:tTzZ".contains(&b)));
    }
    // `--flag`, `-c`; not `-inf` or `-nan`.
    match text.strip_prefix('-') {
        Some(rest) if rest.starts_with('-') => true,
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphabetic()) => surely_string(rest),
        _ => false,
    }
}

//! YAML text to JSON values, keeping where every node came from.
//!
//! Values files, rendered templates and (later) manifests all go through here, so that any
//! error about a value can point at `file:line:col`. Each document becomes a
//! [`serde_json::Value`] plus a map from JSON pointer to the position of the node (and of its
//! key, for mapping entries).

mod events;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// A 1-based line and column in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where one node of a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    /// The value itself.
    pub value: Pos,
    /// The key naming it, for a mapping entry.
    pub key: Option<Pos>,
    /// Byte range of a scalar in the source, when the parser knows it.
    pub bytes: Option<(usize, usize)>,
}

/// JSON pointer → position, for one document.
///
/// Reading keeps only a compact list (one entry per node, naming its parent); the map from
/// pointers is built on first lookup, which most objects (those without findings) never need.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    compact: Vec<events::Entry>,
    map: OnceLock<HashMap<String, NodePos>>,
}

/// How a parent names a child node.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Root,
    Key(Box<str>),
    Index(u32),
}

impl Positions {
    pub fn from_map(map: HashMap<String, NodePos>) -> Self {
        Positions {
            compact: Vec::new(),
            map: OnceLock::from(map),
        }
    }

    fn compact(entries: Vec<events::Entry>) -> Self {
        Positions {
            compact: entries,
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
                let pointer = match &e.seg {
                    Seg::Root => String::new(),
                    Seg::Key(k) => child_pointer(parent, k),
                    Seg::Index(i) => format!("{parent}/{i}"),
                };
                map.insert(pointer.clone(), e.pos);
                pointers.push(pointer);
            }
            map
        })
    }

    pub fn get(&self, pointer: &str) -> Option<&NodePos> {
        // The root is asked for every document; it needs no map.
        if pointer.is_empty()
            && self.map.get().is_none()
            && let Some(root) = self.compact.first()
        {
            return Some(&root.pos);
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

/// One YAML document.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub positions: Positions,
}

/// A YAML syntax or structure error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Joins a parent pointer and one unescaped segment.
pub fn child_pointer(parent: &str, segment: &str) -> String {
    format!("{parent}/{}", escape_segment(segment))
}

/// Turns a JSON pointer into the dotted path users write in values files and `--set`
/// (`/rollout/strategy/blueGreen` → `rollout.strategy.blueGreen`, `/a/0` → `a[0]`).
pub fn dotted_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Decodes bytes as UTF-8 text, dropping a leading byte-order mark.
pub fn decode(bytes: &[u8]) -> Result<&str, YamlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = offset
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        YamlError {
            pos: Some(Pos {
                line: line as u32,
                column: column as u32,
            }),
            message: "the file is not UTF-8 text".into(),
        }
    })
}

/// [`decode`] for owned bytes, without copying them.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, YamlError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        decode(e.as_bytes()).err().unwrap_or_else(|| YamlError {
            pos: None,
            message: "the file is not UTF-8 text".into(),
        })
    })
}

fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::options! {
        // Helm (Go yaml.v3) reads `0755` as octal 493; YAML 1.2 would read a float.
        legacy_octal_numbers: true,
        // Comments and error snippets are never used; not collecting them is much faster.
        emit_comments: false,
        with_snippet: false,
    };
    // Manifests barely use aliases; a billion-laughs file hits this long before it costs.
    options.alias_limits.max_total_replayed_events = 100_000;
    // A stream may be a whole repository's `kustomize build` or `helm template` output: far
    // more documents and nodes than the defaults (1,024 and 250,000) allow. A document's
    // size is bounded before parsing (MAX_DOCUMENT_BYTES), which bounds the rest.
    if let Some(budget) = options.budget.as_mut() {
        budget.max_documents = MAX_DOCUMENTS;
        budget.max_nodes = MAX_NODES;
        budget.max_events = MAX_EVENTS;
        budget.max_depth = MAX_DEPTH;
    }
    options
}

/// Limits of one stream, the same on both reading paths.
const MAX_DOCUMENTS: usize = 100_000;
const MAX_NODES: usize = 20_000_000;
const MAX_EVENTS: usize = 40_000_000;
/// Deeper than any Kubernetes object (and than the CRD schemas, the deepest YAML around).
const MAX_DEPTH: usize = 64;

/// The largest document read. The API server accepts requests of at most 3 MiB, so anything
/// larger cannot be applied; refusing it before parsing keeps a hostile file from costing
/// memory and time.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The first document of `text` larger than `MAX_DOCUMENT_BYTES`: its first line and size.
fn oversized_document(text: &str) -> Option<(usize, usize)> {
    if text.len() <= MAX_DOCUMENT_BYTES {
        return None;
    }
    let (mut start, mut start_line, mut line) = (0, 1, 1);
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        if l.starts_with("---") || l.starts_with("...") {
            if offset - start > MAX_DOCUMENT_BYTES {
                return Some((start_line, offset - start));
            }
            start = offset;
            start_line = line;
        }
        offset += l.len();
        line += 1;
    }
    (offset - start > MAX_DOCUMENT_BYTES).then_some((start_line, offset - start))
}

/// Parses a stream of YAML documents. Empty documents (`---` alone, or only comments) are
/// skipped, as kubectl and Helm skip them.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    if let Some((line, size)) = oversized_document(text) {
        return Err(YamlError {
            pos: Some(Pos {
                line: line as u32,
                column: 1,
            }),
            message: format!(
                "this document is {size} bytes; the API server accepts at most 3 MiB per object, so it was not read"
            ),
        });
    }
    if let Some(docs) = events::parse(text) {
        return Ok(docs);
    }
    parse_documents_fully(text)
}

/// [`parse_documents`] through the event fast path only: `None` where it hands over.
#[doc(hidden)]
pub fn parse_documents_fast(text: &str) -> Option<Vec<Document>> {
    events::parse(text)
}

/// [`parse_documents`] through the full deserializer, whatever the text holds.
#[doc(hidden)]
pub fn parse_documents_fully(text: &str) -> Result<Vec<Document>, YamlError> {
    let nodes: Vec<Option<Spanned<Node>>> =
        serde_saphyr::from_str_multiple_with_options(text, options()).map_err(convert_error)?;
    Ok(nodes.into_iter().flatten().map(into_document).collect())
}

/// Parses text that must hold at most one document (a values file). `Ok(None)` for a file
/// with no content.
pub fn parse_single(text: &str) -> Result<Option<Document>, YamlError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(None),
        1 => Ok(docs.pop()),
        _ => Err(YamlError {
            pos: None,
            message: format!(
                "expected one YAML document, found {}; a values file holds a single mapping",
                docs.len()
            ),
        }),
    }
}

fn convert_error(err: serde_saphyr::Error) -> YamlError {
    let pos = err.location().and_then(|l| {
        (l.line() > 0).then(|| Pos {
            line: l.line() as u32,
            column: l.column().max(1) as u32,
        })
    });
    let message = err.without_snippet().to_string();
    // The parser's message may carry its own "at line X column Y" tail; the position is
    // reported separately, so keep only the first line.
    let mut message = message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if let Some(i) = message.rfind(" at line ")
        && message[i..].contains(", column ")
    {
        message.truncate(i);
    }
    if let Some(i) = message.find(", set DuplicateKeyPolicy") {
        message.truncate(i);
        message.push_str(" (written twice in one mapping; keep one)");
    }
    YamlError { pos, message }
}

fn into_document(root: Spanned<Node>) -> Document {
    let mut positions = HashMap::new();
    let value = flatten(root, String::new(), None, &mut positions);
    Document {
        value,
        positions: Positions::from_map(positions),
    }
}

fn pos_of(loc: &serde_saphyr::Location) -> Pos {
    Pos {
        line: loc.line() as u32,
        column: loc.column() as u32,
    }
}

fn flatten(
    node: Spanned<Node>,
    pointer: String,
    key: Option<Pos>,
    positions: &mut HashMap<String, NodePos>,
) -> Value {
    let span = node.referenced.span();
    let bytes = span
        .byte_offset()
        .zip(span.byte_len())
        .map(|(o, l)| (o as usize, (o + l) as usize));
    positions.insert(
        pointer.clone(),
        NodePos {
            value: pos_of(&node.referenced),
            key,
            bytes,
        },
    );
    match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Number(n) => Value::Number(n),
        Node::String(s) => Value::String(s),
        Node::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| flatten(item, format!("{pointer}/{i}"), None, positions))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                let child = child_pointer(&pointer, &k.value);
                let value = flatten(v, child, Some(pos_of(&k.referenced)), positions);
                map.insert(k.value, value);
            }
            Value::Object(map)
        }
    }
}

/// A YAML node whose children keep their spans.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        i64::try_from(v)
            .map(Number::from)
            .or_else(|_| u64::try_from(v).map(Number::from))
            .map(Node::Number)
            .map_err(|_| E::custom(format!("integer {v} is out of range (beyond 64 bits)")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        u64::try_from(v)
            .map(|n| Node::Number(n.into()))
            .map_err(|_| E::custom(format!("integer {v} is out of range (beyond 64 bits)")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Number::from_f64(v)
            .map(Node::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a number JSON can hold; quote it")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Spanned<String>, Spanned<Node>)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let value = map.next_value()?;
            let key = Spanned::new(key.value.0, key.referenced, key.defined);
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key: JSON objects take strings, so scalar keys are spelled out as YAML wrote them.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key, E> {
                Ok(Key(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_and_positions() {
        let text = "a:\n  b: 1\n  c: [x, \"y\"]\nd: ~\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!(
            doc.value,
            json!({"a": {"b": 1, "c": ["x", "y"]}, "d": null})
        );
        let b = doc.positions.get("/a/b").unwrap();
        assert_eq!(b.value, Pos { line: 2, column: 6 });
        assert_eq!(b.key, Some(Pos { line: 2, column: 3 }));
        assert_eq!(doc.positions.get("/a/c/1").unwrap().value.line, 3);
        assert_eq!(doc.positions.nearest("/a/zz/q").unwrap().value.line, 2);
    }

    #[test]
    fn multiple_documents_skip_empty_ones() {
        let docs = parse_documents("---\na: 1\n---\n# only a comment\n---\nb: 2\n").unwrap();
        let values: Vec<_> = docs.iter().map(|d| d.value.clone()).collect();
        assert_eq!(values, vec![json!({"a": 1}), json!({"b": 2})]);
        assert_eq!(docs[1].positions.get("/b").unwrap().value.line, 6);
    }

    #[test]
    fn float_scalar_keeps_its_source_bytes() {
        let text = "tag: 1.10\n";
        let doc = parse_single(text).unwrap().unwrap();
        assert_eq!(doc.value, json!({"tag": 1.1}));
        let (start, end) = doc.positions.get("/tag").unwrap().bytes.unwrap();
        assert_eq!(&text[start..end], "1.10");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let err = parse_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.to_lowercase().contains("duplicate"), "{err}");
        assert_eq!(err.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn keys_with_slashes_are_escaped_in_pointers() {
        let doc = parse_single("labels:\n  app.kubernetes.io/name: x\n")
            .unwrap()
            .unwrap();
        assert!(
            doc.positions
                .get("/labels/app.kubernetes.io~1name")
                .is_some()
        );
        assert_eq!(dotted_path("/a/b~1c/0/d"), "a.b/c[0].d");
    }

    #[test]
    fn octal_like_helm_and_non_utf8_is_reported() {
        let doc = parse_single("mode: 0755\n").unwrap().unwrap();
        assert_eq!(doc.value, json!({"mode": 493}));
        let err = decode(b"a: 1\nb: \xff\n").unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 2, column: 4 }));
    }
}

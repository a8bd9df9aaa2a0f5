//! YAML text to JSON values, keeping where every node came from.
//!
//! Values files, `--set-json` values, rendered templates and manifests all go through here,
//! read exactly as Helm and kubectl read them (sigs.k8s.io/yaml: go-yaml v2's YAML 1.1 scalars
//! turned into JSON; see [`resolve`]) or refused with a reason, so that no value means one thing
//! to rollwright and another to the tools that apply it. Each document becomes a
//! [`serde_json::Value`] plus a map from JSON pointer to the position of the node (and of its
//! key, for mapping entries), so that any error about a value can point at `file:line:col`.
//!
//! Two readers give the same result: a fast one straight from the parser's events for plain
//! YAML ([`events`]), and a full one for the rest ([`compose`]); both call the one scalar
//! resolver.

mod compose;
mod events;
mod positions;
mod resolve;

use std::fmt;

use serde_json::Value;
use serde_saphyr::granit_parser::{Options, Parser, StrInput};

pub use positions::Positions;
pub use resolve::json_float;

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

/// A position at the start of a file, for objects that map to no particular line.
pub fn file_start() -> NodePos {
    NodePos {
        value: Pos { line: 1, column: 1 },
        key: None,
        bytes: None,
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
    /// How to fix it.
    pub help: Option<String>,
}

impl YamlError {
    pub(crate) fn new(pos: Option<Pos>, message: impl Into<String>) -> Self {
        YamlError {
            pos,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The help for a syntax error the parser found.
const SYNTAX_HELP: &str = "check the indentation, and quote values that hold `: ` or ` #` or that start with `*`, `&`, `!`, `{`, `[`, `%`, `@` or a backtick";

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
        YamlError::new(
            Some(Pos {
                line: line as u32,
                column: column as u32,
            }),
            "the file is not UTF-8 text",
        )
        .with_help("save it as UTF-8")
    })
}

/// [`decode`] for owned bytes, without copying them.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, YamlError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        decode(e.as_bytes()).err().unwrap_or_else(|| {
            YamlError::new(None, "the file is not UTF-8 text").with_help("save it as UTF-8")
        })
    })
}

/// The event parser both readers use. Comments are still checked as YAML syntax but not
/// captured: neither reader needs their text, and capturing it costs an allocation each.
fn parser(text: &str) -> Parser<'_, StrInput<'_>> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    Parser::new_from_str_with_options(text, options)
}

/// Limits of one stream, the same on both reading paths.
const MAX_DOCUMENTS: usize = 100_000;
const MAX_NODES: usize = 20_000_000;
const MAX_EVENTS: usize = 40_000_000;
/// Nodes an alias may stand for, all aliases of a stream together: plenty for manifests,
/// which barely use aliases, and far below what a "billion laughs" file asks for. Both readers
/// count alike (see [`compose`]), so the fast one hands over exactly where the full one refuses.
const MAX_ALIASED_NODES: usize = 100_000;
/// Deeper than any Kubernetes object (and than the CRD schemas, the deepest YAML around).
const MAX_DEPTH: usize = 64;

/// The largest document read. The API server accepts requests of at most 3 MiB, so anything
/// larger cannot be applied; refusing it before parsing keeps a hostile file from costing
/// memory and time.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The largest stream read: positions keep byte offsets in 32 bits.
const MAX_STREAM_BYTES: usize = u32::MAX as usize - 1;

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

/// Helm and kubectl split a stream into documents at lines that start with `---` before any
/// YAML is read (Kubernetes' YAMLReader), and refuse such a line with anything but blanks or a
/// comment after the `---`: `--- {a: 1}` is valid YAML they do not read.
fn check_separators(text: &str) -> Result<(), YamlError> {
    let starts = std::iter::once(0).chain(text.match_indices("\n---").map(|(i, _)| i + 1));
    for start in starts {
        let Some(line) = text[start..].split('\n').next() else {
            continue;
        };
        let Some(rest) = line.strip_prefix("---") else {
            continue;
        };
        let rest = rest.trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            let line_no = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
            return Err(YamlError::new(
                Some(Pos {
                    line: line_no as u32,
                    column: 4,
                }),
                "something after `---` on its line: Helm and kubectl split documents at `---` lines and refuse this",
            )
            .with_help("put `---` alone on its line and the content on the next"));
        }
    }
    Ok(())
}

/// What both readers check at the start of a document: go-yaml reads only YAML 1.1, and
/// Helm and kubectl decode only the first document of each part between `---` lines, so a
/// document that follows `...` without its own `---` would be dropped.
fn check_document_start(
    started: usize,
    explicit: bool,
    version: Option<serde_saphyr::granit_parser::YamlVersion>,
    span: &serde_saphyr::granit_parser::Span,
) -> Result<(), YamlError> {
    let at = |message: String| YamlError::new(Some(events::pos(span)), message);
    if let Some(v) = version
        && (v.major, v.minor) != (1, 1)
    {
        return Err(at(format!(
            "`%YAML {}.{}`: Helm and kubectl read YAML 1.1 and refuse other versions",
            v.major, v.minor
        ))
        .with_help("remove the directive"));
    }
    if started > 0 && !explicit {
        return Err(at(
            "a document after `...` without its own `---`: Helm and kubectl would drop it".into(),
        )
        .with_help("start it with `---`"));
    }
    Ok(())
}

/// Parses a stream of YAML documents. Empty documents (`---` alone, or only comments) are
/// skipped, as kubectl and Helm skip them.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    if let Some((line, size)) = oversized_document(text) {
        return Err(YamlError::new(
            Some(Pos {
                line: line as u32,
                column: 1,
            }),
            format!(
                "this document is {size} bytes; the API server accepts at most 3 MiB per object, so it was not read"
            ),
        )
        .with_help("split it into smaller objects"));
    }
    check_separators(text)?;
    if let Some(docs) = events::parse(text) {
        return Ok(docs);
    }
    compose::parse(text)
}

/// [`parse_documents`] through the event fast path only: `None` where it hands over.
#[doc(hidden)]
pub fn parse_documents_fast(text: &str) -> Option<Vec<Document>> {
    check_separators(text).ok()?;
    events::parse(text)
}

/// [`parse_documents`] through the full reader, whatever the text holds.
#[doc(hidden)]
pub fn parse_documents_fully(text: &str) -> Result<Vec<Document>, YamlError> {
    check_separators(text)?;
    compose::parse(text)
}

/// Parses text that must hold at most one document. `Ok(None)` for a text with no content.
pub fn parse_single(text: &str) -> Result<Option<Document>, YamlError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(None),
        1 => Ok(docs.pop()),
        _ => Err(YamlError::new(
            None,
            format!(
                "expected one YAML document, found {}; this file holds a single mapping",
                docs.len()
            ),
        )
        .with_help("keep one document (remove the `---` lines)")),
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

//! Editing a values file in place, byte for byte.
//!
//! A values file is reviewed by people: its comments, key order, quoting and blank lines are
//! part of it. So instead of re-serialising the tree, an edit replaces only the bytes of one
//! scalar (the span `yaml.rs` records), or inserts the lines of a missing key at the end of
//! the mapping that should hold it, indented as the file indents. After every edit the text
//! is parsed again and the value checked, so an edit that YAML would read differently is
//! refused instead of written.

use std::fmt;

use serde_json::Value;

use super::set::Segment;
use crate::yaml::{self, Document, Pos, child_pointer};

/// One assignment: a `--set` path and its typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: Vec<Segment>,
    pub value: Value,
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

impl EditError {
    fn new(pos: Option<Pos>, message: impl Into<String>) -> Self {
        EditError {
            pos,
            message: message.into(),
            help: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The dotted form of a path, as the user wrote it (`a.b[0].c`).
pub fn dotted(path: &[Segment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn pointer_of(path: &[Segment]) -> String {
    let mut p = String::new();
    for seg in path {
        p = match seg {
            Segment::Key(k) => child_pointer(&p, k),
            Segment::Index(i) => format!("{p}/{i}"),
        };
    }
    p
}

/// What a file's bytes hold besides its text, kept through an edit: a UTF-8 byte-order mark,
/// and CRLF line ends (when every line ends so; a file that mixes both is edited as it is,
/// new lines ending in LF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub bom: bool,
    pub crlf: bool,
}

impl Layout {
    pub fn of(bytes: &[u8]) -> Layout {
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        let lf = bytes.iter().filter(|&&b| b == b'\n').count();
        Layout {
            bom: bytes.starts_with(b"\xEF\xBB\xBF"),
            crlf: crlf > 0 && crlf == lf,
        }
    }

    /// The text (byte-order mark already removed) with LF line ends, to edit.
    pub fn to_lf<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.crlf {
            text.replace("\r\n", "\n").into()
        } else {
            text.into()
        }
    }

    /// The bytes to write for edited LF `text`.
    pub fn restore(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 64);
        if self.bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        if self.crlf {
            out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        out
    }
}

/// A comment beside a replaced value that spoke of the old value: refreshed for the new one
/// (`new`), or removed (`new` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentNote {
    /// 1-based line of the value.
    pub line: usize,
    pub old: String,
    pub new: Option<String>,
}

/// Applies the changes one after the other and returns the new text.
pub fn apply(text: &str, changes: &[Change]) -> Result<String, EditError> {
    apply_noting(text, changes).map(|(text, _)| text)
}

/// Like [`apply`], and says which comments it refreshed or removed.
pub fn apply_noting(
    text: &str,
    changes: &[Change],
) -> Result<(String, Vec<CommentNote>), EditError> {
    let mut text = text.to_owned();
    let mut notes = Vec::new();
    for change in changes {
        text = apply_one(&text, change, &mut notes)?;
        // The edit must read back as exactly the value asked for, or it is not written.
        let doc = parse(&text)?;
        let pointer = pointer_of(&change.path);
        if doc.value.pointer(&pointer) != Some(&change.value) {
            return Err(EditError::new(
                None,
                format!(
                    "cannot write `{}` without changing what the file means",
                    dotted(&change.path)
                ),
            )
            .help("edit the file by hand"));
        }
    }
    Ok((text, notes))
}

fn parse(text: &str) -> Result<Document, EditError> {
    match yaml::parse_single(text) {
        Ok(Some(doc)) => Ok(doc),
        Ok(None) => Ok(Document {
            value: Value::Object(Default::default()),
            positions: Default::default(),
        }),
        Err(e) => Err(EditError::new(e.pos, e.message)),
    }
}

fn apply_one(
    text: &str,
    change: &Change,
    notes: &mut Vec<CommentNote>,
) -> Result<String, EditError> {
    let doc = parse(text)?;
    if !doc.value.is_object() {
        return Err(EditError::new(
            None,
            "the values file is not a mapping of keys",
        ));
    }
    let path = &change.path;
    // The longest prefix of the path that the file already holds.
    let mut have = 0;
    while have < path.len() && doc.value.pointer(&pointer_of(&path[..=have])).is_some() {
        have += 1;
    }
    let unit = indent_unit(text, &doc);
    if have == path.len() {
        return replace_existing(text, &doc, change, notes);
    }
    let parent_ptr = pointer_of(&path[..have]);
    let parent = doc.value.pointer(&parent_ptr).expect("the prefix exists");
    let rest = &path[have..];
    match (parent, &rest[0]) {
        (Value::Object(map), Segment::Key(_)) if !map.is_empty() => {
            let at = subtree_end(text, &doc, &parent_ptr);
            let indent = child_indent(text, &doc, &parent_ptr, map.keys().next().unwrap());
            check_block(text, &doc, &parent_ptr)?;
            let block = render_block(rest, &change.value, indent, unit);
            Ok(insert_lines(text, at, &block))
        }
        (Value::Array(items), Segment::Index(i)) if !items.is_empty() => {
            if *i != items.len() {
                return Err(index_error(path, have, items.len()));
            }
            check_block(text, &doc, &parent_ptr)?;
            let first = doc
                .positions
                .get(&format!("{parent_ptr}/0"))
                .map(|p| p.value)
                .unwrap_or_default();
            let at = subtree_end(text, &doc, &parent_ptr);
            // The dash of an item stands two columns before its content, whatever the style.
            let dash_col = dash_column(text, first);
            let block = render_block(rest, &change.value, dash_col, unit);
            Ok(insert_lines(text, at, &block))
        }
        // An empty parent (`key:`, `key: ~`, `key: {}`, `key: []`) or the empty root: its
        // value is dropped and the new block goes below its key.
        (Value::Null, _)
        | (Value::Object(_), Segment::Key(_))
        | (Value::Array(_), Segment::Index(0)) => {
            if parent_ptr.is_empty() {
                let block = render_block(rest, &change.value, 0, unit);
                let mut out = text.to_owned();
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&block);
                return Ok(out);
            }
            let node = doc.positions.get(&parent_ptr).copied();
            let key_pos = node.and_then(|n| n.key).ok_or_else(|| {
                EditError::new(
                    node.map(|n| n.value),
                    format!("cannot add `{}` here", dotted(path)),
                )
                .help("edit the file by hand")
            })?;
            let (start, end) = empty_value_span(text, key_pos, node.map(|n| n.value))?;
            let indent = column_of(text, key_pos) + unit;
            let block = render_block(rest, &change.value, indent, unit);
            // Drop the empty value but keep a trailing comment on the key's line.
            let mut out = String::with_capacity(text.len() + block.len());
            out.push_str(text[..start].trim_end_matches([' ', '\t']));
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            out.push_str(&text[end..line_end]);
            if line_end == text.len() {
                out.push('\n');
                out.push_str(&block);
            } else {
                out.push('\n');
                out.push_str(&block);
                out.push_str(&text[line_end + 1..]);
            }
            Ok(out)
        }
        (Value::Array(items), _) => Err(index_error(path, have, items.len())),
        (_, _) => Err(EditError::new(
            doc.positions.get(&parent_ptr).map(|p| p.value),
            format!(
                "`{}` is {} in the file, so `{}` cannot be set inside it",
                dotted(&path[..have]),
                crate::schema::describe::json_kind(parent),
                dotted(path)
            ),
        )
        .help(format!(
            "set `{}` itself, or edit the file by hand",
            dotted(&path[..have])
        ))),
    }
}

fn index_error(path: &[Segment], have: usize, len: usize) -> EditError {
    EditError::new(
        None,
        format!(
            "`{}` has {len} items; only `[{len}]` can be added",
            dotted(&path[..have])
        ),
    )
    .help("add list items one after the other")
}

/// Replaces an existing scalar's bytes.
fn replace_existing(
    text: &str,
    doc: &Document,
    change: &Change,
    notes: &mut Vec<CommentNote>,
) -> Result<String, EditError> {
    let pointer = pointer_of(&change.path);
    let old = doc.value.pointer(&pointer).expect("the path exists");
    let node = *doc
        .positions
        .get(&pointer)
        .expect("every node has a position");
    if old.is_object() || old.is_array() {
        return Err(EditError::new(
            Some(node.value),
            format!(
                "`{}` is {} in the file; only scalar values are replaced",
                dotted(&change.path),
                crate::schema::describe::json_kind(old)
            ),
        )
        .help("set the keys inside it, or edit the file by hand"));
    }
    if old == &change.value {
        return Ok(text.to_owned());
    }
    let (start, end) = match node.bytes {
        Some((s, e)) if e > s => (s, e),
        // `key:` with nothing after it: the value goes after the colon.
        _ => match node.key {
            Some(key) => empty_value_span(text, key, Some(node.value))?,
            None => {
                return Err(EditError::new(
                    Some(node.value),
                    "cannot find this value's text in the file",
                ));
            }
        },
    };
    let old_src = &text[start..end];
    let in_flow = in_flow_collection(text, start);
    let new_src = render_scalar(&change.value, Style::of(old_src), in_flow);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    // An empty value sits right after the colon: keep one space between them.
    if start == end && !text[..start].ends_with(' ') {
        out.push(' ');
    }
    out.push_str(&new_src);
    let after = out.len();
    out.push_str(&text[end..]);
    if !in_flow {
        refresh_comment(&mut out, after, old, change, notes);
    }
    Ok(out)
}

/// A comment beside a value describes that value; once the value changes, a comment that
/// spoke of the old one would lie. A comment after the value does when the value is a boolean
/// that flipped (it said what the old setting does) or when it names the old value; the
/// comment line right above the key does when it names the old value (`# true: promote…`).
/// Such a comment is replaced by what rollwright writes for the new value of a key it knows,
/// else removed; any other comment (`# pinned`) is kept.
fn refresh_comment(
    out: &mut String,
    after: usize,
    old: &Value,
    change: &Change,
    notes: &mut Vec<CommentNote>,
) {
    let fresh = fresh_comment(&dotted(&change.path), &change.value);
    let old_text = scalar_text(old);
    let names_old = |comment: &str| {
        let text = comment.trim_start_matches('#').trim();
        old_text.as_deref().is_some_and(|o| names_word(text, o))
    };
    let line_start = out[..after].rfind('\n').map_or(0, |i| i + 1);
    let line = out[..after].matches('\n').count() + 1;

    // After the value, on its line.
    let line_end = out[after..].find('\n').map_or(out.len(), |i| after + i);
    let rest = &out[after..line_end];
    let body = rest.trim_start_matches([' ', '\t']);
    if body.len() < rest.len() && body.starts_with('#') {
        let comment = body.trim_end().to_owned();
        let flipped = matches!((old, &change.value), (Value::Bool(a), Value::Bool(b)) if a != b);
        if flipped || names_old(&comment) {
            let replacement = match fresh {
                Some(f) => format!("{}# {f}", &rest[..rest.len() - body.len()]),
                None => String::new(),
            };
            out.replace_range(after..line_end, &replacement);
            notes.push(CommentNote {
                line,
                old: comment,
                new: fresh.map(|f| format!("# {f}")),
            });
        }
    }

    // The line above the key, when it is a comment of its own.
    if line_start == 0 {
        return;
    }
    let above_start = out[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    let above = &out[above_start..line_start - 1];
    let comment = above.trim_start_matches([' ', '\t']);
    if !comment.starts_with('#') || !names_old(comment) {
        return;
    }
    let comment = comment.trim_end().to_owned();
    let indent = above[..above.len() - above.trim_start_matches([' ', '\t']).len()].to_owned();
    let (range, replacement) = match fresh {
        Some(f) => (above_start..line_start - 1, format!("{indent}# {f}")),
        None => (above_start..line_start, String::new()),
    };
    out.replace_range(range, &replacement);
    notes.push(CommentNote {
        line: line - 1,
        old: comment,
        new: fresh.map(|f| format!("# {f}")),
    });
}

/// The comment rollwright's scaffolds write beside a value.
fn fresh_comment(key: &str, value: &Value) -> Option<&'static str> {
    match (key, value) {
        ("rollout.strategy.blueGreen.autoPromotionEnabled", Value::Bool(false)) => {
            Some("every update waits for `kubectl argo rollouts promote`")
        }
        ("rollout.strategy.blueGreen.autoPromotionEnabled", Value::Bool(true)) => Some(
            "promote by itself once the new pods are ready and any pre-promotion analysis succeeded",
        ),
        _ => None,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `word` stands in `text` on its own (not inside a longer word or number).
fn names_word(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        // A dot ends a sentence but continues a number (`1.28` in `1.28.1`).
        let after_ok = match after {
            Some('.') => !text[i + word.len() + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit()),
            Some(c) => !part(c),
            None => true,
        };
        !before.is_some_and(|c| part(c) || c == '.') && after_ok
    })
}

/// How a scalar was quoted in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Style {
    fn of(src: &str) -> Style {
        match src.as_bytes().first() {
            Some(b'\'') => Style::Single,
            Some(b'"') => Style::Double,
            _ => Style::Plain,
        }
    }
}

/// Writes a value as YAML. Strings keep the quote style they had; a plain string that YAML
/// would read as something else (`1.29`, `true`, `null`, `0755`, `a: b`) is double-quoted.
/// Numbers, booleans and null are written plain: that is how `--set` typed them.
fn render_scalar(value: &Value, style: Style, in_flow: bool) -> String {
    match value {
        Value::String(s) => match style {
            Style::Double => double_quoted(s),
            Style::Single if !s.chars().any(char::is_control) => {
                format!("'{}'", s.replace('\'', "''"))
            }
            _ if plain_is_safe(s, in_flow) => s.clone(),
            _ => double_quoted(s),
        },
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|v| render_scalar(v, Style::Plain, true))
                .collect();
            format!("[{}]", items.join(", "))
        }
        // JSON is YAML: a mapping from --set-json stays one flow line.
        Value::Object(_) => value.to_string(),
    }
}

/// A string as a YAML scalar: plain when YAML reads it back as the same string, else
/// double-quoted.
pub fn yaml_string(s: &str) -> String {
    render_scalar(&Value::String(s.to_owned()), Style::Plain, false)
}

/// A JSON string literal is a valid YAML double-quoted scalar.
fn double_quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Whether YAML reads `s`, written plain, back as the same string.
fn plain_is_safe(s: &str, in_flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.contains('\n') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    matches!(
        yaml::parse_single(&format!("k: {s}\n")),
        Ok(Some(doc)) if doc.value.get("k") == Some(&Value::String(s.to_owned()))
    )
}

/// Whether `offset` is inside a `[...]` or `{...}` on its line (a flow collection), where
/// commas and brackets end a plain scalar.
fn in_flow_collection(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    before.contains('[') || before.contains('{')
}

/// The bytes of an empty or empty-collection value after a key: `key:` (an empty span right
/// after the colon), `key: ~`, `key: null`, `key: {}` or `key: []`.
fn empty_value_span(text: &str, key: Pos, value: Option<Pos>) -> Result<(usize, usize), EditError> {
    let key_off = offset_of(text, key);
    let line_end = text[key_off..]
        .find('\n')
        .map_or(text.len(), |i| key_off + i);
    let line = &text[key_off..line_end];
    // The colon that ends the key: the first `: ` or a trailing `:` outside quotes.
    let colon = find_key_colon(line).ok_or_else(|| {
        EditError::new(Some(key), "cannot find the `:` after this key")
            .help("edit the file by hand")
    })?;
    let after = key_off + colon + 1;
    let rest = &text[after..line_end];
    let trimmed = rest.trim_start();
    let start = after + (rest.len() - trimmed.len());
    for token in ["{}", "[]", "~", "null", "Null", "NULL"] {
        if trimmed.starts_with(token)
            && trimmed[token.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            return Ok((start, start + token.len()));
        }
    }
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok((after, after));
    }
    Err(EditError::new(
        value.or(Some(key)),
        "this value is not empty and cannot be replaced by a block",
    )
    .help("edit the file by hand"))
}

fn find_key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b':' && bytes.get(i + 1).is_none_or(|&n| n == b' ' || n == b'\t') => {
                return Some(i);
            }
            None => {}
        }
    }
    None
}

/// The byte offset of a 1-based line and (character) column.
fn offset_of(text: &str, pos: Pos) -> usize {
    let mut offset = 0;
    for _ in 1..pos.line {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[offset..];
    line.char_indices()
        .nth(pos.column.saturating_sub(1) as usize)
        .map_or(text.len(), |(i, _)| offset + i)
}

/// The 0-based column (in characters) of a position.
fn column_of(_text: &str, pos: Pos) -> usize {
    pos.column.saturating_sub(1) as usize
}

/// The column of the `- ` in front of a sequence item that starts at `item`.
fn dash_column(text: &str, item: Pos) -> usize {
    let off = offset_of(text, item);
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..off];
    match before.rfind('-') {
        Some(i) => before[..i].chars().count(),
        None => column_of(text, item).saturating_sub(2),
    }
}

/// The indentation of the keys of the mapping at `parent` (they all share it).
fn child_indent(text: &str, doc: &Document, parent: &str, first_key: &str) -> usize {
    doc.positions
        .get(&child_pointer(parent, first_key))
        .and_then(|p| p.key)
        .map_or(0, |k| column_of(text, k))
}

/// Refuses to add a line into a flow collection (`{a: 1}`, `[x]`): lines go in block style.
fn check_block(text: &str, doc: &Document, pointer: &str) -> Result<(), EditError> {
    if pointer.is_empty() {
        return Ok(());
    }
    let Some(node) = doc.positions.get(pointer) else {
        return Ok(());
    };
    let off = offset_of(text, node.value);
    if matches!(text.as_bytes().get(off), Some(b'{' | b'[')) {
        return Err(EditError::new(
            Some(node.value),
            format!(
                "`{}` is written in flow style (`{{…}}` or `[…]`); a key cannot be added to it",
                yaml::dotted_path(pointer)
            ),
        )
        .help("write it in block style, one key per line, then run the command again"));
    }
    Ok(())
}

/// The indentation step of the file: the smallest indentation of a nested key below its
/// parent's key, else two spaces.
fn indent_unit(text: &str, doc: &Document) -> usize {
    let mut unit = usize::MAX;
    for (pointer, node) in doc.positions.iter() {
        let (Some(key), Some(slash)) = (node.key, pointer.rfind('/')) else {
            continue;
        };
        let parent = &pointer[..slash];
        if let Some(parent_key) = doc.positions.get(parent).and_then(|p| p.key) {
            let d = column_of(text, key).saturating_sub(column_of(text, parent_key));
            if d > 0 && key.line > parent_key.line {
                unit = unit.min(d);
            }
        }
    }
    if unit == usize::MAX { 2 } else { unit }
}

/// The byte offset just past the last line of the node at `pointer` and everything inside it.
fn subtree_end(text: &str, doc: &Document, pointer: &str) -> usize {
    let prefix = format!("{pointer}/");
    let mut end = 0;
    for (p, node) in doc.positions.iter() {
        if p != pointer && !p.starts_with(&prefix) {
            continue;
        }
        let e = match node.bytes {
            Some((_, e)) => e,
            None => offset_of(text, node.value),
        };
        end = end.max(e);
    }
    // A block scalar's span ends after its last newline; any other ends within its line.
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return end;
    }
    text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
}

/// Inserts whole lines at `at` (the start of a line, or the end of the text).
fn insert_lines(text: &str, at: usize, block: &str) -> String {
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(block);
    out.push_str(&text[at..]);
    out
}

/// Writes `path` = `value` as new block lines at `indent`.
fn render_block(path: &[Segment], value: &Value, indent: usize, unit: usize) -> String {
    let pad = " ".repeat(indent);
    match &path[0] {
        Segment::Key(k) => {
            let key = render_scalar(&Value::String(k.clone()), Style::Plain, false);
            if path.len() == 1 {
                format!(
                    "{pad}{key}: {}\n",
                    render_scalar(value, Style::Plain, false)
                )
            } else {
                format!(
                    "{pad}{key}:\n{}",
                    render_block(&path[1..], value, indent + unit, unit)
                )
            }
        }
        Segment::Index(_) => {
            if path.len() == 1 {
                return format!("{pad}- {}\n", render_scalar(value, Style::Plain, false));
            }
            // `- key: …`: the item's content is indented two past the dash.
            let inner = render_block(&path[1..], value, indent + 2, unit);
            format!("{pad}- {}", &inner[indent + 2..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_keeps_byte_order_mark_and_crlf() {
        let bytes = b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n";
        let layout = Layout::of(bytes);
        assert_eq!(
            layout,
            Layout {
                bom: true,
                crlf: true
            }
        );
        let text = crate::yaml::decode(bytes).unwrap();
        let lf = layout.to_lf(text);
        assert_eq!(lf, "a: 1\nb: 2\n");
        assert_eq!(
            layout.restore("a: 1\nb: 3\nc: 4\n"),
            b"\xEF\xBB\xBFa: 1\r\nb: 3\r\nc: 4\r\n"
        );
        // Mixed line ends are left as they are.
        assert!(!Layout::of(b"a: 1\r\nb: 2\n").crlf);
    }
    use crate::values::set::{SetKind, parse_assignments};

    fn set(text: &str, arg: &str) -> Result<String, EditError> {
        let changes: Vec<Change> = parse_assignments(arg, SetKind::Set)
            .unwrap()
            .into_iter()
            .map(|(path, value)| Change { path, value })
            .collect();
        apply(text, &changes)
    }

    #[test]
    fn replaces_only_the_scalar_and_keeps_comments_and_quotes() {
        let text = "# top\nimage:\n  repository: nginx # the image\n  tag: \"1.28\"   # pinned\n\nreplicaCount: 2\n";
        let out = set(text, "image.tag=1.29").unwrap();
        assert_eq!(out, text.replace("\"1.28\"", "\"1.29\""));
        let out = set(text, "replicaCount=3").unwrap();
        assert_eq!(out, text.replace("Count: 2", "Count: 3"));
        let out = set("a: 'x'\n", "a=it's").unwrap();
        assert_eq!(out, "a: 'it''s'\n");
    }

    #[test]
    fn a_comment_that_speaks_of_the_old_value_is_refreshed_or_removed() {
        let changes = |arg: &str| -> Vec<Change> {
            parse_assignments(arg, SetKind::Set)
                .unwrap()
                .into_iter()
                .map(|(path, value)| Change { path, value })
                .collect()
        };
        let text = "rollout:\n  strategy:\n    blueGreen:\n      autoPromotionEnabled: false   # every update waits for `kubectl argo rollouts promote`\nx: 1\n";
        let (out, notes) = apply_noting(
            text,
            &changes("rollout.strategy.blueGreen.autoPromotionEnabled=true"),
        )
        .unwrap();
        assert_eq!(
            out,
            "rollout:\n  strategy:\n    blueGreen:\n      autoPromotionEnabled: true   # promote by itself once the new pods are ready and any pre-promotion analysis succeeded\nx: 1\n"
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].line, 4);
        // Another boolean that flips loses its comment; so does a comment naming the old value.
        let (out, notes) = apply_noting("flag: true # enabled\n", &changes("flag=false")).unwrap();
        assert_eq!(out, "flag: false\n");
        assert_eq!(notes[0].new, None);
        let (out, _) =
            apply_noting("tag: \"1.28\" # 1.28 has the fix\n", &changes("tag=1.29")).unwrap();
        assert_eq!(out, "tag: \"1.29\"\n");
        // The comment line above the key, when it names the old value.
        let text = "bg:\n  # true: promote as soon as the analysis has succeeded.\n  autoPromotionEnabled: true\n";
        let (out, notes) = apply_noting(text, &changes("bg.autoPromotionEnabled=false")).unwrap();
        assert_eq!(out, "bg:\n  autoPromotionEnabled: false\n");
        assert_eq!(notes[0].line, 2);
        let text = "rollout:\n  strategy:\n    blueGreen:\n      # true: promote as soon as the analysis has succeeded.\n      autoPromotionEnabled: true\n";
        let (out, _) = apply_noting(
            text,
            &changes("rollout.strategy.blueGreen.autoPromotionEnabled=false"),
        )
        .unwrap();
        assert_eq!(
            out,
            "rollout:\n  strategy:\n    blueGreen:\n      # every update waits for `kubectl argo rollouts promote`\n      autoPromotionEnabled: false\n"
        );
        let (out, notes) = apply_noting(
            "# Whether to promote by itself.\nauto: true\n",
            &changes("auto=false"),
        )
        .unwrap();
        assert!(notes.is_empty(), "{out}");
        // Comments that do not speak of the old value stay.
        for (text, arg) in [
            ("tag: \"1.28\" # pinned\n", "tag=1.29"),
            ("tag: \"1.28\" # not 1.28.1\n", "tag=1.29"),
            ("n: 2 # 12 max\n", "n=3"),
            ("flag: true # enabled\n", "flag=true"),
        ] {
            let (out, notes) = apply_noting(text, &changes(arg)).unwrap();
            assert!(notes.is_empty(), "{text}: {out}");
            assert!(out.contains('#'), "{out}");
        }
    }

    #[test]
    fn a_plain_tag_yaml_reads_as_a_number_is_quoted() {
        assert_eq!(set("tag: latest\n", "tag=1.29").unwrap(), "tag: \"1.29\"\n");
        assert_eq!(set("tag: latest\n", "tag=v2").unwrap(), "tag: v2\n");
        assert_eq!(set("tag: latest\n", "tag=true").unwrap(), "tag: true\n");
        assert_eq!(set("t: x\n", "t=a: b").unwrap(), "t: \"a: b\"\n");
    }

    #[test]
    fn missing_keys_are_added_at_the_end_of_their_mapping() {
        let text =
            "image:\n    repository: nginx\n    # a comment\n    tag: x\nservice:\n    port: 80\n";
        let out = set(text, "image.pullPolicy=Always").unwrap();
        assert_eq!(
            out,
            "image:\n    repository: nginx\n    # a comment\n    tag: x\n    pullPolicy: Always\nservice:\n    port: 80\n"
        );
        let out = set(text, "rollout.strategy.blueGreen.autoPromotionEnabled=true").unwrap();
        assert!(
            out.ends_with("rollout:\n    strategy:\n        blueGreen:\n            autoPromotionEnabled: true\n"),
            "{out}"
        );
    }

    #[test]
    fn empty_parents_and_lists() {
        assert_eq!(
            set("labels: {}\n", "labels.team=a").unwrap(),
            "labels:\n  team: a\n"
        );
        assert_eq!(
            set("labels: # none\n", "labels.team=a").unwrap(),
            "labels: # none\n  team: a\n"
        );
        let text = "ports:\n  - name: http\n    containerPort: 80\nx: 1\n";
        let out = set(text, "ports[0].containerPort=8080").unwrap();
        assert_eq!(out, text.replace("80\n", "8080\n"));
        let out = set(text, "ports[1].name=metrics").unwrap();
        assert_eq!(
            out,
            "ports:\n  - name: http\n    containerPort: 80\n  - name: metrics\nx: 1\n"
        );
        let out = set("a: 1\n", "b[0].c=x").unwrap();
        assert_eq!(out, "a: 1\nb:\n  - c: x\n");
        assert!(set(text, "ports[5].name=x").is_err());
        assert!(set("a: {b: 1}\n", "a.c=2").is_err());
        assert!(set("a: 1\n", "a.b=2").is_err());
    }

    #[test]
    fn block_scalars_end_the_mapping_correctly() {
        let text = "q:\n  query: |\n    sum(x)\n    /y\n\nz: 1\n";
        let out = set(text, "q.address=http://p").unwrap();
        assert_eq!(
            out,
            "q:\n  query: |\n    sum(x)\n    /y\n\n  address: http://p\nz: 1\n"
        );
    }

    #[test]
    fn empty_value_and_flow_items() {
        assert_eq!(set("a:\nb: 1\n", "a=x").unwrap(), "a: x\nb: 1\n");
        assert_eq!(set("c: [x, \"y\"]\n", "c[1]=a").unwrap(), "c: [x, \"a\"]\n");
        assert_eq!(
            set("c: [x, y]\n", "c[0]=a\\,b").unwrap(),
            "c: [\"a,b\", y]\n"
        );
    }
}

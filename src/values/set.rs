//! Helm-compatible parsing of `--set`, `--set-string` and `--set-json` arguments.
//!
//! A reimplementation of Helm's `strvals` parser as `strvals.ParseInto` applies it: key paths
//! (`a.b[0].c`), backslash escapes, `{x,y}` lists, Helm's typing of `--set` values, one JSON
//! value per key for `--set-json`, and Helm's limits (30 nested names, index 65536).
//!
//! Deliberate differences from Helm:
//!
//! 1. Inputs Helm drops without a word are refused: an empty key name (`=1`, `.a=1`, `a..b=1`),
//!    an unterminated index (`a[0`), and a key path that ends without `=` after an index
//!    (`a[0]`, where Helm leaves an empty list behind).
//! 2. A value of the wrong kind in the way of a path (`a=1` then `a.b=2`, or a `null` from a
//!    values file) is refused with a message where Helm fails with a Go "interface
//!    conversion" error; where Helm replaces it (a list element that is not a map), so does
//!    rollwright.
//! 3. After a `{...}` list or a `--set-json` value only `,` or the end may follow; Helm reads
//!    any other text there as the start of the next key.
//! 4. An assignment that ends the argument with an empty value under a list index
//!    (`a[0].b=`) is refused: Helm drops the list element there (it renders `a: []`). With a
//!    trailing comma (`a[0].b=,`) Helm sets the empty string, and so does rollwright.
//! 5. `--set-json` with neither a `KEY=` nor a JSON object (`[1]`) is refused; Helm ignores it.
//!
//! `--set-json` also takes Helm 4's whole-object form, `--set-json '{"replicaCount":3}'`,
//! deep-merged as a values file is. Its numbers take their JSON form as Helm renders them
//! (`1.0` is 1, `-0` is 0; see [`crate::yaml::json_float`]).
//!
//! Besides, a whole argument is parsed before any of it is applied, so an argument that fails
//! to parse leaves the target untouched, and key paths deeper than 128 names and indices are
//! refused (Helm bounds only the dotted names) so that no later recursion over the values can
//! overflow. The padding of lists is bounded per command, not per path ([`Budget`]): one
//! `--set` argument of a few kilobytes cannot ask for gigabytes.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::yaml::child_pointer;

/// Helm's `MaxNestedNameLevel`: how many `.` may follow a name in one key path.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Helm's `MaxIndex`.
const MAX_INDEX: i64 = 65536;
/// The most list elements one path may create (one maximal index, and some), and the most all
/// the flags of one command may create together.
const MAX_PADDING: usize = 2 * 65_537;
/// Names and indices in one key path, all together.
const MAX_PATH_DEPTH: usize = 128;
/// Longest piece of user input quoted back in an error message, in characters.
const QUOTE_LIMIT: usize = 40;

/// Which flag an argument came from; it decides how values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    Set,
    SetString,
    SetJson,
}

impl SetKind {
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Set => "--set",
            SetKind::SetString => "--set-string",
            SetKind::SetJson => "--set-json",
        }
    }
}

/// Why an argument was refused. The message does not name the flag; the caller adds it,
/// and a generic help when this one has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError {
    pub message: String,
    pub help: Option<String>,
}

impl SetError {
    fn new(message: impl Into<String>) -> Self {
        SetError {
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SetError {}

/// What the flags of one command may cost together: the list elements their indices pad
/// lists with. Helm bounds each index (65,536) but neither their sum within a path nor over
/// many paths, so a few kilobytes of `a1[65536]=1,a2[65536]=1,…` would ask for gigabytes.
#[derive(Debug, Clone)]
pub struct Budget {
    padding_left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            padding_left: MAX_PADDING,
        }
    }
}

impl Budget {
    /// Takes `n` padded elements, or says why not.
    fn pad(&mut self, n: usize) -> Result<(), SetError> {
        if n > self.padding_left {
            return Err(SetError::new(format!(
                "together, the flags of this command pad lists with more than {MAX_PADDING} elements (an index n makes a list of n+1)"
            ))
            .help("use small list indices, and write long lists in a values file (-f)"));
        }
        self.padding_left -= n;
        Ok(())
    }
}

/// One flag argument, parsed and not yet applied.
#[derive(Debug)]
pub struct Flag {
    form: Form,
}

#[derive(Debug)]
enum Form {
    Assignments(Vec<Assignment>),
    /// `--set-json '{...}'`, deep-merged into the values.
    Object(Map<String, Value>, String),
}

/// What an applied argument set: the JSON pointer of every value it wrote (their ancestors
/// included), each with the text a number was written as, where that is known.
#[derive(Debug, Default)]
pub struct Written {
    pub pointers: HashMap<String, Option<String>>,
}

/// Parses one flag argument (e.g. "a.b[0].c=x,d={1,2}").
pub fn parse(input: &str, kind: SetKind) -> Result<Flag, SetError> {
    if kind == SetKind::SetJson && input.trim_start().starts_with('{') {
        return json_object(input).map(|map| Flag {
            form: Form::Object(map, input.trim().to_owned()),
        });
    }
    if kind == SetKind::SetJson && input.trim_start().starts_with('[') {
        return Err(SetError::new(
            "a --set-json argument is KEY=JSON or a JSON object, and this is neither",
        )
        .help("write KEY=JSON (--set-json 'ports=[{\"containerPort\":8080}]') or a whole object (--set-json '{\"replicaCount\":3}')"));
    }
    let assignments = Parser {
        src: input,
        pos: 0,
        kind,
    }
    .parse_all()?;
    Ok(Flag {
        form: Form::Assignments(assignments),
    })
}

impl Flag {
    /// Applies the argument into `target`, as Helm's ParseInto (or, for a JSON object, its
    /// values-file merge) does. It fails, leaving `target` as it was, where Helm fails (a value
    /// of the wrong kind in the way) or when the command's `budget` runs out.
    pub fn apply(
        self,
        target: &mut Map<String, Value>,
        budget: &mut Budget,
    ) -> Result<Written, SetError> {
        let mut written = Written::default();
        match self.form {
            Form::Object(map, raw) => {
                let mut texts = HashMap::new();
                json_number_texts(&raw, "", &mut texts);
                for (k, v) in &map {
                    written.record(&child_pointer("", k), v, &mut texts);
                }
                super::merge::merge_maps(target, map);
            }
            Form::Assignments(assignments) => {
                // Applied to copies of the entries they touch, so that an argument that fails
                // half-way leaves `target` (and the budget) as they were.
                let mut scratch = Map::new();
                for a in &assignments {
                    if !scratch.contains_key(&a.key)
                        && let Some(v) = target.get(&a.key)
                    {
                        scratch.insert(a.key.clone(), v.clone());
                    }
                }
                let mut left = budget.clone();
                for assignment in assignments {
                    let mut pointer = child_pointer("", &assignment.key);
                    written.pointers.insert(pointer.clone(), None);
                    for segment in &assignment.path {
                        pointer = match segment {
                            Segment::Key(k) => child_pointer(&pointer, k),
                            Segment::Index(i) => format!("{pointer}/{i}"),
                        };
                        written.pointers.insert(pointer.clone(), None);
                    }
                    let mut texts = HashMap::new();
                    if let Some(raw) = &assignment.raw {
                        json_number_texts(raw, &pointer, &mut texts);
                    }
                    written.record(&pointer, &assignment.value, &mut texts);
                    assignment.apply(&mut scratch, &mut left)?;
                }
                target.extend(scratch);
                *budget = left;
            }
        }
        Ok(written)
    }
}

impl Written {
    /// Records `value` at `pointer` and everything inside it, with the texts its numbers were
    /// written as.
    fn record(&mut self, pointer: &str, value: &Value, texts: &mut HashMap<String, String>) {
        let mut stack = vec![(pointer.to_owned(), value)];
        while let Some((p, v)) = stack.pop() {
            match v {
                Value::Object(map) => {
                    stack.extend(map.iter().map(|(k, v)| (child_pointer(&p, k), v)));
                }
                Value::Array(items) => {
                    stack.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (format!("{p}/{i}"), v)),
                    );
                }
                _ => {}
            }
            let text = texts.remove(&p);
            self.pointers.insert(p, text);
        }
    }
}

/// Parses one flag argument and applies it into `target`, as Helm's ParseInto does, with a
/// budget of its own.
pub fn parse_into(
    target: &mut Map<String, Value>,
    input: &str,
    kind: SetKind,
) -> Result<(), SetError> {
    parse(input, kind)?
        .apply(target, &mut Budget::default())
        .map(|_| ())
}

/// `--set-json '{...}'`: one JSON object and nothing after it, as Helm 4 reads it.
fn json_object(input: &str) -> Result<Map<String, Value>, SetError> {
    let mut value: Value = serde_json::from_str(input.trim()).map_err(|e| {
        SetError::new(format!("invalid JSON object: {e}"))
            .help("a whole-object --set-json is one JSON object, e.g. --set-json '{\"replicaCount\":3,\"image\":{\"tag\":\"1.29\"}}'")
    })?;
    json_numbers(&mut value);
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(SetError::new("expected a JSON object")),
    }
}

/// Gives every number of a JSON value the form Helm renders it in: a whole float is an
/// integer (`1.0` → 1, `-0` → 0).
fn json_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && let Some(m) = crate::yaml::json_float(f)
            {
                *n = m;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json_numbers),
        Value::Object(map) => map.values_mut().for_each(json_numbers),
        _ => {}
    }
}

/// The text of every number in a JSON text (already known to be valid), by JSON pointer
/// under `base`: what a user wrote, for messages about it (`1.10`, not 1.1).
fn json_number_texts(json: &str, base: &str, out: &mut HashMap<String, String>) {
    let bytes = json.as_bytes();
    let mut i = 0;
    json_walk(json, bytes, &mut i, base.to_owned(), out, 0);
}

fn json_walk(
    json: &str,
    b: &[u8],
    i: &mut usize,
    pointer: String,
    out: &mut HashMap<String, String>,
    depth: usize,
) {
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    skip_ws(i);
    if depth > MAX_PATH_DEPTH {
        return;
    }
    match b.get(*i) {
        Some(b'{') => {
            *i += 1;
            loop {
                skip_ws(i);
                if b.get(*i) != Some(&b'"') {
                    *i += 1;
                    return;
                }
                let start = *i;
                skip_string(b, i);
                let key: String = serde_json::from_str(&json[start..*i]).unwrap_or_default();
                skip_ws(i);
                *i += 1; // ':'
                json_walk(json, b, i, child_pointer(&pointer, &key), out, depth + 1);
                skip_ws(i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    _ => {
                        *i += 1;
                        return;
                    }
                }
            }
        }
        Some(b'[') => {
            *i += 1;
            skip_ws(i);
            if b.get(*i) == Some(&b']') {
                *i += 1;
                return;
            }
            let mut index = 0;
            loop {
                json_walk(json, b, i, format!("{pointer}/{index}"), out, depth + 1);
                index += 1;
                skip_ws(i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    _ => {
                        *i += 1;
                        return;
                    }
                }
            }
        }
        Some(b'"') => skip_string(b, i),
        Some(c) if *c == b'-' || c.is_ascii_digit() => {
            let start = *i;
            while b
                .get(*i)
                .is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
            {
                *i += 1;
            }
            out.insert(pointer, json[start..*i].to_owned());
        }
        Some(_) => {
            while b.get(*i).is_some_and(u8::is_ascii_alphabetic) {
                *i += 1;
            }
        }
        None => {}
    }
}

/// Moves past a JSON string starting at `*i` (its opening quote).
fn skip_string(b: &[u8], i: &mut usize) {
    *i += 1;
    while let Some(&c) = b.get(*i) {
        *i += 1;
        match c {
            b'\\' => *i += 1,
            b'"' => return,
            _ => {}
        }
    }
}

/// Parses one flag argument into its assignments without applying them: each is the full key
/// path (the first name included) and the value, typed as `kind` types it. `rollwright set`
/// uses it to edit a file where `--set` would edit a tree.
pub fn parse_assignments(
    input: &str,
    kind: SetKind,
) -> Result<Vec<(Vec<Segment>, Value)>, SetError> {
    let Form::Assignments(assignments) = parse(input, kind)?.form else {
        return Err(SetError::new(
            "a whole JSON object cannot be set into a file; write KEY=JSON",
        ));
    };
    Ok(assignments
        .into_iter()
        .map(|a| {
            let mut path = vec![Segment::Key(a.key)];
            path.extend(a.path);
            (path, a.value)
        })
        .collect())
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// `key` `path...` `=` `value`, parsed but not yet applied.
#[derive(Debug)]
struct Assignment {
    key: String,
    path: Vec<Segment>,
    value: Value,
    /// The JSON text of a `--set-json` value.
    raw: Option<String>,
    /// A `--set` value that is empty and ends the argument (no `,` after it).
    empty_at_end: bool,
}

impl Assignment {
    // Walks with one mutable slot instead of recursing, so path depth never touches the stack.
    // Helm's parser asserts the type of a value it finds under a map key (a map or a list, as
    // the path needs) and fails on anything else, `null` included; a list element of the wrong
    // kind it replaces, except a non-null one where a nested list is needed.
    fn apply(self, target: &mut Map<String, Value>, budget: &mut Budget) -> Result<(), SetError> {
        let mut pointer = child_pointer("", &self.key);
        let mut existed = target.contains_key(&self.key);
        let mut under_key = true;
        let mut slot = target.entry(self.key).or_insert(Value::Null);
        for segment in self.path {
            match segment {
                Segment::Key(key) => {
                    if !slot.is_object() && under_key && existed {
                        return Err(in_the_way(&pointer, slot, "set a key inside it"));
                    }
                    let next = child_pointer(&pointer, &key);
                    (slot, existed) = map_slot(slot, key);
                    pointer = next;
                    under_key = true;
                }
                Segment::Index(index) => {
                    if !slot.is_array() && existed && (under_key || !slot.is_null()) {
                        return Err(in_the_way(&pointer, slot, "set a list element inside it"));
                    }
                    (slot, existed) = list_slot(slot, index, budget)?;
                    pointer = format!("{pointer}/{index}");
                    under_key = false;
                }
            }
        }
        *slot = self.value;
        Ok(())
    }

    /// Helm drops the element of the first list on the way when the argument ends with an
    /// empty value under an index (`a[0].b=`): its parser meets the end of input while
    /// setting the key, and the list it was filling is left as it was.
    fn dropped_by_helm(&self) -> bool {
        self.empty_at_end
            && matches!(self.path.last(), Some(Segment::Key(_)))
            && self.path.iter().any(|s| matches!(s, Segment::Index(_)))
    }
}

/// A value of the wrong kind where a path goes on, which Helm fails on.
fn in_the_way(pointer: &str, found: &Value, what: &str) -> SetError {
    let path = crate::yaml::dotted_path(pointer);
    let kind = match found {
        Value::Null => "null".to_owned(),
        other => crate::schema::describe::json_kind(other),
    };
    SetError::new(format!(
        "`{path}` is {kind} here (from a values file or an earlier assignment), and Helm fails when a flag tries to {what}"
    ))
    .help(format!(
        "set `{path}` whole instead (--set-json '{path}=…'), or remove the earlier value"
    ))
}

/// The entry `key` of the map in `slot`, which becomes a map first if it is anything else;
/// and whether the entry was there before.
fn map_slot(slot: &mut Value, key: String) -> (&mut Value, bool) {
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => {
            let existed = map.contains_key(&key);
            (map.entry(key).or_insert(Value::Null), existed)
        }
        // Not reached (made a map above); handing the slot back keeps this panic-free.
        other => (other, false),
    }
}

/// Element `index` of the list in `slot`, which becomes a list first if it is anything else;
/// a short list is padded with nulls, as Helm's setIndex does, out of the command's budget.
fn list_slot<'v>(
    slot: &'v mut Value,
    index: usize,
    budget: &mut Budget,
) -> Result<(&'v mut Value, bool), SetError> {
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    Ok(match slot {
        Value::Array(list) => {
            let existed = index < list.len();
            if !existed {
                budget.pad(index + 1 - list.len())?;
                list.resize(index + 1, Value::Null);
            }
            // In bounds: the list was just grown past `index`.
            (&mut list[index], existed)
        }
        other => (other, false),
    })
}

struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next unread character; always on a char boundary.
    pos: usize,
    kind: SetKind,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads up to the first unescaped `stops` character, consuming it; `None` means the input
    /// ended first. A backslash takes the next character literally.
    fn read_until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut text = String::new();
        while let Some(c) = self.bump() {
            if stops.contains(&c) {
                return (text, Some(c));
            }
            if c == '\\' {
                match self.bump() {
                    Some(next) => text.push(next),
                    // Helm drops a trailing backslash.
                    None => break,
                }
            } else {
                text.push(c);
            }
        }
        (text, None)
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// The raw text from `start` to just before the stop character last read.
    fn raw_since(&self, start: usize, stop: Option<char>) -> &'a str {
        let end = self.pos.saturating_sub(stop.map_or(0, char::len_utf8));
        self.src.get(start..end).unwrap_or("")
    }

    fn parse_all(mut self) -> Result<Vec<Assignment>, SetError> {
        let mut assignments = Vec::new();
        // Each assignment consumes its trailing `,`, so a trailing comma simply ends the input.
        let mut last_start = 0;
        while self.pos < self.src.len() {
            last_start = self.pos;
            assignments.push(self.assignment()?);
        }
        if let Some(last) = assignments.last()
            && last.dropped_by_helm()
        {
            let shown = clip(self.src.get(last_start..).unwrap_or(""));
            return Err(SetError::new(format!(
                "`{shown}` ends the argument with an empty value under a list index, and Helm drops that list element (it renders an empty list)"
            ))
            .help(format!(
                "to set an empty string, end the argument with a comma (`{shown},`); to leave the element out, drop the assignment"
            )));
        }
        Ok(assignments)
    }

    fn assignment(&mut self) -> Result<Assignment, SetError> {
        let start = self.pos;
        let (key, mut stop) = self.name(start)?;
        let mut path = Vec::new();
        let mut name_level = 0;
        loop {
            match stop {
                Some('=') => break,
                Some('.') => {
                    name_level += 1;
                    if name_level > MAX_NESTED_NAME_LEVEL {
                        return Err(SetError::new(format!(
                            "the key nests more than {MAX_NESTED_NAME_LEVEL} dotted names, which Helm refuses"
                        ))
                        .help("set the deep part with --set-json KEY=JSON or in a values file (-f)"));
                    }
                    let (name, next) = self.name(start)?;
                    push(&mut path, Segment::Key(name))?;
                    stop = next;
                }
                Some('[') => {
                    let index = self.index()?;
                    push(&mut path, Segment::Index(index))?;
                    let (extra, next) = self.read_until(&['[', '.', '=']);
                    if !extra.is_empty() {
                        return Err(SetError::new(format!(
                            "unexpected text after a list index: {:?}",
                            clip(&extra)
                        ))
                        .help("after `[n]` comes `.key`, another `[n]` or `=`: e.g. ports[0].name=http"));
                    }
                    stop = next;
                    if next == Some('.') {
                        // Helm does not count a `.` after `]` as a nesting level.
                        let (name, next) = self.name(start)?;
                        push(&mut path, Segment::Key(name))?;
                        stop = next;
                    }
                }
                Some(',') => {
                    return Err(SetError::new(format!(
                        "key {:?} has no value (cannot end with ,)",
                        clip(self.raw_since(start, stop))
                    )));
                }
                _ => {
                    return Err(SetError::new(format!(
                        "key {:?} has no value",
                        clip(self.raw_since(start, stop))
                    )));
                }
            }
        }
        // Helm bounds each index, not their product: `a[65536][65536]…` would pad list after
        // list with nulls. Bounding the padding of one path keeps that from costing gigabytes.
        let padding: usize = path
            .iter()
            .map(|s| match s {
                Segment::Index(i) => i + 1,
                Segment::Key(_) => 0,
            })
            .sum();
        if padding > MAX_PADDING {
            return Err(SetError::new(format!(
                "the list indices of this path add up to {padding} elements; at most {MAX_PADDING} are allowed"
            ))
            .help("use small list indices, and write long lists in a values file (-f)"));
        }
        let (value, raw, empty_at_end) = match self.kind {
            SetKind::SetJson => {
                let (value, raw) = self.json_value()?;
                (value, raw, false)
            }
            SetKind::Set | SetKind::SetString => {
                let (value, empty_at_end) = self.text_value()?;
                (value, None, empty_at_end)
            }
        };
        Ok(Assignment {
            key,
            path,
            value,
            raw,
            empty_at_end,
        })
    }

    /// One key name, which must not be empty (Helm silently ignores empty ones).
    fn name(&mut self, start: usize) -> Result<(String, Option<char>), SetError> {
        let name_start = self.pos;
        let (name, stop) = self.read_until(&['=', '[', ',', '.']);
        if !name.is_empty() {
            return Ok((name, stop));
        }
        let message = if name_start == start {
            format!(
                "empty key name at the start of {:?}",
                clip(self.src.get(start..).unwrap_or(""))
            )
        } else {
            format!(
                "empty key name after {:?}",
                clip(self.src.get(start..name_start).unwrap_or(""))
            )
        };
        Err(SetError::new(message))
    }

    /// The digits of `[n]`, the `[` already read.
    fn index(&mut self) -> Result<usize, SetError> {
        let (text, stop) = self.read_until(&[']']);
        let help = || {
            format!("a list index is a whole number from 0 to {MAX_INDEX}, e.g. ports[0].name=http")
        };
        if stop.is_none() {
            return Err(SetError::new(format!(
                "unterminated list index {:?}: missing \"]\"",
                clip(&format!("[{text}"))
            ))
            .help(help()));
        }
        // Go's strconv.Atoi and Rust's i64 parsing accept the same text: an optional sign, digits.
        let index: i64 = text.parse().map_err(|e: std::num::ParseIntError| {
            let message = match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    format!("the list index {:?} is too large", clip(&text))
                }
                _ => format!("the list index {:?} is not a number", clip(&text)),
            };
            SetError::new(message).help(help())
        })?;
        if index > MAX_INDEX {
            return Err(SetError::new(format!(
                "the list index {index} is larger than {MAX_INDEX}, the largest Helm takes"
            ))
            .help(help()));
        }
        usize::try_from(index)
            .map_err(|_| SetError::new(format!("the list index {index} is negative")).help(help()))
    }

    /// A `--set`/`--set-string` value: a `{...}` list or text up to the next `,`; and whether
    /// it is empty text that ends the argument.
    fn text_value(&mut self) -> Result<(Value, bool), SetError> {
        // Only a literal `{` opens a list; `\{` is text.
        if self.peek() != Some('{') {
            let (text, stop) = self.read_until(&[',']);
            let empty_at_end = text.is_empty() && stop.is_none();
            return Ok((self.typed(text), empty_at_end));
        }
        self.bump();
        let mut items = Vec::new();
        loop {
            let (text, stop) = self.read_until(&[',', '}']);
            match stop {
                Some(',') => items.push(self.typed(text)),
                // `{}` gives one empty item, [""], exactly as in Helm.
                Some(_) => {
                    items.push(self.typed(text));
                    break;
                }
                None => return Err(SetError::new("list must terminate with '}'")),
            }
        }
        self.end_of_value("list")?;
        Ok((Value::Array(items), false))
    }

    /// A `--set-json` value: one JSON value, with its numbers as Helm renders them, and its
    /// text; nothing (or blanks) before `,` or the end is null.
    fn json_value(&mut self) -> Result<(Value, Option<String>), SetError> {
        self.skip_spaces();
        match self.peek() {
            None => return Ok((Value::Null, None)),
            Some(',') => {
                self.bump();
                return Ok((Value::Null, None));
            }
            Some(_) => {}
        }
        let mut stream = serde_json::Deserializer::from_str(self.rest()).into_iter::<Value>();
        let mut value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(e)) => {
                return Err(SetError::new(format!("invalid JSON value: {e}")).help(
                    "a --set-json value is JSON: a string needs quotes (--set-json 'image.tag=\"1.29\"')",
                ));
            }
            None => return Ok((Value::Null, None)),
        };
        let raw = self.rest()[..stream.byte_offset()].to_owned();
        self.pos += stream.byte_offset();
        json_numbers(&mut value);
        self.skip_spaces();
        self.end_of_value("JSON value")?;
        Ok((value, Some(raw)))
    }

    /// After a list or JSON value: consumes the `,` that must follow, unless the input ended.
    fn end_of_value(&mut self, what: &str) -> Result<(), SetError> {
        match self.peek() {
            None => Ok(()),
            Some(',') => {
                self.bump();
                Ok(())
            }
            Some(_) => Err(SetError::new(format!(
                "unexpected data after {what}: {:?} (separate assignments with \",\")",
                clip(self.rest())
            ))),
        }
    }

    /// Helm's typedVal for `--set`; `--set-string` keeps every value a string.
    fn typed(&self, text: String) -> Value {
        if self.kind == SetKind::SetString {
            return Value::String(text);
        }
        if fold_eq(&text, "true") {
            return Value::Bool(true);
        }
        if fold_eq(&text, "false") {
            return Value::Bool(false);
        }
        if fold_eq(&text, "null") {
            return Value::Null;
        }
        if text == "0" {
            return Value::from(0);
        }
        // Leading zeros keep a value a string (`010`, `007`), as in Helm.
        if !text.starts_with('0')
            && let Ok(n) = text.parse::<i64>()
        {
            return Value::from(n);
        }
        Value::String(text)
    }
}

fn push(path: &mut Vec<Segment>, segment: Segment) -> Result<(), SetError> {
    // `path` holds every step after the first name.
    if path.len() + 1 >= MAX_PATH_DEPTH {
        return Err(SetError::new(format!(
            "key nests more than {MAX_PATH_DEPTH} levels of names and list indices"
        )));
    }
    path.push(segment);
    Ok(())
}

/// Go's strings.EqualFold against a lowercase ASCII word. Beyond ASCII case, Unicode folding
/// makes `ſ` (U+017F) equal `s`, so Helm reads `falſe` as false; no other letter of
/// true/false/null has such a relative.
fn fold_eq(text: &str, word: &str) -> bool {
    let mut chars = text.chars();
    for w in word.chars() {
        match chars.next() {
            Some(c) if c.to_ascii_lowercase() == w || (w == 's' && c == '\u{17F}') => {}
            _ => return false,
        }
    }
    chars.next().is_none()
}

/// User input quoted in a message, cut short.
fn clip(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(QUOTE_LIMIT).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;

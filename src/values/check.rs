//! Checking layered values against the values schema, with messages that point at the file
//! and line the bad value came from and say how to fix it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

use super::model::{self, Values};
use super::provenance::{Origin, Provenance};
use super::set::SetKind;
use crate::error::{Diagnostic, Error, Location};
use crate::schema::SchemaErrorKind;
use crate::schema::describe::{self, Wording};
use crate::schema::json;
use crate::yaml::{child_pointer, dotted_path, escape_segment};

/// The schema used for checking: the published one (embedded; a test keeps it equal to the
/// types) without its `null` alternatives, since nulls are gone once layering is done, and a
/// plain schema gives precise errors where an `anyOf [X, null]` would only say "matches
/// nothing".
static CHECK_SCHEMA: LazyLock<Value> = LazyLock::new(|| {
    let mut schema: Value = serde_json::from_str(model::PUBLISHED_SCHEMA)
        .unwrap_or_else(|e| unreachable!("the committed values schema is JSON: {e}"));
    json::strip_null_alternatives(&mut schema);
    schema
});

/// A schema and the validator compiled from it (messages look keys up in the schema).
struct Checker {
    schema: Value,
    validator: jsonschema::Validator,
}

impl Checker {
    fn new(mut schema: Value) -> Self {
        json::prepare(&mut schema);
        let validator = json::compile(&schema)
            .unwrap_or_else(|e| unreachable!("the generated values schema compiles: {e}"));
        Checker { schema, validator }
    }
}

/// The schema exactly as published (and as the exported chart ships it to Helm), nulls and
/// all: compiled only when a null survives layering, to judge it as Helm does.
static PUBLISHED: LazyLock<Checker> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(model::PUBLISHED_SCHEMA)
        .unwrap_or_else(|e| unreachable!("the committed values schema is JSON: {e}"));
    Checker::new(schema)
});

/// Nulls that layering kept (a null in the user values with nothing under it to delete,
/// or inside a list) where the schema refuses null: Helm validates the layered values with
/// their nulls and refuses these, so rollwright does not quietly drop them.
pub fn kept_nulls(tree: &Value, provenance: &Provenance) -> Vec<Diagnostic> {
    fn nulls(v: &Value, pointer: String, out: &mut Vec<String>) {
        match v {
            Value::Null => out.push(pointer),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    nulls(item, format!("{pointer}/{i}"), out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    nulls(item, child_pointer(&pointer, k), out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    nulls(tree, String::new(), &mut found);
    if found.is_empty() || PUBLISHED.validator.is_valid(tree) {
        return Vec::new();
    }
    // Only when the nulls are what the schema refuses: other problems are reported, with
    // their own words, once the nulls are gone.
    let mut dropped = tree.clone();
    super::merge::drop_nulls(&mut dropped);
    if !PUBLISHED.validator.is_valid(&dropped) {
        return Vec::new();
    }
    let failing: Vec<String> = PUBLISHED
        .validator
        .iter_errors(tree)
        .map(|e| e.instance_path().as_str().to_owned())
        .collect();
    found
        .into_iter()
        .filter(|p| {
            failing
                .iter()
                .any(|f| p == f || p.starts_with(&format!("{f}/")))
        })
        .map(|pointer| {
            let location = provenance.nearest(&pointer, false).map(|o| o.location);
            Diagnostic::new(
                location,
                format!(
                    "`{}` is null with no value under it to remove, so Helm keeps the null, and the values schema refuses null here",
                    dotted_path(&pointer)
                ),
            )
            .with_help("remove the key, or give it a value")
        })
        .collect()
}

/// The whole values schema compiles in milliseconds and is needed only to explain a value the
/// typed model refused; the Kubernetes fields are checked on every run, each against its own
/// type's schema, compiled when a value for it is present.
static TOP: LazyLock<Checker> = LazyLock::new(|| Checker::new(CHECK_SCHEMA.clone()));

/// A compiled field checker, and whether the field is a list of the type.
type FieldChecker = Arc<(Checker, bool)>;

static KUBERNETES: LazyLock<Mutex<HashMap<String, FieldChecker>>> = LazyLock::new(Default::default);

/// The checker for a top-level Kubernetes field, and whether the field is a list.
fn kubernetes_checker(key: &str) -> Option<FieldChecker> {
    let mut cache = KUBERNETES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(found) = cache.get(key) {
        return Some(found.clone());
    }
    let (mut schema, list) = model::kubernetes_field(key)?;
    json::strip_null_alternatives(&mut schema);
    let entry = Arc::new((Checker::new(schema), list));
    cache.insert(key.to_owned(), entry.clone());
    Some(entry)
}

/// Checks a layered tree and types it. The typed model refuses exactly what the top of the
/// schema refuses, so on the common path only the Kubernetes fields present are checked
/// against their schemas; the whole schema is compiled only to explain a failure.
pub fn check_and_type(tree: &Value, provenance: &Provenance) -> Result<Values, Error> {
    match typed(tree, provenance) {
        Ok(values) => {
            let mut problems = check(tree, provenance, false);
            problems.extend(tag_as_written(tree, provenance));
            if problems.is_empty() {
                Ok(values)
            } else {
                Err(Error::many(problems))
            }
        }
        Err(typing) => {
            let problems = check(tree, provenance, true);
            Err(if problems.is_empty() {
                typing
            } else {
                Error::many(cap(problems))
            })
        }
    }
}

/// The most problems reported one by one; a file of thousands of wrong keys is a wrong file.
const MAX_REPORTED: usize = 50;

fn cap(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if problems.len() > MAX_REPORTED {
        let more = problems.len() - MAX_REPORTED;
        problems.truncate(MAX_REPORTED);
        problems.push(
            Diagnostic::new(None, format!("… and {more} more problems in the values"))
                .with_help("fix the problems above and run again to see the rest"),
        );
    }
    problems
}

/// Every problem with `tree`, in source order; `whole` includes the top of the schema, not
/// only the Kubernetes fields.
pub fn check(tree: &Value, provenance: &Provenance, whole: bool) -> Vec<Diagnostic> {
    let mut out: Vec<(String, Diagnostic)> = Vec::new();
    let mut report = |checker: &Checker, pointer: String, err: &jsonschema::ValidationError<'_>| {
        for d in diagnose(&checker.schema, &pointer, err, provenance) {
            out.push((pointer.clone(), d));
        }
    };
    if whole {
        for err in TOP.validator.iter_errors(tree) {
            report(&TOP, err.instance_path().as_str().to_owned(), &err);
        }
    }
    for (key, value) in tree.as_object().into_iter().flatten() {
        let Some(compiled) = kubernetes_checker(key) else {
            continue;
        };
        let (checker, list) = &*compiled;
        let items: Vec<(String, &Value)> = match (list, value) {
            (true, Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/{}/{i}", escape_segment(key)), v))
                .collect(),
            (false, v) => vec![(format!("/{}", escape_segment(key)), v)],
            _ => continue,
        };
        for (base, item) in items {
            for err in checker.validator.iter_errors(item) {
                let pointer = format!("{base}{}", err.instance_path().as_str());
                report(checker, pointer, &err);
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.1 == b.1);
    let mut diagnostics: Vec<Diagnostic> = out.into_iter().map(|(_, d)| d).collect();
    // Report in the order a reader meets them: by file, then line.
    diagnostics.sort_by_key(|d| match &d.location {
        Some(Location::File { path, pos }) => (0, path.clone(), *pos),
        Some(Location::Flag(f)) => (1, f.clone(), None),
        None => (2, String::new(), None),
    });
    diagnostics
}

/// Turns a tree into the typed model.
fn typed(tree: &Value, provenance: &Provenance) -> Result<Values, Error> {
    let mut values: Values = serde_path_to_error::deserialize(tree).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let location = provenance.nearest(&pointer, false).map(|o| o.location);
        let what = match dotted_path(&pointer) {
            p if p.is_empty() => "values".to_owned(),
            p => format!("`{p}`"),
        };
        Error::one(
            Diagnostic::new(location, format!("{what}: {}", e.inner()))
                .with_help("`rollwright schema` prints the type of every key"),
        )
    })?;
    // An empty preview Service name means "no preview Service", as `{{ if }}` reads it in Helm.
    let bg = &mut values.rollout.strategy.blue_green;
    if bg.preview_service.as_deref() == Some("") {
        bg.preview_service = None;
    }
    Ok(values)
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer = child_pointer(&pointer, key),
            Segment::Enum { variant } => pointer = child_pointer(&pointer, variant),
            Segment::Unknown => {}
        }
    }
    pointer
}

/// Values errors in words, placed at the file and line (or flag) the value came from.
fn diagnose(
    root: &Value,
    pointer: &str,
    err: &jsonschema::ValidationError<'_>,
    provenance: &Provenance,
) -> Vec<Diagnostic> {
    let wording = Wording {
        noun: "key",
        top: "the top level",
    };
    describe::describe(root, pointer, err, &wording)
        .into_iter()
        .map(|e| {
            let unknown = e.kind == SchemaErrorKind::UnknownField;
            let here = provenance.nearest(&e.pointer, unknown);
            let location = here.as_ref().map(|o| o.location.clone());
            let mut help = e.help;
            if unknown && help.is_none() {
                help = Some("`rollwright schema` prints every key allowed".into());
            }
            if e.kind == SchemaErrorKind::Type && e.pointer == pointer {
                let expected = describe::expected_types(err).unwrap_or_default();
                if let Some(h) = quote_help(pointer, &expected, err.instance(), here.as_ref()) {
                    help = Some(h);
                } else if help.is_none() {
                    help = Some(type_help(pointer, &expected, here.as_ref()));
                }
            }
            if help.is_none() {
                help = Some("`rollwright schema` prints every key and the values it takes".into());
            }
            Diagnostic::new(location, e.message).with_help(help.unwrap_or_else(|| {
                "`rollwright schema` prints every key and the values it takes".into()
            }))
        })
        .collect()
}

/// For a value of the wrong type: what the key takes, written the way the value was given.
fn type_help(pointer: &str, expected: &[String], here: Option<&Origin<'_>>) -> String {
    let path = dotted_path(pointer);
    let key = pointer.rsplit('/').next().unwrap_or_default();
    let flag = here.and_then(|o| o.flag).is_some();
    let first = expected.first().map(String::as_str).unwrap_or_default();
    match (first, flag) {
        ("boolean", true) => format!("write true or false: --set {path}=true"),
        ("boolean", false) => format!("write `{key}: true` or `{key}: false`"),
        ("integer" | "number", true) => format!("write a whole number, e.g. --set {path}=3"),
        ("integer" | "number", false) => format!("write a whole number, e.g. `{key}: 3`"),
        ("object", true) => format!(
            "`{path}` holds keys, not a value: set one of them (--set {path}.KEY=VALUE); `rollwright schema` lists them"
        ),
        ("object", false) => format!(
            "`{path}` holds keys, not a value: indent them under `{key}:`; `rollwright schema` lists them"
        ),
        ("array", true) => {
            format!("`{path}` is a list: --set '{path}[0]=…' or --set-json '{path}=[…]'")
        }
        ("array", false) => format!("`{path}` is a list: write its items as `- …` under `{key}:`"),
        _ => "`rollwright schema` prints every key and the values it takes".into(),
    }
}

/// `image.tag` as YAML or JSON read a number, when that reading is not the text as written
/// (`0x1F` is 31, `1e3` is 1000, `1.0` is 1): the image would not be the one written.
fn tag_as_written(tree: &Value, provenance: &Provenance) -> Option<Diagnostic> {
    let pointer = "/image/tag";
    let Some(Value::Number(n)) = tree.pointer(pointer) else {
        return None;
    };
    let origin = provenance.origin(pointer, false)?;
    let written = origin.source_text?.trim();
    let read = n.to_string();
    if written == read {
        return None;
    }
    let help = quote_help(
        pointer,
        &["string".to_owned()],
        &Value::Number(n.clone()),
        Some(&origin),
    );
    Some(
        Diagnostic::new(
            Some(origin.location.clone()),
            format!(
                "`image.tag` is written `{written}`, which is read as the number {read} (Helm would render the image tag `{read}`)"
            ),
        )
        .with_help(help.unwrap_or_else(|| format!("quote it: `tag: \"{written}\"`"))),
    )
}

/// For a number or boolean where a string is allowed: how to quote it, and what YAML made
/// of it when that differs from what was written (`1.10` read as 1.1).
fn quote_help(
    pointer: &str,
    expected: &[String],
    instance: &Value,
    here: Option<&Origin<'_>>,
) -> Option<String> {
    let scalar = matches!(instance, Value::Number(_) | Value::Bool(_));
    if !scalar || !expected.iter().any(|t| t == "string") {
        return None;
    }
    let written = here
        .and_then(|o| o.source_text)
        .map(str::to_owned)
        .unwrap_or_else(|| instance.to_string());
    let path = dotted_path(pointer);
    match here.and_then(|o| o.flag) {
        Some(SetKind::SetJson) => {
            return Some(format!(
                "make it a JSON string: --set-json '{path}=\"{written}\"' (or --set-string {path}={written})"
            ));
        }
        Some(_) => {
            return Some(format!(
                "use --set-string {path}={written} to keep it a string"
            ));
        }
        None => {}
    }
    let key = pointer.rsplit('/').next().unwrap_or_default();
    let mut help = format!("quote it: `{key}: \"{written}\"`");
    let shown = instance.to_string();
    if instance.is_f64() && written != shown {
        help.push_str(&format!(
            "; unquoted, YAML reads `{written}` as the number {instance} (Helm would render `{instance}`)"
        ));
    }
    Some(help)
}

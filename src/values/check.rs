//! Checking layered values against the values schema, with messages that point at the file
//! and line the bad value came from and say how to fix it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::load::{Provenance, json_kind};
use super::model::{self, Values};
use crate::error::{Diagnostic, Error, Location, did_you_mean};
use crate::yaml::{child_pointer, dotted_path, escape_segment};

/// The schema used for checking: the published one (embedded; a test keeps it equal to the
/// types) without its `null` alternatives, since nulls are gone once layering is done, and a
/// plain schema gives precise errors where an `anyOf [X, null]` would only say "matches
/// nothing".
static CHECK_SCHEMA: LazyLock<Value> = LazyLock::new(|| {
    let mut schema: Value = serde_json::from_str(model::PUBLISHED_SCHEMA)
        .unwrap_or_else(|e| unreachable!("the committed values schema is JSON: {e}"));
    strip_null_alternatives(&mut schema);
    schema
});

/// The whole values schema compiles in milliseconds and is needed only to explain a value the
/// typed model refused; the Kubernetes fields are checked on every run, each against its own
/// type's schema, compiled when a value for it is present.
static TOP: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let mut top = CHECK_SCHEMA.clone();
    prune_defs(&mut top);
    compile(&top)
});

/// A compiled field validator, and whether the field is a list of the type.
type FieldValidator = Arc<(jsonschema::Validator, bool)>;

static KUBERNETES: LazyLock<Mutex<HashMap<String, FieldValidator>>> =
    LazyLock::new(Default::default);

/// The validator for a top-level Kubernetes field, and whether the field is a list.
fn kubernetes_validator(key: &str) -> Option<FieldValidator> {
    let mut cache = KUBERNETES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(found) = cache.get(key) {
        return Some(found.clone());
    }
    let (mut schema, list) = model::kubernetes_field(key)?;
    strip_null_alternatives(&mut schema);
    let entry = Arc::new((compile(&schema), list));
    cache.insert(key.to_owned(), entry.clone());
    Some(entry)
}

/// Keeps only the `$defs` that `schema` reaches: compiling indexes every definition given.
fn prune_defs(schema: &mut Value) {
    let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs")) else {
        return;
    };
    let mut keep = serde_json::Map::new();
    let mut pending: Vec<String> = Vec::new();
    collect_refs(schema, &mut pending);
    while let Some(name) = pending.pop() {
        if keep.contains_key(&name) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            collect_refs(def, &mut pending);
            keep.insert(name, def.clone());
        }
    }
    schema["$defs"] = Value::Object(keep);
}

fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn compile(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema)
        .unwrap_or_else(|e| unreachable!("the generated values schema compiles: {e}"))
}

/// Checks a layered tree and types it. The typed model refuses exactly what the top of the
/// schema refuses, so on the common path only the Kubernetes fields present are checked
/// against their schemas; the whole schema is compiled only to explain a failure.
pub fn check_and_type(tree: &Value, provenance: &Provenance) -> Result<Values, Error> {
    match typed(tree, provenance) {
        Ok(values) => {
            let problems = check(tree, provenance, false);
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
                Error::many(problems)
            })
        }
    }
}

/// Every problem with `tree`, in source order; `whole` includes the top of the schema, not
/// only the Kubernetes fields.
pub fn check(tree: &Value, provenance: &Provenance, whole: bool) -> Vec<Diagnostic> {
    let mut out: Vec<(String, Diagnostic)> = Vec::new();
    let mut report = |pointer: String, err: &jsonschema::ValidationError<'_>| {
        for d in describe(&pointer, err, provenance) {
            out.push((pointer.clone(), d));
        }
    };
    if whole {
        for err in TOP.iter_errors(tree) {
            report(err.instance_path().as_str().to_owned(), &err);
        }
    }
    for (key, value) in tree.as_object().into_iter().flatten() {
        let Some(compiled) = kubernetes_validator(key) else {
            continue;
        };
        let (validator, list) = &*compiled;
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
            for err in validator.iter_errors(item) {
                report(format!("{base}{}", err.instance_path().as_str()), &err);
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
        Error::one(Diagnostic::new(location, format!("{what}: {}", e.inner())))
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

fn name_of(pointer: &str) -> String {
    match dotted_path(pointer) {
        p if p.is_empty() => "the top level".to_owned(),
        p => format!("`{p}`"),
    }
}

fn describe(
    pointer: &str,
    err: &jsonschema::ValidationError<'_>,
    provenance: &Provenance,
) -> Vec<Diagnostic> {
    let instance: &Value = err.instance();
    let here = provenance.nearest(pointer, false);
    let location = here.as_ref().map(|o| o.location.clone());
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(pointer);
            unexpected
                .iter()
                .map(|key| {
                    let child = child_pointer(pointer, key);
                    let location = provenance.nearest(&child, true).map(|o| o.location);
                    let message = format!("unknown key `{key}` in {}", name_of(pointer));
                    let help = match did_you_mean(key, allowed.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if allowed.len() <= 16 && !allowed.is_empty() => {
                            format!("the keys allowed here: {}", allowed.join(", "))
                        }
                        None => "`rollwright schema` prints every key allowed".to_owned(),
                    };
                    Diagnostic::new(location, message).with_help(help)
                })
                .collect()
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            vec![wrong_type(pointer, &expected, instance, here)]
        }
        ValidationErrorKind::AnyOf { .. } => {
            let expected = alternatives(pointer).unwrap_or_else(|| "another type".into());
            vec![wrong_type(pointer, &expected, instance, here)]
        }
        ValidationErrorKind::Enum { options } => {
            let names: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                location,
                format!(
                    "{} must be one of {}, found {}",
                    name_of(pointer),
                    names.join(", "),
                    json_kind(instance)
                ),
            );
            if let Some(s) = instance
                .as_str()
                .and_then(|i| did_you_mean(i, names.iter().copied()))
            {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            vec![d]
        }
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            vec![
                Diagnostic::new(
                    location,
                    format!("{} is missing the required key `{key}`", name_of(pointer)),
                )
                .with_help(format!("add `{key}:` here")),
            ]
        }
        _ => vec![Diagnostic::new(
            location,
            format!("{}: {err}", name_of(pointer)),
        )],
    }
}

fn wrong_type(
    pointer: &str,
    expected: &str,
    instance: &Value,
    here: Option<super::load::Origin<'_>>,
) -> Diagnostic {
    let location = here.as_ref().map(|o| o.location.clone());
    let mut d = Diagnostic::new(
        location,
        format!(
            "{} must be {}, found {}",
            name_of(pointer),
            article(expected),
            json_kind(instance)
        ),
    );
    let scalar = matches!(instance, Value::Number(_) | Value::Bool(_));
    if scalar && expected.contains("string") {
        let written = here
            .as_ref()
            .and_then(|o| o.source_text)
            .map(str::to_owned)
            .unwrap_or_else(|| instance.to_string());
        let key = pointer.rsplit('/').next().unwrap_or_default();
        let mut help = format!("quote it: `{key}: \"{written}\"`");
        let shown = instance.to_string();
        if instance.is_f64() && written != shown {
            help.push_str(&format!(
                "; unquoted, YAML reads `{written}` as the number {instance} (Helm would render `{instance}`)"
            ));
        }
        if here.as_ref().is_some_and(|o| !o.from_file) {
            help = format!("use --set-string to keep `{written}` a string");
        }
        d = d.with_help(help);
    }
    d
}

fn article(expected: &str) -> String {
    match expected {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        e => format!("a {e}"),
    }
}

/// The schema describing the value at `pointer`, following `$ref`s.
fn schema_at(pointer: &str) -> Option<&'static Value> {
    let root: &'static Value = &CHECK_SCHEMA;
    let mut node = resolve(root, root);
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let next = node
            .get("properties")
            .and_then(|p| p.get(&seg))
            .or_else(|| node.get("items"))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))?;
        node = resolve(root, next);
    }
    Some(node)
}

fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    // Bounded: the generated schema has no reference cycles at the top of a node.
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => node = target,
                None => break,
            },
            None => break,
        }
    }
    node
}

fn allowed_keys(pointer: &str) -> Vec<String> {
    schema_at(pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// "a string or an integer" for an `anyOf` of simple types.
fn alternatives(pointer: &str) -> Option<String> {
    let root: &'static Value = &CHECK_SCHEMA;
    let kinds: Vec<String> = schema_at(pointer)?
        .get("anyOf")?
        .as_array()?
        .iter()
        .filter_map(|alt| resolve(root, alt).get("type")?.as_str().map(str::to_owned))
        .collect();
    (!kinds.is_empty()).then(|| kinds.join(" or "))
}

fn strip_null_alternatives(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            let alone = match map.get("anyOf") {
                Some(Value::Array(alts)) if alts.len() == 2 => {
                    let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
                    match (is_null(&alts[0]), is_null(&alts[1])) {
                        (false, true) => Some(alts[0].clone()),
                        (true, false) => Some(alts[1].clone()),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let (Some(Value::Object(inner)), true) = (alone, map.contains_key("anyOf")) {
                map.remove("anyOf");
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
            map.values_mut().for_each(strip_null_alternatives);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null_alternatives),
        _ => {}
    }
}

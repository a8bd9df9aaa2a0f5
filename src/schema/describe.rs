//! Validation errors in words: what is wrong, where (a dotted path), and a hint when one helps.
//! Shared by values checking and manifest validation; only the wording differs.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::json;
use super::{SchemaError, SchemaErrorKind};
use crate::error::did_you_mean;
use crate::yaml::{child_pointer, dotted_path};

/// How a caller names things: `key` (values files) or `field` (manifests), and the top level.
#[derive(Debug, Clone, Copy)]
pub struct Wording<'a> {
    pub noun: &'a str,
    pub top: &'a str,
}

pub use crate::manifest::json_type;

/// A value described for a message: `the string "x"`, `the number 1.1`, `a mapping`.
pub fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// `` `spec.replicas` ``, or the wording's name for the top level.
pub fn name_of(pointer: &str, wording: &Wording<'_>) -> String {
    match dotted_path(pointer) {
        p if p.is_empty() => wording.top.to_owned(),
        p => format!("`{p}`"),
    }
}

/// The JSON types an error says the value should have had: the type keyword's, or those of
/// every alternative of an `anyOf` of plain types. `None` for other errors.
pub fn expected_types(err: &ValidationError<'_>) -> Option<Vec<String>> {
    match err.kind() {
        ValidationErrorKind::Type { kind } => Some(match kind {
            TypeKind::Single(t) => vec![t.to_string()],
            TypeKind::Multiple(ts) => ts.iter().map(|t| t.to_string()).collect(),
        }),
        ValidationErrorKind::AnyOf { context } => {
            let here = err.instance_path().as_str();
            let mut out: Vec<String> = Vec::new();
            for branch in context {
                for e in branch {
                    if e.instance_path().as_str() != here {
                        return None;
                    }
                    for t in expected_types(e)? {
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                }
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    }
}

/// "an integer", "a string or integer", "a mapping".
pub fn article(expected: &[String]) -> String {
    let words: Vec<&str> = expected
        .iter()
        .map(|t| match t.as_str() {
            "object" => "mapping",
            "array" => "list",
            t => t,
        })
        .collect();
    let text = words.join(" or ");
    let an = text.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {text}", if an { "an" } else { "a" })
}

/// Describes one validation error found at `pointer` (the error's instance path, placed under
/// whatever the caller validated a part of). `root` is the schema the validator was compiled
/// from; it names the keys allowed where an unknown one was found.
pub fn describe(
    root: &Value,
    pointer: &str,
    err: &ValidationError<'_>,
    wording: &Wording<'_>,
) -> Vec<SchemaError> {
    let name = name_of(pointer, wording);
    let instance: &Value = err.instance();
    let noun = wording.noun;
    let error = |kind, message: String| SchemaError {
        pointer: pointer.to_owned(),
        key: None,
        kind,
        message,
        help: None,
    };
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(root, pointer, err);
            unexpected
                .iter()
                .map(|key| {
                    let close = allowed
                        .as_ref()
                        .and_then(|a| did_you_mean(key, a.iter().map(String::as_str)));
                    let help = match (close, allowed.as_deref()) {
                        (Some(s), _) => Some(format!("did you mean `{s}`?")),
                        (None, Some([])) => Some(format!("no {noun}s are allowed here")),
                        (None, Some(a)) if a.len() <= 16 => {
                            Some(format!("the {noun}s allowed here: {}", a.join(", ")))
                        }
                        _ => None,
                    };
                    SchemaError {
                        pointer: child_pointer(pointer, key),
                        key: Some(key.clone()),
                        kind: SchemaErrorKind::UnknownField,
                        message: format!("unknown {noun} `{key}` in {name}"),
                        help,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Type { .. } => {
            let expected = expected_types(err).unwrap_or_default();
            vec![error(
                SchemaErrorKind::Type,
                format!(
                    "{name} must be {}, found {}",
                    article(&expected),
                    json_kind(instance)
                ),
            )]
        }
        ValidationErrorKind::AnyOf { context } => {
            if let Some(expected) = expected_types(err) {
                return vec![error(
                    SchemaErrorKind::Type,
                    format!(
                        "{name} must be {}, found {}",
                        article(&expected),
                        json_kind(instance)
                    ),
                )];
            }
            // One alternative had the right type and failed inside (a nullable object):
            // its errors are the ones worth reading.
            let here = err.instance_path().as_str();
            let matched: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch
                        .iter()
                        .all(|e| e.instance_path().as_str() == here && expected_types(e).is_some())
                })
                .collect();
            if let [branch] = matched.as_slice() {
                let base = pointer.strip_suffix(here).unwrap_or(pointer);
                return branch
                    .iter()
                    .flat_map(|e| {
                        let p = format!("{base}{}", e.instance_path().as_str());
                        describe(root, &p, e, wording)
                    })
                    .collect();
            }
            vec![error(
                SchemaErrorKind::Other,
                format!("{name} matches none of the forms allowed here"),
            )]
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| match o {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut e = error(
                SchemaErrorKind::Enum,
                format!(
                    "{name} must be one of {}, found {}",
                    options.join(", "),
                    json_kind(instance)
                ),
            );
            e.help = instance
                .as_str()
                .and_then(|i| did_you_mean(i, options.iter().map(String::as_str)))
                .map(|s| format!("did you mean `{s}`?"));
            vec![e]
        }
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default().to_owned();
            vec![SchemaError {
                pointer: pointer.to_owned(),
                message: format!("{name} is missing the required {noun} `{key}`"),
                help: Some(format!("add `{key}:` here")),
                key: Some(key),
                kind: SchemaErrorKind::Required,
            }]
        }
        ValidationErrorKind::Pattern { pattern } if pattern == json::QUANTITY_PATTERN => {
            let mut e = error(
                SchemaErrorKind::Other,
                format!(
                    "{name} must be a quantity such as `500m`, `1.5` or `128Mi`, found {}",
                    json_kind(instance)
                ),
            );
            e.help = Some(
                "suffixes are m, k, M, G, T, P, E (powers of 1000) and Ki, Mi, Gi, Ti, Pi, Ei (of 1024)"
                    .into(),
            );
            vec![e]
        }
        ValidationErrorKind::Pattern { pattern } => vec![error(
            SchemaErrorKind::Other,
            format!(
                "{name} must match the pattern `{pattern}`, found {}",
                json_kind(instance)
            ),
        )],
        _ => vec![error(SchemaErrorKind::Other, format!("{name}: {err}"))],
    }
}

/// The keys the object schema that refused an unknown key lists. The error's schema path is
/// canonical (`/$defs/X/additionalProperties`), so it names that schema even through `$ref`s.
fn allowed_keys(root: &Value, pointer: &str, err: &ValidationError<'_>) -> Option<Vec<String>> {
    let by_path = err
        .schema_path()
        .as_str()
        .strip_suffix("/additionalProperties")
        .and_then(|p| root.pointer(p));
    let schema = by_path.or_else(|| json::schema_at(root, pointer))?;
    Some(json::property_names(json::resolve(root, schema)))
}

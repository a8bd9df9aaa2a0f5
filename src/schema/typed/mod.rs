//! The schema check of a built-in kind without its JSON Schema: the object is read into the
//! Rust types the schema is derived from, and a read that succeeds with nothing left over
//! is a valid object. Compiling a kind's JSON Schema takes milliseconds; the typed read
//! takes microseconds. The compiled schema is still what explains a failure (and checks
//! `--crds` kinds), so the messages are the schema's.
//!
//! Where a typed read is laxer than the schema, a wrong "valid" would lose a finding, so each
//! such place is closed here:
//! - k8s-openapi's types ignore unknown fields: `serde_ignored` notices every ignored one.
//! - serde_json's reader takes a list for a struct and a one-key map for an enum: [`Strict`]
//!   takes only what the JSON decoder of the API server takes.
//! - The Argo CRDs keep only labels and annotations in a pod template's `metadata`
//!   ([`super::argo::as_in_crds`]), where the Kubernetes type takes any object metadata.
//! - k8s-openapi's types take a missing (or `null`) required field as its default (an empty
//!   container `name`): [`Strict`] checks each struct's required fields as it reads it.
//! - A quantity's syntax (the only `pattern` in the built-in schemas) is checked at the places
//!   the schema puts a quantity.
//!
//! The required fields and the quantities' places come from the schemas themselves
//! (`schemas/kinds/typed.txt`, kept equal to them by a test, which also fails on any schema
//! keyword that a typed read does not check).
//!
//! Where a typed read is stricter (an `i32` field given `1.0` or a number past 2³¹, a
//! malformed timestamp or base64, a `status` of a kind whose `status` is not checked), the
//! object goes to the compiled schema, which costs only time. A test reads every object of
//! the fixtures and corpora, and mutations of them, both ways.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};
use serde::{Deserializer, forward_to_deserialize_any};
use serde_json::Value;

/// Whether `value` is valid against the built-in schema of its kind by its typed read;
/// `false` also where the read is stricter than the schema.
/// `read` is the kind's [`reads_as`].
pub(crate) fn valid(
    (api_version, kind): (&str, &str),
    read: fn(&Value, bool) -> bool,
    value: &Value,
    status_ignored: bool,
) -> bool {
    read(value, status_ignored)
        && embedded(api_version, kind, value)
        && quantities(api_version, kind, value)
}

/// Whether `value` reads as `T` with no field ignored, but those under `status` where the API
/// server ignores `status`.
pub(crate) fn reads_as<T: DeserializeOwned>(value: &Value, status_ignored: bool) -> bool {
    let mut ignored = false;
    let strict = Strict {
        value,
        skip_status: status_ignored,
    };
    let read: Result<T, _> = serde_ignored::deserialize(strict, |_| ignored = true);
    read.is_ok() && !ignored
}

/// Where the pod templates of the Argo kinds are (their schemas restrict a pod template's
/// `metadata`); a test keeps these equal to the places the schemas put one.
pub(crate) const ARGO_POD_TEMPLATES: &[(&str, &str)] = &[
    ("Rollout", "/spec/template"),
    ("Experiment", "/spec/templates/*/template"),
    (
        "AnalysisTemplate",
        "/spec/metrics/*/provider/job/spec/template",
    ),
    (
        "ClusterAnalysisTemplate",
        "/spec/metrics/*/provider/job/spec/template",
    ),
    ("AnalysisRun", "/spec/metrics/*/provider/job/spec/template"),
];

/// The Argo CRDs keep only labels and annotations in a pod template's `metadata`, where the
/// Kubernetes type takes any object metadata.
fn embedded(api_version: &str, kind: &str, value: &Value) -> bool {
    api_version != "argoproj.io/v1alpha1"
        || ARGO_POD_TEMPLATES
            .iter()
            .filter(|(k, _)| *k == kind)
            .all(|(_, template)| every(value, &split(template), &labels_and_annotations_only))
}

/// A pod template whose `metadata`, if any, holds only labels and annotations.
fn labels_and_annotations_only(template: &Value) -> bool {
    match template.get("metadata") {
        None | Some(Value::Null) => true,
        Some(Value::Object(meta)) => meta.keys().all(|k| k == "labels" || k == "annotations"),
        Some(_) => false,
    }
}

/// A place's segments (`*` is any list item or map member).
fn split(place: &str) -> Vec<&str> {
    place.split('/').skip(1).collect()
}

/// Whether `check` holds for every value at the place `segments` names.
fn every(value: &Value, segments: &[&str], check: &dyn Fn(&Value) -> bool) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return check(value);
    };
    match (*first, value) {
        ("*", Value::Array(items)) => items.iter().all(|v| every(v, rest, check)),
        ("*", Value::Object(map)) => map.values().all(|v| every(v, rest, check)),
        (key, Value::Object(map)) => map.get(key).is_none_or(|v| every(v, rest, check)),
        _ => true,
    }
}

/// What the typed reads check besides the types, derived from the built-in schemas: lines
/// `quantity APIVERSION KIND PLACE` (a JSON pointer, `*` for any item or member) and
/// `required STRUCT FIELD,FIELD… REQUIRED,REQUIRED…` (a struct by its name and fields).
pub(crate) const TABLE: &str = include_str!("../../../schemas/kinds/typed.txt");

type Places = Vec<Vec<&'static str>>;

static QUANTITIES: LazyLock<HashMap<(&str, &str), Places>> = LazyLock::new(|| {
    let mut by_kind: HashMap<(&str, &str), Places> = HashMap::new();
    for line in TABLE.lines() {
        if let ["quantity", api_version, kind, place] = *line.split(' ').collect::<Vec<_>>() {
            by_kind
                .entry((api_version, kind))
                .or_default()
                .push(split(place));
        }
    }
    by_kind
});

/// A struct's fields, and those of them required.
struct Required {
    fields: Vec<&'static str>,
    required: Vec<&'static str>,
}

static REQUIRED: LazyLock<HashMap<&str, Vec<Required>>> = LazyLock::new(|| {
    let mut by_name: HashMap<&str, Vec<Required>> = HashMap::new();
    for line in TABLE.lines() {
        if let ["required", name, fields, required] = *line.split(' ').collect::<Vec<_>>() {
            by_name.entry(name).or_default().push(Required {
                fields: fields.split(',').collect(),
                required: required.split(',').collect(),
            });
        }
    }
    by_name
});

/// Whether `map`, read as the struct `name` with `fields`, sets every field the schema
/// requires (`null` is unset).
fn has_required(name: &str, fields: &[&str], map: &serde_json::Map<String, Value>) -> bool {
    let Some(candidates) = REQUIRED.get(name) else {
        return true;
    };
    candidates
        .iter()
        .find(|r| r.fields.len() == fields.len() && fields.iter().all(|f| r.fields.contains(f)))
        .is_none_or(|r| {
            r.required
                .iter()
                .all(|k| map.get(*k).is_some_and(|v| !v.is_null()))
        })
}

static QUANTITY: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(super::json::QUANTITY_PATTERN)
        .unwrap_or_else(|e| unreachable!("the quantity pattern compiles: {e}"))
});

/// Every quantity written as a string has the syntax Kubernetes parses (the typed read takes
/// any string).
fn quantities(api_version: &str, kind: &str, value: &Value) -> bool {
    let Some(patterns) = QUANTITIES.get(&(api_version, kind)) else {
        return true;
    };
    patterns.iter().all(|p| {
        every(value, p, &|q| match q {
            Value::String(s) => QUANTITY.is_match(s),
            _ => true,
        })
    })
}

/// A JSON value read as the API server's JSON decoder reads it: a struct only from an
/// object that sets its required fields, an enum only from a string. (serde_json's own
/// reader of a `Value` also builds a struct from a list of its fields in order, and an enum
/// from a one-key map.)
#[derive(Clone, Copy)]
struct Strict<'a> {
    value: &'a Value,
    /// The object's `status` is left unread (the API server ignores it).
    skip_status: bool,
}

impl<'a> Strict<'a> {
    fn new(value: &'a Value) -> Self {
        Strict {
            value,
            skip_status: false,
        }
    }
}

fn refuse<T>(value: &Value, what: &str) -> Result<T, serde_json::Error> {
    Err(de::Error::custom(format_args!(
        "expected {what}, found {}",
        crate::manifest::json_type(value)
    )))
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Members {
                members: map.iter(),
                value: None,
                skip_status: false,
            }),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Object(map) if has_required(name, fields, map) => visitor.visit_map(Members {
                members: map.iter(),
                value: None,
                // Only a type with a `status` has one to ignore (a ConfigMap's is unknown).
                skip_status: self.skip_status && fields.contains(&"status"),
            }),
            Value::Object(_) => Err(de::Error::custom("a required field is not set")),
            other => refuse(other, "an object"),
        }
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::String(s) => {
                IntoDeserializer::<serde_json::Error>::into_deserializer(s.as_str())
                    .deserialize_enum(name, variants, visitor)
            }
            other => refuse(other, "a string"),
        }
    }

    fn deserialize_ignored_any<V: de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Strict::new(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Members<'a> {
    members: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
    skip_status: bool,
}

impl<'de> MapAccess<'de> for Members<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let skip_status = self.skip_status;
        let Some((key, value)) = self
            .members
            .by_ref()
            .find(|(k, _)| !(skip_status && k.as_str() == "status"))
        else {
            return Ok(None);
        };
        self.value = Some(value);
        let key = de::value::BorrowedStrDeserializer::<serde_json::Error>::new(key);
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Strict::new(value)),
            None => Err(de::Error::custom("a value asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

#[cfg(test)]
mod tests;

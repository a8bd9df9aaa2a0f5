//! Schema validation of Kubernetes objects: the Argo Rollouts kinds and the core kinds built
//! in, custom resources from CRD files (`--crds`), strict about unknown fields as
//! `kubectl --validate=strict` and `kubectl argo rollouts lint` are.
//!
//! Each kind's validator is compiled on first use (milliseconds each) and kept: built-in ones
//! for the whole process, CRD ones for the [`Schemas`] that loaded them.
//!
//! `null` is read as Kubernetes reads it: an optional field set to `null` is as good as
//! absent (Go decoding leaves it unset; the API server prunes it from custom resources),
//! unless the schema says `null` is a value of its own (`nullable: true`). A required field or
//! a list item set to `null` is an error.

pub mod argo;
mod builtin;
pub mod crd;
pub mod describe;
pub mod json;
mod kinds;
mod typed;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use serde_json::Value;

use crate::error::{Diagnostic, Error, Location};
use crate::manifest::Object;
use crate::yaml::Pos;
use describe::Wording;
pub use kinds::KindLookup;

/// What kind of problem a [`SchemaError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaErrorKind {
    /// A required field is missing (`key` names it; `pointer` is the object missing it).
    Required,
    /// A field the schema does not list (`key` names it; `pointer` is the field itself).
    UnknownField,
    /// A value of the wrong JSON type.
    Type,
    /// A value outside a fixed set.
    Enum,
    /// Anything else: bounds, patterns, lengths.
    Other,
}

/// One place where an object does not match its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer of the offending node; for a missing required field, of the object that
    /// should hold it.
    pub pointer: String,
    /// The field missing (`Required`) or not allowed (`UnknownField`).
    pub key: Option<String>,
    pub kind: SchemaErrorKind,
    /// What is wrong, naming the place as a dotted path (`spec.template.spec.containers[0]`).
    pub message: String,
    /// How to fix it, when there is something to say (`did you mean …?`).
    pub help: Option<String>,
}

impl SchemaError {
    /// Where in `object`'s source the error is: an unknown field's key, the key of an object
    /// missing a field, otherwise the offending value.
    pub fn position(&self, object: &Object) -> Option<Pos> {
        let node = object.positions.nearest(&self.pointer)?;
        Some(match self.kind {
            SchemaErrorKind::UnknownField | SchemaErrorKind::Required => {
                node.key.unwrap_or(node.value)
            }
            _ => node.value,
        })
    }

    /// The error as users see it: `FILE:LINE:COL: message`, with its help.
    pub fn to_diagnostic(&self, object: &Object) -> Diagnostic {
        let location = Location::File {
            path: object.source.clone(),
            pos: self.position(object),
        };
        Diagnostic::new(Some(location), self.message.clone()).with_help(
            self.help
                .clone()
                .unwrap_or_else(|| "`rollwright schema` prints the keys this kind takes".into()),
        )
    }
}

/// A schema and its validator, compiled once.
struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

/// A kind's schema: how to get it, and its validator once compiled.
struct Entry {
    api_version: String,
    kind: String,
    source: Source,
    /// Objects of the kind live in a namespace.
    namespaced: bool,
    /// The API server ignores `status` on create and update (a status subresource), so it is
    /// not checked.
    status_ignored: bool,
    compiled: OnceLock<Result<Arc<Compiled>, String>>,
    /// Objects of the kind checked by their typed read so far.
    typed_reads: AtomicUsize,
}

enum Source {
    Builtin(&'static builtin::Builtin),
    Crd { schema: Arc<Value>, origin: String },
}

impl Entry {
    fn compiled(&self) -> Result<Arc<Compiled>, String> {
        self.compiled
            .get_or_init(|| {
                let mut schema = match &self.source {
                    Source::Builtin(builtin::Builtin {
                        prepared: Some(text),
                        ..
                    }) => serde_json::from_str(text)
                        .map_err(|e| format!("embedded schema of {}: {e}", self.kind))?,
                    Source::Builtin(b) => {
                        let mut schema = (b.schema)();
                        json::prepare(&mut schema);
                        schema
                    }
                    Source::Crd { schema, .. } => {
                        let mut schema = schema.as_ref().clone();
                        json::prepare(&mut schema);
                        schema
                    }
                };
                if self.status_ignored {
                    accept_any_status(&mut schema);
                }
                match json::compile(&schema) {
                    Ok(validator) => Ok(Arc::new(Compiled { schema, validator })),
                    Err(e) => Err(match &self.source {
                        Source::Crd { origin, .. } => format!(
                            "the schema of {} {} from the CRD at {origin} cannot be used: {e}",
                            self.api_version, self.kind
                        ),
                        Source::Builtin(..) => {
                            unreachable!("built-in schemas compile (a test compiles each): {e}")
                        }
                    }),
                }
            })
            .clone()
    }
}

/// `status` of any shape: what the API server does with the status of a kind with a status
/// subresource (it drops the status on create and keeps the old one on update).
fn accept_any_status(schema: &mut Value) {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut)
        && let Some(status) = props.get_mut("status")
    {
        *status = Value::Object(serde_json::Map::new());
    }
}

/// Objects of one kind read typed before its JSON Schema is compiled instead: a typed read
/// costs a few times what the compiled validator's check costs, and compiling one takes
/// what a few hundred typed reads take (`cargo bench --bench schema`).
const TYPED_READS_BEFORE_COMPILING: usize = 200;

/// Built-in kinds, shared by every [`Schemas`] so each is compiled once per process.
static BUILTIN: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    builtin::KINDS
        .iter()
        .map(|b| Entry {
            api_version: b.api_version.to_owned(),
            kind: b.kind.to_owned(),
            source: Source::Builtin(b),
            namespaced: !kinds::builtin_cluster_scoped(b.kind),
            status_ignored: kinds::builtin_status_ignored(b.api_version, b.kind),
            compiled: OnceLock::new(),
            typed_reads: AtomicUsize::new(0),
        })
        .collect()
});

/// The built-in kinds only, for lookups without `--crds`.
static BUILTIN_ONLY: Schemas = Schemas { crds: Vec::new() };

/// The schemas objects are validated against: the built-in kinds, and kinds from CRDs
/// (which replace a built-in kind of the same apiVersion and kind).
pub struct Schemas {
    crds: Vec<Entry>,
}

impl Schemas {
    /// The built-in kinds only.
    pub fn builtin() -> Self {
        Schemas { crds: Vec::new() }
    }

    /// The built-in kinds plus every served version of the CRDs in `paths` (files or
    /// directories; multi-document files such as an `install.yaml` too, other documents in
    /// them ignored).
    pub fn with_crds(paths: &[PathBuf]) -> Result<Self, Error> {
        let mut crds: Vec<Entry> = Vec::new();
        for crd in crd::load(paths)? {
            crds.retain(|e| !(e.api_version == crd.api_version && e.kind == crd.kind));
            crds.push(Entry {
                api_version: crd.api_version,
                kind: crd.kind,
                source: Source::Crd {
                    schema: Arc::new(crd.schema),
                    origin: crd.origin,
                },
                namespaced: crd.namespaced,
                status_ignored: crd.status_subresource,
                compiled: OnceLock::new(),
                typed_reads: AtomicUsize::new(0),
            });
        }
        Ok(Schemas { crds })
    }

    /// The built-in kinds, shared.
    pub fn builtin_ref() -> &'static Schemas {
        &BUILTIN_ONLY
    }

    /// The apiVersion/kind pairs built in.
    pub fn builtin_kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
        builtin::KINDS.iter().map(|b| (b.api_version, b.kind))
    }

    /// A built-in kind's JSON Schema, generated afresh and ready to compile (what
    /// [`Schemas::json_schema`] returns once compiled, without caching).
    pub fn builtin_schema(api_version: &str, kind: &str) -> Option<Value> {
        let b = builtin::KINDS
            .iter()
            .find(|b| b.api_version == api_version && b.kind == kind)?;
        let mut schema = (b.schema)();
        json::prepare(&mut schema);
        Some(schema)
    }

    fn entry(&self, api_version: &str, kind: &str) -> Option<&Entry> {
        let matches = |e: &&Entry| e.api_version == api_version && e.kind == kind;
        self.crds
            .iter()
            .find(matches)
            .or_else(|| BUILTIN.iter().find(matches))
    }

    /// Compiles this kind's validator now, if it has one (validation would on first use).
    pub fn prepare(&self, api_version: &str, kind: &str) {
        if let Some(entry) = self.entry(api_version, kind) {
            let _ = entry.compiled();
        }
    }

    /// Whether objects of this apiVersion and kind are checked.
    pub fn knows(&self, api_version: &str, kind: &str) -> bool {
        self.entry(api_version, kind).is_some()
    }

    /// Whether a built-in schema (not one from `--crds`) checks this kind.
    pub fn builtin_checks(&self, api_version: &str, kind: &str) -> bool {
        self.entry(api_version, kind)
            .is_some_and(|e| matches!(e.source, Source::Builtin(..)))
    }

    /// Whether objects of this kind live in a namespace: `None` for a kind without a schema.
    pub fn namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        self.entry(api_version, kind).map(|e| e.namespaced)
    }

    /// Whether the API server serves this apiVersion for this kind, and whether it is checked.
    pub fn lookup(&self, api_version: &str, kind: &str) -> KindLookup {
        if self.knows(api_version, kind) {
            return KindLookup::Known;
        }
        let all = self.crds.iter().chain(BUILTIN.iter());
        kinds::lookup(
            api_version,
            kind,
            all.map(|e| (e.api_version.as_str(), e.kind.as_str())),
        )
    }

    /// The JSON Schema objects of this kind are checked against (its definitions pruned to
    /// those it uses), compiling it if needed.
    pub fn json_schema(&self, api_version: &str, kind: &str) -> Option<Result<Value, String>> {
        let entry = self.entry(api_version, kind)?;
        Some(entry.compiled().map(|c| c.schema.clone()))
    }

    /// Every problem with `object`, in the order they appear in its source; empty when it
    /// is valid or its kind has no schema.
    pub fn validate(&self, object: &Object) -> Vec<SchemaError> {
        let mut errors =
            self.validate_value(&object.id.api_version, &object.id.kind, &object.value);
        let place = |e: &SchemaError| (e.position(object), e.pointer.clone());
        errors.sort_by_cached_key(place);
        errors
    }

    /// Every problem with an object's JSON value, ordered by JSON pointer.
    pub fn validate_value(&self, api_version: &str, kind: &str, value: &Value) -> Vec<SchemaError> {
        // A built-in kind's typed read is its check and the schema explains a failure, until
        // a run has read so many objects of the kind that compiling its schema once costs
        // less than reading the rest typed. Both ways give the same verdict (the proof
        // tests of `typed`), so which one runs changes only the time.
        let Some(entry) = self.entry(api_version, kind) else {
            return Vec::new();
        };
        if entry.compiled.get().is_none()
            && entry.typed_reads.fetch_add(1, Ordering::Relaxed) < TYPED_READS_BEFORE_COMPILING
            && entry.typed_valid(value) == Some(true)
        {
            return Vec::new();
        }
        entry.schema_errors(value)
    }

    /// Whether the typed read of a built-in kind finds `value` valid (`None` for a kind
    /// without a built-in schema): what [`Schemas::validate_value`] trusts before compiling
    /// the kind's JSON Schema. `Some(false)` means only "ask the schema".
    pub fn typed_valid(&self, api_version: &str, kind: &str, value: &Value) -> Option<bool> {
        self.entry(api_version, kind)?.typed_valid(value)
    }

    /// Every problem with an object's JSON value by the compiled JSON Schema alone, ordered by
    /// JSON pointer.
    pub fn schema_errors(&self, api_version: &str, kind: &str, value: &Value) -> Vec<SchemaError> {
        self.entry(api_version, kind)
            .map_or_else(Vec::new, |entry| entry.schema_errors(value))
    }
}

impl Entry {
    fn typed_valid(&self, value: &Value) -> Option<bool> {
        match self.source {
            Source::Builtin(b) => Some(typed::valid(
                (b.api_version, b.kind),
                b.typed,
                value,
                self.status_ignored,
            )),
            Source::Crd { .. } => None,
        }
    }

    fn schema_errors(&self, value: &Value) -> Vec<SchemaError> {
        let kind = &self.kind;
        let compiled = match self.compiled() {
            Ok(c) => c,
            Err(message) => {
                return vec![SchemaError {
                    pointer: String::new(),
                    key: None,
                    kind: SchemaErrorKind::Other,
                    message,
                    help: Some("fix the CRD, or leave it out of --crds".into()),
                }];
            }
        };
        // Most objects are valid as written: only then is it worth looking for the `null`s
        // that stand for "unset" (dropping an optional member never makes an object invalid).
        if compiled.validator.is_valid(value) {
            return Vec::new();
        }
        let value = without_unset_nulls(&compiled.schema, value);
        if compiled.validator.is_valid(&value) {
            return Vec::new();
        }
        let top = format!("the {kind}");
        let wording = Wording {
            noun: "field",
            top: &top,
        };
        let mut errors: Vec<SchemaError> = compiled
            .validator
            .iter_errors(&value)
            .flat_map(|err| {
                describe::describe(
                    &compiled.schema,
                    err.instance_path().as_str(),
                    &err,
                    &wording,
                )
            })
            .collect();
        errors.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.key.cmp(&b.key)));
        errors.dedup();
        errors
    }
}

/// `value` without the `null` members that stand for "unset": those of optional fields
/// whose schema does not take `null` as a value. Borrowed when there are none.
fn without_unset_nulls<'a>(root: &Value, value: &'a Value) -> Cow<'a, Value> {
    fn has_null_member(v: &Value) -> bool {
        match v {
            Value::Object(m) => m.values().any(|c| c.is_null() || has_null_member(c)),
            Value::Array(items) => items.iter().any(has_null_member),
            _ => false,
        }
    }
    fn prune(root: &Value, schema: &Value, value: &mut Value) {
        let schema = json::resolve(root, schema);
        match value {
            Value::Object(map) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let extra = schema.get("additionalProperties").filter(|a| a.is_object());
                let required = |k: &str| {
                    schema
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|x| x == k))
                };
                map.retain(|k, v| {
                    if !v.is_null() {
                        return true;
                    }
                    match props.and_then(|p| p.get(k)).or(extra) {
                        // Unknown: kept, so it is reported as unknown.
                        None => true,
                        Some(sub) => required(k) || json::allows_null(root, sub),
                    }
                });
                for (k, v) in map.iter_mut() {
                    if let Some(sub) = props.and_then(|p| p.get(k)).or(extra) {
                        prune(root, sub, v);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(sub) = schema.get("items") {
                    items.iter_mut().for_each(|v| prune(root, sub, v));
                }
            }
            _ => {}
        }
    }
    if !has_null_member(value) {
        return Cow::Borrowed(value);
    }
    let mut owned = value.clone();
    prune(root, root, &mut owned);
    Cow::Owned(owned)
}

#[cfg(test)]
mod tests;

//! CustomResourceDefinitions read from files, their schemas turned into JSON Schemas that
//! check custom resources as the API server does with strict field validation.
//!
//! The OpenAPI v3 dialect of CRDs differs from JSON Schema where it matters:
//! `x-kubernetes-int-or-string` (an integer or a string), `nullable`, objects closed unless
//! `x-kubernetes-preserve-unknown-fields` or `additionalProperties` says otherwise (the API
//! server prunes, and with `--validate=strict` refuses, anything else),
//! `x-kubernetes-embedded-resource` (an object with its own apiVersion/kind/metadata), and
//! boolean `exclusiveMinimum`/`exclusiveMaximum`. CEL rules (`x-kubernetes-validations`) and
//! `x-kubernetes-list-type: map` key uniqueness are not checked.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value, json};

use super::json;
use crate::error::{Diagnostic, Error, Location};
use crate::yaml::{self, Document, escape_segment};

/// One served version of a CRD, converted.
#[derive(Debug, Clone)]
pub(crate) struct Crd {
    pub api_version: String,
    pub kind: String,
    pub schema: Value,
    /// `file:line` of the CRD, for messages.
    pub origin: String,
    /// `spec.scope: Namespaced`.
    pub namespaced: bool,
    /// The version declares a status subresource (`subresources.status`).
    pub status_subresource: bool,
}

/// Reads every CRD in `paths` (files, or directories searched for `.yaml`, `.yml` and
/// `.json` files). Other documents are ignored; a path holding no CRD at all is an error, as
/// is anything unreadable. For a kind defined twice, the later definition wins.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Vec<Crd>, Error> {
    let mut crds = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let files = match files(path) {
            Ok(files) => files,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let before = crds.len();
        let mut failed = false;
        for file in &files {
            match from_file(file) {
                Ok(found) => crds.extend(found),
                Err(mut ds) => {
                    failed = true;
                    problems.append(&mut ds);
                }
            }
        }
        if crds.len() == before && !failed {
            problems.push(
                Diagnostic::new(
                    Some(Location::file(path, None)),
                    "no CustomResourceDefinition found",
                )
                .with_help("--crds takes CRD files, or directories holding them"),
            );
        }
    }
    if problems.is_empty() {
        Ok(crds)
    } else {
        Err(Error::many(problems))
    }
}

fn files(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| Diagnostic::io(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut out = Vec::new();
    let mut pending = vec![path.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Diagnostic::io(&dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Diagnostic::io(&dir, &e))?;
            let p = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if hidden {
                continue;
            }
            if p.is_dir() {
                pending.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn from_file(path: &Path) -> Result<Vec<Crd>, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| vec![Diagnostic::io(path, &e)])?;
    let text = yaml::decode(&bytes).map_err(|e| vec![Diagnostic::yaml(path, e)])?;
    let docs = yaml::parse_documents(text).map_err(|e| vec![Diagnostic::yaml(path, e)])?;
    let mut crds = Vec::new();
    let mut problems = Vec::new();
    for doc in &docs {
        match from_document(doc, path) {
            Ok(found) => crds.extend(found),
            Err(mut ds) => problems.append(&mut ds),
        }
    }
    if problems.is_empty() {
        Ok(crds)
    } else {
        Err(problems)
    }
}

fn from_document(doc: &Document, path: &Path) -> Result<Vec<Crd>, Vec<Diagnostic>> {
    let v = &doc.value;
    if v.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
        return Ok(Vec::new());
    }
    let at = |pointer: &str| {
        let pos = doc
            .positions
            .nearest(pointer)
            .map(|p| p.key.unwrap_or(p.value));
        Some(Location::file(path, pos))
    };
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if api_version != "apiextensions.k8s.io/v1" {
        return Err(vec![
            Diagnostic::new(
                at("/apiVersion"),
                format!("CustomResourceDefinitions of `{api_version}` are not read"),
            )
            .with_help(
                "use the apiextensions.k8s.io/v1 form (the only one Kubernetes 1.22+ serves)",
            ),
        ]);
    }
    let string = |pointer: &str| -> Result<&str, Vec<Diagnostic>> {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                let name = crate::yaml::dotted_path(pointer);
                vec![
                    Diagnostic::new(
                        at(pointer),
                        format!("the CustomResourceDefinition has no `{name}`"),
                    )
                    .with_help("pass the CRD file as its project publishes it (`--crds FILE`)"),
                ]
            })
    };
    let group = string("/spec/group")?;
    let kind = string("/spec/names/kind")?;
    let Some(versions) = v.pointer("/spec/versions").and_then(Value::as_array) else {
        return Err(vec![
            Diagnostic::new(
                at("/spec/versions"),
                "the CustomResourceDefinition has no `spec.versions` list",
            )
            .with_help("pass an apiextensions.k8s.io/v1 CRD (v1beta1 CRDs are not read)"),
        ]);
    };
    let namespaced = v.pointer("/spec/scope").and_then(Value::as_str) != Some("Cluster");
    let line = doc.positions.get("").map_or(1, |p| p.value.line);
    let origin = format!("{}:{line}", path.display());
    let mut crds = Vec::new();
    let mut problems = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        if version.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let base = format!("/spec/versions/{i}");
        let name = match string(&format!("{base}/name")) {
            Ok(name) => name,
            Err(mut ds) => {
                problems.append(&mut ds);
                continue;
            }
        };
        let pointer = format!("{base}/schema/openAPIV3Schema");
        let Some(schema) = v.pointer(&pointer) else {
            problems.push(
                Diagnostic::new(
                    at(&base),
                    format!("version `{name}` of the CustomResourceDefinition has no `schema.openAPIV3Schema`"),
                )
                .with_help("pass a CRD whose versions carry their schema (structural schemas are required since apiextensions.k8s.io/v1)"),
            );
            continue;
        };
        let mut converter = Converter::default();
        let schema = converter.root(schema, &pointer);
        if converter.problems.is_empty() {
            crds.push(Crd {
                api_version: format!("{group}/{name}"),
                kind: kind.to_owned(),
                schema,
                origin: origin.clone(),
                namespaced,
                status_subresource: version
                    .pointer("/subresources/status")
                    .is_some_and(|s| !s.is_null()),
            });
        }
        problems.extend(
            converter
                .problems
                .into_iter()
                .map(|(p, message)| {
                    Diagnostic::new(at(&p), message).with_help(
                        "rollwright reads structural OpenAPI v3 schemas as the API server does; fix the schema at this place",
                    )
                }),
        );
    }
    if problems.is_empty() {
        Ok(crds)
    } else {
        Err(problems)
    }
}

/// Converts a CRD's `openAPIV3Schema` (apiextensions.k8s.io/v1) to a JSON Schema.
pub fn convert(schema: &Value) -> Result<Value, Vec<String>> {
    let mut converter = Converter::default();
    let out = converter.root(schema, "");
    if converter.problems.is_empty() {
        Ok(out)
    } else {
        Err(converter
            .problems
            .into_iter()
            .map(|(p, m)| format!("{p}: {m}"))
            .collect())
    }
}

/// ObjectMeta's schema and the definitions it uses, for `metadata` at the root and in
/// embedded resources: the API server checks those as it checks any object's metadata.
static OBJECT_META_DEFS: LazyLock<Map<String, Value>> = LazyLock::new(|| {
    let mut generator = schemars::SchemaGenerator::default();
    generator.subschema_for::<ObjectMeta>();
    let mut defs = Value::Object(generator.take_definitions(true));
    if let Value::Object(map) = &mut defs {
        json::fix_kubernetes_defs(map);
    }
    // Walk each definition as a schema of its own (a definition map is not a schema).
    if let Value::Object(map) = &mut defs {
        for def in map.values_mut() {
            json::close_objects(def);
            json::strip_annotations(def);
        }
    }
    match defs {
        Value::Object(map) => map,
        _ => Map::new(),
    }
});

fn object_meta_ref() -> Value {
    json!({"$ref": format!("#/$defs/{}", escape_segment(json::OBJECT_META))})
}

#[derive(Default)]
struct Converter {
    /// (JSON pointer into the CRD document, message).
    problems: Vec<(String, String)>,
}

const TYPES: [&str; 6] = ["object", "array", "string", "integer", "number", "boolean"];

impl Converter {
    fn root(&mut self, schema: &Value, at: &str) -> Value {
        let mut out = self.node(schema, at, false);
        if let Value::Object(map) = &mut out {
            let props = map
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(props) = props {
                props.insert("apiVersion".into(), json!({"type": "string"}));
                props.insert("kind".into(), json!({"type": "string"}));
                props.insert("metadata".into(), object_meta_ref());
            }
            map.entry("type").or_insert_with(|| json!("object"));
            let preserve =
                schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
            if !preserve && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
            map.insert("$defs".into(), Value::Object(OBJECT_META_DEFS.clone()));
        }
        out
    }

    /// Converts one schema node; `logic` is set inside `allOf`/`anyOf`/`oneOf`/`not`, whose
    /// members only add constraints (structural schemas keep the shape outside them), so
    /// they are never closed.
    fn node(&mut self, schema: &Value, at: &str, logic: bool) -> Value {
        let Value::Object(s) = schema else {
            self.problems
                .push((at.to_owned(), "a schema must be a mapping".into()));
            return json!({});
        };
        let flag = |key: &str| s.get(key) == Some(&Value::Bool(true));
        let int_or_string = flag("x-kubernetes-int-or-string");
        let preserve = flag("x-kubernetes-preserve-unknown-fields");
        let mut out = Map::new();

        let mut ty = None;
        match s.get("type") {
            None => {}
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => ty = Some(t.clone()),
            Some(other) => self.problems.push((
                format!("{at}/type"),
                format!("`type` must be one of {}, found {other}", TYPES.join(", ")),
            )),
        }
        if int_or_string {
            out.insert(
                "anyOf".into(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
        } else if let Some(t) = &ty {
            out.insert("type".into(), json!(t));
        }

        if let Some(props) = s.get("properties") {
            match props {
                Value::Object(props) => {
                    let converted: Map<String, Value> = props
                        .iter()
                        .map(|(k, v)| {
                            let p = format!("{at}/properties/{}", escape_segment(k));
                            (k.clone(), self.node(v, &p, logic))
                        })
                        .collect();
                    out.insert("properties".into(), Value::Object(converted));
                }
                _ => self.problems.push((
                    format!("{at}/properties"),
                    "`properties` must be a mapping".into(),
                )),
            }
        }
        if let Some(items) = s.get("items") {
            let items = self.node(items, &format!("{at}/items"), logic);
            out.insert("items".into(), items);
        }
        match s.get("additionalProperties") {
            None => {}
            Some(Value::Bool(b)) => {
                out.insert("additionalProperties".into(), Value::Bool(*b));
            }
            Some(ap) => {
                let ap = self.node(ap, &format!("{at}/additionalProperties"), logic);
                out.insert("additionalProperties".into(), ap);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if int_or_string && key == "anyOf" {
                continue;
            }
            match s.get(key) {
                None => {}
                Some(Value::Array(list)) => {
                    let list: Vec<Value> = list
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.node(v, &format!("{at}/{key}/{i}"), true))
                        .collect();
                    out.insert(key.into(), Value::Array(list));
                }
                Some(_) => self
                    .problems
                    .push((format!("{at}/{key}"), format!("`{key}` must be a list"))),
            }
        }
        if let Some(not) = s.get("not") {
            let not = self.node(not, &format!("{at}/not"), true);
            out.insert("not".into(), not);
        }
        for key in [
            "required",
            "enum",
            "pattern",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
            "multipleOf",
            "uniqueItems",
        ] {
            if let Some(v) = s.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        // OpenAPI 3.0: `exclusiveMinimum: true` turns `minimum` exclusive.
        for (bound, exclusive) in [
            ("minimum", "exclusiveMinimum"),
            ("maximum", "exclusiveMaximum"),
        ] {
            if let Some(limit) = s.get(bound) {
                let key = if flag(exclusive) { exclusive } else { bound };
                out.insert(key.into(), limit.clone());
            }
        }
        if s.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("set") {
            out.insert("uniqueItems".into(), Value::Bool(true));
        }
        if flag("x-kubernetes-embedded-resource") {
            let props = out
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(props) = props {
                props.insert("apiVersion".into(), json!({"type": "string"}));
                props.insert("kind".into(), json!({"type": "string"}));
                props.insert("metadata".into(), object_meta_ref());
            }
        }
        let object = ty.as_deref() == Some("object") || out.contains_key("properties");
        if object && !preserve && !logic && !out.contains_key("additionalProperties") {
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
        if flag("nullable") {
            return allow_null(out, int_or_string);
        }
        Value::Object(out)
    }
}

/// `nullable: true`: the schema, or `null`.
fn allow_null(mut out: Map<String, Value>, int_or_string: bool) -> Value {
    if int_or_string {
        if let Some(Value::Array(alts)) = out.get_mut("anyOf") {
            alts.push(json!({"type": "null"}));
        }
        return Value::Object(out);
    }
    if ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| out.contains_key(*k))
    {
        return json!({"anyOf": [{"type": "null"}, out]});
    }
    if let Some(Value::String(t)) = out.get("type") {
        let t = t.clone();
        out.insert("type".into(), json!([t, "null"]));
    }
    if let Some(Value::Array(options)) = out.get_mut("enum") {
        options.push(Value::Null);
    }
    Value::Object(out)
}

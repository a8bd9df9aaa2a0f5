use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;
use crate::schema::{Schemas, json as schema_json};

/// The keywords whose check a typed read makes by itself: the types, the fields (unknown
/// ones noticed), required fields (checked as each struct is read) and lists.
const KEYWORDS: &[&str] = &[
    "$ref",
    "$defs",
    "$schema",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    // An annotation only: the validator does not assert formats (a test below).
    "format",
];

/// Our own Rust enums: serde reads only their variants, as the schema's `enum` allows.
const RUST_ENUMS: &[&str] = &["DatadogAggregator", "DatadogApiVersion"];

const POD_TEMPLATE: &str = "io.k8s.api.core.v1.PodTemplateSpec";

/// What a compiled schema asks beyond what a typed read checks by itself, and where.
#[derive(Default)]
struct Derived {
    quantities: Vec<String>,
    pod_templates: Vec<String>,
    required: BTreeSet<String>,
    unchecked: Vec<String>,
}

fn short(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

fn derive(kind: &str, schema: &Value) -> Derived {
    let mut d = Derived::default();
    walk(schema, schema, "", &mut Vec::new(), Some(kind), &mut d);
    d.quantities.sort();
    d.quantities.dedup();
    d.pod_templates.sort();
    d.pod_templates.dedup();
    d
}

/// `node` is the schema at instance `place`; `def` names the struct when `node` is the top
/// of one.
fn walk(
    root: &Value,
    node: &Value,
    place: &str,
    stack: &mut Vec<String>,
    def: Option<&str>,
    d: &mut Derived,
) {
    let Value::Object(map) = node else {
        return;
    };
    for key in map.keys() {
        let checked = KEYWORDS.contains(&key.as_str())
            || key.starts_with("x-kubernetes-")
            || (key == "enum" && def.is_some_and(|n| RUST_ENUMS.contains(&n)));
        if !checked {
            d.unchecked.push(format!("{place}: {key}"));
        }
    }
    assert!(
        !place.contains('~'),
        "a field name with `~` or `/` at {place}"
    );
    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
        let name = r
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("a non-local $ref {r}"))
            .replace("~1", "/")
            .replace("~0", "~");
        let target = &root["$defs"][&name];
        match name.as_str() {
            schema_json::QUANTITY => {
                let expected = json!({"anyOf": [
                    {"type": "string", "pattern": schema_json::QUANTITY_PATTERN},
                    {"type": "number"},
                ]});
                if target.get("anyOf") != expected.get("anyOf") {
                    d.unchecked.push(format!("{place}: quantity {target}"));
                }
                d.quantities.push(place.to_owned());
            }
            schema_json::INT_OR_STRING => {
                let expected = json!([{"type": "integer"}, {"type": "string"}]);
                if target.get("anyOf") != Some(&expected) {
                    d.unchecked.push(format!("{place}: int-or-string {target}"));
                }
            }
            _ if stack.contains(&name) => d.unchecked.push(format!("{place}: recursive {name}")),
            _ => {
                if name == POD_TEMPLATE {
                    d.pod_templates.push(place.to_owned());
                }
                stack.push(name.clone());
                walk(root, target, place, stack, Some(short(&name)), d);
                stack.pop();
            }
        }
    }
    if let Some(required) = map.get("required").and_then(Value::as_array) {
        match def {
            Some(name) if !required.is_empty() => {
                let mut fields = schema_json::property_names(node);
                fields.sort();
                let required: Vec<&str> = required.iter().filter_map(Value::as_str).collect();
                d.required.insert(format!(
                    "required {name} {} {}",
                    fields.join(","),
                    required.join(",")
                ));
            }
            Some(_) => {}
            None => d
                .unchecked
                .push(format!("{place}: required on an unnamed schema")),
        }
    }
    if let Some(props) = map.get("properties").and_then(Value::as_object) {
        for (k, sub) in props {
            walk(root, sub, &format!("{place}/{k}"), stack, None, d);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = map.get(key).filter(|s| s.is_object()) {
            walk(root, sub, &format!("{place}/*"), stack, None, d);
        }
    }
}

/// Every built-in kind with the schema it is checked against.
fn builtin_schemas() -> Vec<(&'static str, &'static str, Value)> {
    Schemas::builtin_kinds()
        .map(|(a, k)| {
            let schema = Schemas::builtin_ref().json_schema(a, k).unwrap().unwrap();
            (a, k, schema)
        })
        .collect()
}

/// `schemas/kinds/typed.txt` is what the schemas say; regenerate it with
/// `ROLLWRIGHT_UPDATE_SCHEMAS=1 cargo test --lib typed_table`.
#[test]
fn typed_table_matches_the_schemas() {
    let mut quantities = Vec::new();
    let mut required = BTreeSet::new();
    for (a, k, schema) in builtin_schemas() {
        let d = derive(k, &schema);
        quantities.extend(d.quantities.iter().map(|p| format!("quantity {a} {k} {p}")));
        required.extend(d.required);
    }
    // A struct is found by its name and fields: two that share both must require the same.
    let mut structs = BTreeSet::new();
    for line in &required {
        let (name_and_fields, _) = line.rsplit_once(' ').unwrap();
        assert!(structs.insert(name_and_fields), "two {name_and_fields}");
    }
    let text: String = quantities
        .into_iter()
        .chain(required)
        .map(|l| l + "\n")
        .collect();
    if std::env::var_os("ROLLWRIGHT_UPDATE_SCHEMAS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/kinds/typed.txt");
        std::fs::write(path, &text).unwrap();
    } else {
        assert!(
            text == TABLE,
            "schemas/kinds/typed.txt is stale: run ROLLWRIGHT_UPDATE_SCHEMAS=1 cargo test --lib typed_table"
        );
    }
}

#[test]
fn every_schema_keyword_is_one_the_typed_read_checks() {
    for (_, k, schema) in builtin_schemas() {
        let d = derive(k, &schema);
        assert!(d.unchecked.is_empty(), "{k}: {:#?}", d.unchecked);
    }
}

#[test]
fn argo_pod_templates_are_where_the_schemas_put_them() {
    for (a, k, schema) in builtin_schemas() {
        if a != "argoproj.io/v1alpha1" {
            continue;
        }
        let listed: Vec<String> = ARGO_POD_TEMPLATES
            .iter()
            .filter(|(kind, _)| *kind == k)
            .map(|(_, p)| p.to_string())
            .collect();
        assert_eq!(derive(k, &schema).pod_templates, listed, "{k}");
    }
}

#[test]
fn formats_are_annotations_only() {
    for (format, value) in [
        ("date-time", json!("yesterday")),
        ("int32", json!(1u64 << 40)),
        ("byte", json!("not base64!")),
    ] {
        let v = schema_json::compile(&json!({"format": format})).unwrap();
        assert!(v.is_valid(&value), "{format}");
    }
}

fn typed(api_version: &str, kind: &str, value: &Value) -> bool {
    Schemas::builtin_ref()
        .typed_valid(api_version, kind, value)
        .unwrap()
}

fn schema_valid(api_version: &str, kind: &str, value: &Value) -> bool {
    Schemas::builtin_ref()
        .schema_errors(api_version, kind, value)
        .is_empty()
}

fn rollout() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "app"},
        "spec": {
            "selector": {"matchLabels": {"app": "app"}},
            "template": {
                "metadata": {"labels": {"app": "app"}},
                "spec": {
                    "containers": [{"name": "app", "image": "app:1", "resources": {"limits": {"cpu": "1x"}}}],
                    "overhead": {"cpu": "250m"},
                },
            },
            "strategy": {"blueGreen": {"activeService": "app", "autoPromotionEnabled": false}},
        },
        "status": {"anything": [1]},
    })
}

fn service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "app", "labels": {"a": "b"}},
        "spec": {"selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": "http"}]},
        "status": {"loadBalancer": {"surprise": true}},
    })
}

fn set(mut value: Value, pointer: &str, to: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = value.pointer_mut(parent).unwrap();
    match (parent, to) {
        (Value::Object(m), Some(v)) => {
            m.insert(key.to_owned(), v);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().unwrap()] = v,
        _ => unreachable!(),
    }
    value
}

#[test]
fn valid_objects_read_valid_and_the_schema_agrees() {
    let argo = "argoproj.io/v1alpha1";
    // Container resources are open in the Argo CRDs; status is not checked.
    assert!(typed(argo, "Rollout", &rollout()));
    assert!(schema_valid(argo, "Rollout", &rollout()));
    assert!(typed("v1", "Service", &service()));
    assert!(schema_valid("v1", "Service", &service()));
    // `null` is unset for an optional field.
    let nulls = set(rollout(), "/spec/template", Some(Value::Null));
    assert!(typed(argo, "Rollout", &nulls));
    assert!(schema_valid(argo, "Rollout", &nulls));
}

/// Each place where a plain typed read is laxer than the schema: the typed read refuses, so
/// the schema explains.
#[test]
fn where_a_plain_typed_read_is_laxer_the_typed_read_refuses() {
    let argo = "argoproj.io/v1alpha1";
    let bg = "/spec/strategy/blueGreen";
    let pod = "/spec/template/spec";
    let cases: Vec<(&str, &str, Value)> = vec![
        // An unknown field in a k8s-openapi type.
        (
            "v1",
            "Service",
            set(service(), "/spec/ports/0/prot", Some(json!(1))),
        ),
        (
            "v1",
            "Service",
            set(service(), "/metadata/lables", Some(json!({}))),
        ),
        // Also under `status`, where the status is checked.
        (
            argo,
            "Rollout",
            set(
                rollout(),
                &format!("{pod}/containers/0/imag"),
                Some(json!("x")),
            ),
        ),
        // A struct written as a list of its fields.
        (
            argo,
            "Rollout",
            set(
                rollout(),
                &format!("{bg}/antiAffinity"),
                Some(json!({"requiredDuringSchedulingIgnoredDuringExecution": []})),
            ),
        ),
        (
            argo,
            "Rollout",
            set(
                rollout(),
                "/spec/strategy",
                Some(json!({"canary": {"steps": [{"pause": ["10s"]}]}})),
            ),
        ),
        // A required field k8s-openapi would default.
        ("v1", "Service", set(service(), "/spec/ports/0/port", None)),
        (
            "v1",
            "Service",
            set(service(), "/spec/ports/0/port", Some(Value::Null)),
        ),
        (
            argo,
            "Rollout",
            set(rollout(), &format!("{pod}/containers/0/name"), None),
        ),
        (
            argo,
            "Rollout",
            set(rollout(), &format!("{pod}/containers"), None),
        ),
        // The pod template's metadata in the Argo CRDs.
        (
            argo,
            "Rollout",
            set(rollout(), "/spec/template/metadata/name", Some(json!("x"))),
        ),
        (
            argo,
            "Rollout",
            set(
                rollout(),
                "/spec/template/metadata/creationTimestamp",
                Some(Value::Null),
            ),
        ),
        // A quantity's syntax.
        (
            argo,
            "Rollout",
            set(
                rollout(),
                &format!("{pod}/overhead/cpu"),
                Some(json!("1GB")),
            ),
        ),
        (
            "v1",
            "PersistentVolumeClaim",
            json!({
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "a"},
                "spec": {"resources": {"requests": {"storage": "1 Gi"}}},
            }),
        ),
    ];
    let mut enum_map = rollout();
    enum_map["kind"] = json!("AnalysisTemplate");
    let template = json!({
        "apiVersion": argo, "kind": "AnalysisTemplate", "metadata": {"name": "a"},
        "spec": {"metrics": [{"name": "m", "provider": {"datadog": {"query": "q", "aggregator": {"avg": null}}}}]},
    });
    let job = json!({
        "apiVersion": argo, "kind": "AnalysisTemplate", "metadata": {"name": "a"},
        "spec": {"metrics": [{"name": "m", "provider": {"job": {"spec": {"template": {"spec": {"containers": [{"name": "c", "imagePullPolicy": "Always", "extra": 1}]}}}}}}]},
    });
    for (a, k, value) in cases.into_iter().chain([
        // An enum written as a one-key map.
        (argo, "AnalysisTemplate", template),
        // An unknown field in a Job kept as JSON by our type.
        (argo, "AnalysisTemplate", job),
    ]) {
        assert!(!typed(a, k, &value), "typed read took {k} {value:#}");
        assert!(!schema_valid(a, k, &value), "the schema took {k} {value:#}");
    }
}

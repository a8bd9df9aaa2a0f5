//! JSON Schema plumbing shared by the values schema and the manifest schemas: Kubernetes
//! semantics for generated schemas, clean-ups before compiling, and finding the schema that
//! describes a place in an instance.

use serde_json::{Map, Value};

/// Calls `f` on `schema` and then on every schema nested in it (pre-order), following the
/// keywords that hold subschemas only, so that a property *named* `properties` or `default`
/// is never mistaken for a keyword.
pub fn walk_mut(schema: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    let Value::Object(map) = schema else {
        return;
    };
    f(map);
    for (key, child) in map.iter_mut() {
        match (key.as_str(), child) {
            (
                "properties" | "patternProperties" | "$defs" | "definitions",
                Value::Object(named),
            ) => {
                named.values_mut().for_each(|s| walk_mut(s, f));
            }
            ("anyOf" | "allOf" | "oneOf" | "prefixItems" | "items", Value::Array(list)) => {
                list.iter_mut().for_each(|s| walk_mut(s, f));
            }
            (
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems",
                s,
            ) => walk_mut(s, f),
            _ => {}
        }
    }
}

/// A generated schema with Kubernetes semantics: objects closed, quantities and
/// int-or-string values accepting what the API server accepts.
pub fn kubernetes_schema(schema: schemars::Schema) -> Value {
    // Through serde: the schema's serialiser puts `$schema`, `title`… first, as published.
    let mut schema = serde_json::to_value(schema)
        .unwrap_or_else(|e| unreachable!("a derived schema always serialises: {e}"));
    kubernetes_semantics(&mut schema);
    schema
}

/// [`kubernetes_schema`] in place, for a schema whose key order does not matter.
pub fn kubernetes_semantics(schema: &mut Value) {
    close_objects(schema);
    if let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        fix_kubernetes_defs(defs);
    }
}

pub const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
pub const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// The quantity syntax Kubernetes parses (`500m`, `1.5Gi`, `1e3`): the API server refuses
/// any other string (`1GB`).
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// Kubernetes reads quantities written as numbers (`cpu: 1`, `cpu: 0.5`) and int-or-string
/// fields as either; the OpenAPI types only say "string" / nothing.
pub fn fix_kubernetes_defs(defs: &mut Map<String, Value>) {
    if let Some(Value::Object(q)) = defs.get_mut(QUANTITY) {
        q.remove("type");
        let alts = serde_json::json!([
            {"type": "string", "pattern": QUANTITY_PATTERN},
            {"type": "number"},
        ]);
        q.insert("anyOf".into(), alts);
    }
    if let Some(Value::Object(i)) = defs.get_mut(INT_OR_STRING) {
        let alts = serde_json::json!([{"type": "integer"}, {"type": "string"}]);
        i.insert("anyOf".into(), alts);
    }
}

/// Kubernetes' OpenAPI types leave `additionalProperties` open; a values file or a manifest
/// should not (kubeconform's `-strict`, `kubectl --validate=strict`), so every object schema
/// that lists its properties is closed.
pub fn close_objects(schema: &mut Value) {
    walk_mut(schema, &mut |map| {
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    });
}

/// Drops the `null` alternative of optional fields (`type: [X, "null"]`, `anyOf: [X, null]`):
/// a plain schema gives precise errors where an `anyOf` would only say "matches nothing".
pub fn strip_null_alternatives(schema: &mut Value) {
    walk_mut(schema, &mut |map| {
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
        if let Some(Value::Object(inner)) = alone {
            map.remove("anyOf");
            for (k, v) in inner {
                map.entry(k).or_insert(v);
            }
        }
    });
}

/// Removes what only documents a schema (descriptions run to megabytes in the Kubernetes
/// types), leaving what validates.
pub fn strip_annotations(schema: &mut Value) {
    walk_mut(schema, &mut |map| {
        for key in ["description", "default", "examples", "title", "$comment"] {
            map.remove(key);
        }
    });
}

/// Keeps only the `$defs` that `schema` reaches: compiling indexes every definition given.
pub fn prune_defs(schema: &mut Value) {
    let Some(Value::Object(mut defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs"))
    else {
        return;
    };
    let mut keep = Map::new();
    let mut pending: Vec<String> = Vec::new();
    collect_refs(schema, &mut pending);
    while let Some(name) = pending.pop() {
        if let Some(def) = defs.remove(&name) {
            collect_refs(&def, &mut pending);
            keep.insert(name, def);
        }
    }
    if !keep.is_empty() {
        schema["$defs"] = Value::Object(keep);
    }
}

fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(name.replace("~1", "/").replace("~0", "~"));
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Readies a schema for compiling: only the definitions it uses, and an explicit empty
/// `properties` beside a bare `additionalProperties: false`, without which the validator
/// reports an object that takes no keys as "false schema" instead of naming the keys.
pub fn prepare(schema: &mut Value) {
    prune_defs(schema);
    walk_mut(schema, &mut |map| {
        if map.get("additionalProperties") == Some(&Value::Bool(false))
            && !map.contains_key("properties")
        {
            map.insert("properties".into(), Value::Object(Map::new()));
        }
    });
}

/// Compiles a schema (draft 2020-12 unless it says otherwise).
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

/// Follows `$ref`s (local ones, `#/…`) from `node` to the schema that describes.
pub fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    // Bounded: a reference cycle at the top of a node would be a broken schema.
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

/// The schema describing the value at instance `pointer`, following `properties`, `items`
/// and schema-valued `additionalProperties`.
pub fn schema_at<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
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

/// The property names an object schema lists.
pub fn property_names(schema: &Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Whether `schema` accepts `null`.
pub fn allows_null(root: &Value, schema: &Value) -> bool {
    let schema = resolve(root, schema);
    let Value::Object(map) = schema else {
        return schema != &Value::Bool(false);
    };
    let typed = match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        None => !["anyOf", "oneOf", "enum", "const", "not"]
            .iter()
            .any(|k| map.contains_key(*k)),
        _ => false,
    };
    let alternative = ["anyOf", "oneOf"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|alts| alts.iter().any(|a| allows_null(root, a)))
    });
    let listed = map
        .get("enum")
        .and_then(Value::as_array)
        .is_none_or(|e| e.contains(&Value::Null));
    (typed || alternative) && listed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walk_skips_property_names_that_look_like_keywords() {
        let mut schema = json!({
            "type": "object",
            "properties": {"properties": {"type": "object", "properties": {"a": true}}},
        });
        close_objects(&mut schema);
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["properties"]["properties"]["additionalProperties"],
            json!(false)
        );
        assert!(schema["properties"].get("additionalProperties").is_none());
    }

    #[test]
    fn null_alternatives_are_dropped() {
        let mut schema = json!({"properties": {
            "a": {"type": ["integer", "null"]},
            "b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}], "description": "b"},
        }});
        strip_null_alternatives(&mut schema);
        assert_eq!(schema["properties"]["a"], json!({"type": "integer"}));
        assert_eq!(
            schema["properties"]["b"],
            json!({"$ref": "#/$defs/B", "description": "b"})
        );
    }

    #[test]
    fn pruning_keeps_what_is_reached() {
        let mut schema = json!({
            "$ref": "#/$defs/A",
            "$defs": {"A": {"items": {"$ref": "#/$defs/B"}}, "B": {}, "C": {}},
        });
        prune_defs(&mut schema);
        let defs: Vec<&String> = schema["$defs"].as_object().unwrap().keys().collect();
        assert_eq!(defs.len(), 2, "{defs:?}");
        assert!(schema["$defs"].get("C").is_none());
    }

    #[test]
    fn finds_the_schema_of_a_place() {
        let root = json!({
            "properties": {"spec": {"$ref": "#/$defs/S"}},
            "$defs": {"S": {"properties": {"xs": {"items": {"properties": {"n": {"type": "integer"}}}}}}},
        });
        let n = schema_at(&root, "/spec/xs/3/n").unwrap();
        assert_eq!(n, &json!({"type": "integer"}));
        assert_eq!(property_names(schema_at(&root, "/spec").unwrap()), ["xs"]);
        assert!(schema_at(&root, "/nope").is_none());
    }

    #[test]
    fn nullability() {
        let root = json!({});
        assert!(allows_null(&root, &json!({"type": ["string", "null"]})));
        assert!(allows_null(
            &root,
            &json!({"anyOf": [{"type": "integer"}, {"type": "null"}]})
        ));
        assert!(allows_null(&root, &json!({})));
        assert!(allows_null(&root, &json!(true)));
        assert!(!allows_null(&root, &json!({"type": "string"})));
        assert!(!allows_null(&root, &json!({"enum": ["a"]})));
        assert!(!allows_null(
            &root,
            &json!({"type": ["string", "null"], "enum": ["a"]})
        ));
    }
}

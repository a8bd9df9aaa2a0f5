//! The committed values schema is the one the Rust types generate.

mod common;

#[test]
fn committed_schema_matches_the_types() {
    let r = common::run(&["schema"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let committed =
        std::fs::read_to_string(common::repo().join("schemas/values.schema.json")).unwrap();
    assert!(
        committed == r.stdout,
        "schemas/values.schema.json is out of date: run `cargo run -- schema > schemas/values.schema.json`"
    );
}

#[test]
fn example_values_declare_the_schema() {
    for entry in std::fs::read_dir(common::repo().join("examples")).unwrap() {
        let values = entry.unwrap().path().join("values.yaml");
        if values.is_file() {
            let first = std::fs::read_to_string(&values).unwrap();
            assert!(
                first.starts_with(
                    "# yaml-language-server: $schema=../../schemas/values.schema.json"
                ),
                "{} must start with the schema modeline",
                values.display()
            );
        }
    }
}

#[test]
fn schema_is_valid_json_schema_and_accepts_the_example() {
    let schema: serde_json::Value = serde_json::from_str(&common::run(&["schema"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let text = std::fs::read_to_string(common::example().join("values.yaml")).unwrap();
    let values: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&values)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bad: serde_json::Value = serde_json::json!({"image": {"tagg": "1"}});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn kubernetes_field_table_matches_the_schema() {
    use rollwright::values::model::{json_schema, kubernetes_field};
    let schema = json_schema();
    let mut seen = 0;
    for (key, prop) in schema["properties"].as_object().unwrap() {
        // Optional fields are `anyOf [X, null]`; lists carry the type in `items`.
        let target = prop.get("anyOf").and_then(|a| a.get(0)).unwrap_or(prop);
        let (target, list) = match target.get("items") {
            Some(items) => (items, true),
            None => (target, false),
        };
        let Some(def) = target["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/io.k8s."))
        else {
            assert!(
                kubernetes_field(key).is_none(),
                "{key} is not a Kubernetes field"
            );
            continue;
        };
        let (own, own_list) = kubernetes_field(key)
            .unwrap_or_else(|| panic!("{key} ({def}) is missing from kubernetes_field"));
        assert_eq!(own_list, list, "{key}");
        let published = &schema["$defs"][format!("io.k8s.{def}")];
        for field in ["properties", "required", "type"] {
            assert_eq!(own.get(field), published.get(field), "{key}: {field}");
        }
        seen += 1;
    }
    assert_eq!(seen, 12);
}

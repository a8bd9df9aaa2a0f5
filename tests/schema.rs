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

/// The examples name the schema by its published URL, so a copy of an example elsewhere
/// still finds it; the URL is this repository's file at this version's tag.
#[test]
fn example_values_declare_the_published_schema() {
    let url = rollwright::init::published_schema_url();
    assert_eq!(
        url,
        format!(
            "https://raw.githubusercontent.com/rollwright/rollwright/v{}/schemas/values.schema.json",
            env!("CARGO_PKG_VERSION")
        )
    );
    for entry in std::fs::read_dir(common::repo().join("examples")).unwrap() {
        let values = entry.unwrap().path().join("values.yaml");
        if values.is_file() {
            let first = std::fs::read_to_string(&values).unwrap();
            assert!(
                first.starts_with(&format!("# yaml-language-server: $schema={url}\n")),
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

/// Every key of the values model (down to the Kubernetes types) is named in the values
/// reference of docs/values.md.
#[test]
fn values_reference_documents_every_values_key() {
    let readme = std::fs::read_to_string(common::repo().join("docs/values.md")).unwrap();
    let start = readme.find("## Values reference").unwrap();
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + e);
    let section = &readme[start..end];
    let schema = rollwright::values::model::json_schema();
    let mut missing = Vec::new();
    let mut stack = vec![schema.clone()];
    let resolve = |v: &serde_json::Value| -> serde_json::Value {
        let mut v = v.clone();
        if let Some(first) = v.get("anyOf").and_then(|a| a.as_array()).and_then(|alts| {
            alts.iter()
                .find(|a| a.get("type").is_none_or(|t| t != "null"))
        }) {
            v = first.clone();
        }
        if let Some(items) = v.get("items") {
            v = items.clone();
        }
        if let Some(ap) = v.get("additionalProperties").filter(|a| a.is_object()) {
            v = ap.clone();
        }
        match v.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => schema.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => v,
        }
    };
    let mut seen = std::collections::HashSet::new();
    while let Some(node) = stack.pop() {
        for (key, prop) in node
            .get("properties")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            if !names_word(section, key) {
                missing.push(key.clone());
            }
            let is_k8s = |v: &serde_json::Value| v.to_string().contains("#/$defs/io.k8s.");
            let target = resolve(prop);
            if !is_k8s(prop) && seen.insert(target.to_string()) {
                stack.push(target);
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "the values reference in docs/values.md lacks: {missing:?}"
    );
}

/// `text` holds `word` with no letter or digit right before or after it.
fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// docs/rules.md is `rollwright rules --markdown`, byte for byte.
#[test]
fn rule_catalogue_is_generated() {
    let page = std::fs::read_to_string(common::repo().join("docs/rules.md")).unwrap();
    let generated = common::run(&["rules", "--markdown"]).stdout;
    assert!(
        page == generated,
        "docs/rules.md is out of date: regenerate it with `cargo run -q -- rules --markdown > docs/rules.md`"
    );
}

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

//! No value can change the structure of the rendered manifests: whatever a string holds
//! (newlines, `---`, `: `, `#`, quotes, `{{ }}`), it comes out as the same single scalar.

use std::path::Path;

use proptest::prelude::*;
use rollwright::render::{self, output};
use rollwright::values::{self, ValuesInput};
use serde_json::{Value, json};

fn hostile() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("---\n".to_owned()),
        Just(": ".to_owned()),
        Just("# ".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("{{ name }}".to_owned()),
        Just("{% if true %}".to_owned()),
        Just("{{args.x}}".to_owned()),
        Just("- ".to_owned()),
        Just("|\n  ".to_owned()),
        Just("&a *a !!str ".to_owned()),
        Just("\t\\\r".to_owned()),
        Just("\u{0}\u{7f}\u{feff}\u{2028}".to_owned()),
        any::<String>(),
        "[a-z ]{0,8}",
    ];
    prop::collection::vec(token, 0..6).prop_map(|parts| parts.concat())
}

/// JSON is YAML, except that YAML wants its non-printable characters escaped.
fn to_yaml_text(values: &Value) -> String {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && c != '\u{feff}'
    };
    values
        .to_string()
        .chars()
        .map(|c| {
            if printable(c) {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect()
}

fn render(dir: &Path, values: &Value) -> Vec<Value> {
    std::fs::write(dir.join("values.yaml"), to_yaml_text(values)).unwrap();
    let loaded = values::load(&ValuesInput {
        chart: dir.to_path_buf(),
        name: Some("app".into()),
        ..Default::default()
    })
    .unwrap();
    let objects = render::render(&loaded, None).unwrap();
    let text = output::to_stream(&objects).unwrap();
    serde_saphyr::from_str_multiple(&text).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hostile_strings_stay_scalars(value in hostile(), key in hostile()) {
        let dir = tempfile::tempdir().unwrap();
        let values = json!({
            "image": {"tag": "1"},
            "podAnnotations": {"note": value, "x": "y"},
            "annotations": {format!("k{key}"): value},
            "rollout": {"strategy": {"blueGreen": {"prePromotionAnalysis": {
                "templates": [{"templateName": "t"}],
                "args": [{"name": "a", "value": value}]}}}},
            "analysisTemplates": {"t": {"metrics": [{
                "name": "m",
                "provider": {"prometheus": {"address": "http://p", "query": value}}}]}},
        });
        let docs = render(dir.path(), &values);
        prop_assert_eq!(docs.len(), 4);
        let rollout = &docs[0];
        prop_assert_eq!(&rollout["spec"]["template"]["metadata"]["annotations"], &json!({"note": value, "x": "y"}));
        prop_assert_eq!(&rollout["metadata"]["annotations"], &json!({format!("k{key}"): value}));
        prop_assert_eq!(&rollout["spec"]["strategy"]["blueGreen"]["prePromotionAnalysis"]["args"][0]["value"], &json!(value));
        prop_assert_eq!(&docs[3]["spec"]["metrics"][0]["provider"]["prometheus"]["query"], &json!(value));
        let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        prop_assert_eq!(kinds, vec!["Rollout", "Service", "Service", "AnalysisTemplate"]);
    }
}

#[test]
fn argo_placeholders_pass_through_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let query = "sum(rate(x{service=\"{{args.service-name}}\"}[5m])) / {{ args.total }}";
    let docs = render(
        dir.path(),
        &json!({
            "image": {"tag": "1"},
            "analysisTemplates": {"t": {
                "args": [{"name": "service-name"}, {"name": "total"}],
                "metrics": [{"name": "m", "count": "{{args.n}}",
                    "provider": {"prometheus": {"address": "http://p", "query": query}}}]}},
        }),
    );
    assert_eq!(
        docs[3]["spec"]["metrics"][0]["provider"]["prometheus"]["query"],
        query
    );
    assert_eq!(docs[3]["spec"]["metrics"][0]["count"], "{{args.n}}");
}

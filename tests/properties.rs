//! Property tests over the fuzzing entry points (see fuzz/): random, structured-looking input
//! never makes loading, validation, rendering or diffing panic, and reading never depends on
//! which YAML path ran. `cargo fuzz` explores further; these run in every `cargo test`.

mod common;

use proptest::prelude::*;
use rollwright::diff::{self, Sides};
use rollwright::input::InputOptions;
use rollwright::report::{self, Format, WriteOptions};
use rollwright::validate::{Options, validate};
use rollwright::values::{self, ValuesInput};
use rollwright::yaml;

/// YAML-looking text: lines of keys, list items and scalars of many shapes, at random indents.
fn yamlish() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("apiVersion".to_string()),
        Just("kind".to_string()),
        Just("metadata".to_string()),
        Just("name".to_string()),
        Just("spec".to_string()),
        Just("strategy".to_string()),
        Just("blueGreen".to_string()),
        Just("activeService".to_string()),
        Just("template".to_string()),
        Just("containers".to_string()),
        Just("image".to_string()),
        Just("metrics".to_string()),
        "[a-zA-Z<]{1,8}",
        Just("<<".to_string()),
        Just("y".to_string()),
        Just("010".to_string()),
        Just("1.0e6".to_string()),
        Just("~".to_string()),
    ];
    let scalar = prop_oneof![
        Just("argoproj.io/v1alpha1".to_string()),
        Just("v1".to_string()),
        Just("Rollout".to_string()),
        Just("Service".to_string()),
        Just("AnalysisTemplate".to_string()),
        Just("~".to_string()),
        Just("yes".to_string()),
        Just("0755".to_string()),
        Just("1.28".to_string()),
        Just("0x1F".to_string()),
        Just("yES".to_string()),
        Just("1_0".to_string()),
        Just("3.0".to_string()),
        Just(".inf".to_string()),
        Just("!!binary aGk=".to_string()),
        Just("{<<: {a: 1}}".to_string()),
        Just("&a x".to_string()),
        Just("*a".to_string()),
        Just("!!str 5".to_string()),
        Just("{a: [1, 2]}".to_string()),
        Just("'q'".to_string()),
        Just("\"d\\u00e9\"".to_string()),
        Just("|".to_string()),
        "-?[0-9]{1,20}",
        "[ -~]{0,12}",
    ];
    let line = (0usize..6, prop::bool::ANY, key, scalar).prop_map(|(indent, item, k, v)| {
        let pad = "  ".repeat(indent);
        if item {
            format!("{pad}- {k}: {v}\n")
        } else {
            format!("{pad}{k}: {v}\n")
        }
    });
    prop::collection::vec(
        prop_oneof![9 => line, 1 => Just("---\n".to_string())],
        0..40,
    )
    .prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn reading_does_not_depend_on_the_path(text in yamlish()) {
        if let Err(e) = common::yaml_paths_agree(&text) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn validation_never_panics(text in yamlish()) {
        let options = Options {
            inputs: InputOptions {
                texts: vec![("p.yaml".into(), text.into_bytes())],
                ..Default::default()
            },
            ..Default::default()
        };
        let report = validate(&options).expect("built-in schemas");
        for format in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
            report::write(&report, format, &WriteOptions { color: false });
        }
    }

    #[test]
    fn diffing_never_panics(a in yamlish(), b in yamlish()) {
        let values = |t: &str| yaml::parse_documents(t).map(|d| d.into_iter().map(|d| d.value).collect::<Vec<_>>());
        if let (Ok(before), Ok(after)) = (values(&a), values(&b)) {
            let sides = Sides { before, after, ..Default::default() };
            if let Ok(report) = diff::compare(sides, &diff::Options::default()) {
                diff::unified::write(&report, 3, false).expect("writes");
                diff::markdown::write(&report, 3, 4096).expect("writes");
                diff::json::write(&report);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn values_loading_never_panics(text in yamlish()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("values.yaml"), &text).unwrap();
        let input = ValuesInput { chart: dir.path().to_path_buf(), ..Default::default() };
        if let Ok(loaded) = values::load(&input) {
            let _ = rollwright::render::render(&loaded, None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Whatever a string holds, the YAML rollwright writes reads back, as kubectl reads it, as
    /// that same string: a label `0X1F`, `yES` or `1_0` is never sent as a number or boolean.
    #[test]
    fn written_strings_read_back_as_the_same_strings(
        text in prop_oneof![
            "[-+0-9a-fA-FxXoObB_.eE:~<yYnN ]{0,10}",
            "(y|Y|yes|on|ON|n|No|off|true|TRUE|null|Null|~|<<|\\.inf|\\.nan)",
            "[0-9]{1,25}",
            "[ -~\u{a0}-\u{ff}]{0,12}",
        ]
    ) {
        let value = serde_json::json!({ "k": text.clone(), text.clone(): "key" });
        let written = rollwright::render::output::to_yaml(&value).expect("writes");
        let read = yaml::parse_documents(&written).map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
        prop_assert_eq!(&read[0].value, &value, "{}", written);
    }
}

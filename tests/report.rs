//! The output formats of `rollwright validate`, on a report built here and through the CLI.

mod common;

use std::collections::BTreeMap;

use rollwright::error::{Diagnostic, Location};
use rollwright::report::{
    self, Finding, Format, ObjectRef, Report, Severity, Summary, WriteOptions,
};
use rollwright::yaml::Pos;
use serde_json::{Value, json};

const ROLLOUT: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
spec:
  strategy:
    blueGreen:
      activeService: shop-active
      previewService: shop-active
";

fn rollout() -> Option<ObjectRef> {
    Some(ObjectRef {
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "Rollout".into(),
        namespace: Some("shop".into()),
        name: "shop".into(),
    })
}

/// Two findings in one file (an error with help, a warning without), an info in a file whose
/// text is unknown, a note, and two input errors.
fn sample() -> Report {
    Report {
        findings: vec![
            Finding {
                rule: "BG-01",
                name: "distinct-active-preview-services",
                severity: Severity::Error,
                message: "the same Service, 100% of traffic".into(),
                help: Some("name two different Services".into()),
                file: "./k8s/rollout.yaml".into(),
                line: 9,
                column: 7,
                path: "spec.strategy.blueGreen.previewService".into(),
                object: rollout(),
            },
            Finding {
                rule: "BG-02",
                name: "scale-down-limit-within-history",
                severity: Severity::Warning,
                message: "line one\nline two: a, b".into(),
                help: None,
                file: "./k8s/rollout.yaml".into(),
                line: 3,
                column: 1,
                path: "metadata".into(),
                object: rollout(),
            },
            Finding {
                rule: "X-99",
                name: "not-in-the-registry",
                severity: Severity::Info,
                message: "for your information".into(),
                help: None,
                file: "other, dir/a:b.yaml".into(),
                line: 1,
                column: 1,
                path: String::new(),
                object: None,
            },
        ],
        summary: Summary {
            files: 2,
            objects: 3,
            skipped_documents: 1,
            skipped_templates: 0,
            errors: 1,
            warnings: 1,
            infos: 1,
            ..Summary::default()
        },
        input_errors: vec![
            Diagnostic::new(
                Some(Location::File {
                    path: "broken.yaml".into(),
                    pos: Some(Pos { line: 2, column: 4 }),
                }),
                "did not find expected key",
            )
            .with_help("check the indentation"),
            Diagnostic::new(Some(Location::Flag("--exclude [".into())), "unclosed class"),
        ],
        notes: vec!["chart/templates/x.yaml: a Helm template, skipped".into()],
        sources: BTreeMap::from([("./k8s/rollout.yaml".to_owned(), ROLLOUT.to_owned())]),
        rules: rollwright::rules::catalogue(),
    }
}

fn write(report: &Report, format: Format, color: bool) -> String {
    report::write(report, format, &WriteOptions { color })
}

#[test]
fn text_without_colour() {
    let out = write(&sample(), Format::Text, false);
    assert_eq!(
        out,
        "\
error[BG-01]: the same Service, 100% of traffic
 --> ./k8s/rollout.yaml:9:7
  |
9 |       previewService: shop-active
  |       ^^^^^^^^^^^^^^
  = help: name two different Services

warning[BG-02]: line one
line two: a, b
 --> ./k8s/rollout.yaml:3:1
  |
3 | metadata:
  | ^^^^^^^^

info[X-99]: for your information
 --> other, dir/a:b.yaml:1:1

note: chart/templates/x.yaml: a Helm template, skipped
1 error, 1 warning, 1 info in 2 files (3 objects; 1 non-Kubernetes document skipped) for Argo Rollouts 1.9; 2 input errors
"
    );
    assert!(!out.contains('\x1b'));
}

#[test]
fn text_with_colour() {
    let out = write(&sample(), Format::Text, true);
    assert!(out.contains("\x1b[1;31merror[BG-01]\x1b[0m\x1b[1m: the same Service"));
    assert!(out.contains("\x1b[1;33mwarning[BG-02]\x1b[0m"));
    assert!(out.contains("\x1b[1;34minfo[X-99]\x1b[0m"));
    assert!(out.contains("\x1b[2m9\x1b[0m \x1b[2m|\x1b[0m       previewService"));
    assert!(out.contains("\x1b[1;31m^^^^^^^^^^^^^^\x1b[0m"));
    // Without the codes it is the plain text.
    let plain = out
        .split('\x1b')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                &part[part.find('m').unwrap() + 1..]
            }
        })
        .collect::<String>();
    assert_eq!(plain, write(&sample(), Format::Text, false));
}

#[test]
fn text_without_findings() {
    let report = Report {
        summary: Summary {
            files: 2,
            objects: 7,
            ..Summary::default()
        },
        ..Report::default()
    };
    assert_eq!(
        write(&report, Format::Text, true),
        "\x1b[1mno problems in 2 files (7 objects) for Argo Rollouts 1.9\x1b[0m\n"
    );
}

#[test]
fn json_shape() {
    let out = write(&sample(), Format::Json, true);
    assert!(out.ends_with("}\n") && out.contains("\n  \"findings\": [\n"));
    let value: Value = serde_json::from_str(&out).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&value), ["findings", "summary", "errors"]);
    assert_eq!(
        value["findings"][0],
        json!({
            "rule": "BG-01",
            "name": "distinct-active-preview-services",
            "severity": "error",
            "message": "the same Service, 100% of traffic",
            "help": "name two different Services",
            "file": "./k8s/rollout.yaml",
            "line": 9,
            "column": 7,
            "path": "spec.strategy.blueGreen.previewService",
            "object": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "namespace": "shop", "name": "shop"}
        })
    );
    assert_eq!(
        keys(&value["findings"][0]),
        [
            "rule", "name", "severity", "message", "help", "file", "line", "column", "path",
            "object"
        ]
    );
    assert_eq!(
        keys(&value["findings"][0]["object"]),
        ["apiVersion", "kind", "namespace", "name"]
    );
    assert_eq!(value["findings"][2]["object"], Value::Null);
    assert_eq!(value["findings"][2]["help"], Value::Null);
    assert_eq!(
        value["summary"],
        json!({"files": 2, "objects": 3, "skippedDocuments": 1, "skippedTemplates": 0,
               "errors": 1, "warnings": 1, "infos": 1, "rolloutsVersion": "1.9"})
    );
    assert_eq!(
        value["errors"],
        json!([
            {"file": "broken.yaml", "line": 2, "column": 4,
             "message": "did not find expected key", "help": "check the indentation"},
            {"file": null, "line": null, "column": null,
             "message": "--exclude [: unclosed class", "help": null}
        ])
    );
    assert_eq!(
        keys(&value["errors"][0]),
        ["file", "line", "column", "message", "help"]
    );
}

#[test]
fn github_commands_and_escaping() {
    let out = write(&sample(), Format::Github, true);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=broken.yaml,line=2,col=4,title=rollwright%3A input error::did not find expected key%0Ahelp: check the indentation",
            "::error title=rollwright%3A input error::--exclude [: unclosed class",
            "::error file=k8s/rollout.yaml,line=9,col=7,title=BG-01 distinct-active-preview-services::the same Service, 100%25 of traffic%0Ahelp: name two different Services",
            "::warning file=k8s/rollout.yaml,line=3,col=1,title=BG-02 scale-down-limit-within-history::line one%0Aline two: a, b",
            "::notice file=other%2C dir/a%3Ab.yaml,line=1,col=1,title=X-99 not-in-the-registry::for your information",
        ]
    );
    assert!(!out.contains('\x1b'));
}

fn sarif(report: &Report) -> Value {
    serde_json::from_str(&write(report, Format::Sarif, true)).unwrap()
}

#[test]
fn sarif_shape() {
    let log = sarif(&sample());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], report::sarif::SCHEMA);
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "rollwright");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let registry: Vec<_> = rollwright::rules::all().collect();
    assert_eq!(rules.len(), registry.len());
    for (descriptor, rule) in rules.iter().zip(&registry) {
        assert_eq!(descriptor["id"], rule.id);
        assert_eq!(descriptor["name"], rule.name);
        assert_eq!(descriptor["shortDescription"]["text"], rule.doc);
        assert!(
            descriptor["help"]["text"]
                .as_str()
                .unwrap()
                .contains(rule.id)
        );
        let level = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(descriptor["defaultConfiguration"]["level"], level);
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let first = &results[0];
    assert_eq!(first["ruleId"], "BG-01");
    assert_eq!(
        rules[first["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "BG-01"
    );
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["message"]["text"],
        "the same Service, 100% of traffic\nhelp: name two different Services"
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"],
        json!({
            "artifactLocation": {"uri": "k8s/rollout.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 9, "startColumn": 7}
        })
    );
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[2]["level"], "note");
    // A rule the registry does not know has no index.
    assert!(results[2].get("ruleIndex").is_none());
    assert_eq!(
        results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "other,%20dir/a%3Ab.yaml"
    );

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 2);
    assert_eq!(notifications[0]["level"], "error");
    assert_eq!(
        notifications[0]["message"]["text"],
        "did not find expected key\nhelp: check the indentation"
    );
    assert_eq!(
        notifications[0]["locations"][0]["physicalLocation"]["region"],
        json!({"startLine": 2, "startColumn": 4})
    );
    assert!(notifications[1].get("locations").is_none());

    // Byte-identical from one run to the next.
    assert_eq!(
        write(&sample(), Format::Sarif, false),
        write(&sample(), Format::Sarif, false)
    );
}

#[test]
fn sarif_fingerprints_ignore_lines_but_not_identity() {
    let fingerprint = |report: &Report, i: usize| {
        sarif(report)["runs"][0]["results"][i]["partialFingerprints"]["rollwright/v1"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let base = sample();
    let a = fingerprint(&base, 0);
    assert_eq!(a.len(), 16);
    assert_ne!(a, fingerprint(&base, 1));

    let mut moved = sample();
    moved.findings[0].line += 10;
    moved.findings[0].column = 3;
    // `./k8s/…` and `k8s/…` name the same file.
    moved.findings[0].file = "k8s/rollout.yaml".into();
    assert_eq!(fingerprint(&moved, 0), a);

    let mut renamed = sample();
    renamed.findings[0].object.as_mut().unwrap().name = "cart".into();
    assert_ne!(fingerprint(&renamed, 0), a);
    let mut other_path = sample();
    other_path.findings[0].path = "spec.strategy.blueGreen.activeService".into();
    assert_ne!(fingerprint(&other_path, 0), a);
}

#[test]
fn sarif_paths() {
    let mut report = sample();
    let abs = format!("{}/k8s/rollout.yaml", env!("CARGO_MANIFEST_DIR"));
    report.findings[0].file = abs;
    report.findings[1].file = "<stdin>".into();
    let log = sarif(&report);
    let artifact = |i: usize| &log["runs"][0]["results"][i]["locations"][0]["physicalLocation"];
    // Tests run in the package's directory, so an absolute path under it becomes relative.
    assert_eq!(
        artifact(0)["artifactLocation"],
        json!({"uri": "k8s/rollout.yaml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(
        artifact(1)["artifactLocation"],
        json!({"description": {"text": "standard input"}})
    );
    assert_eq!(artifact(1)["region"]["startLine"], 3);
}

/// Validates against the official SARIF 2.1.0 schema, from the file named by
/// `ROLLWRIGHT_SARIF_SCHEMA` (`.ci/run` fetches it).
#[test]
#[ignore = "needs ROLLWRIGHT_SARIF_SCHEMA"]
fn sarif_validates_against_the_official_schema() {
    let Some(path) = common::peers::env_path("ROLLWRIGHT_SARIF_SCHEMA") else {
        return;
    };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("ROLLWRIGHT_SARIF_SCHEMA={}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "the SARIF 2.1.0 schema is written in draft 4"
    );
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let check = |what: &str, log: &Value| {
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    };

    let mut report = sample();
    check("sample", &sarif(&report));
    report.findings[0].file = "<stdin>".into();
    report.findings[1].file = "/elsewhere/my rollout.yaml".into();
    check("stdin and absolute paths", &sarif(&report));
    check("empty report", &sarif(&Report::default()));

    let cli = common::run(&[
        "validate",
        "--format",
        "sarif",
        "fixtures/rules/BG-01/fail.yaml",
    ]);
    assert_eq!(cli.code, 1, "{}", cli.stderr);
    check("BG-01 fixture", &serde_json::from_str(&cli.stdout).unwrap());

    // The schema does reject a broken log.
    let mut broken = sarif(&sample());
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn cli_formats() {
    let file = "fixtures/rules/BG-01/fail.yaml";

    let json = common::run(&["validate", "--format", "json", file]);
    assert_eq!(json.code, 1);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["findings"][0]["rule"], "BG-01");
    assert_eq!(value["findings"][0]["file"], file);
    assert_eq!(value["findings"][0]["line"], 29);
    assert_eq!(value["summary"]["errors"], 1);
    assert_eq!(value["errors"], json!([]));

    let text = common::run(&["validate", "--color", "never", file]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.starts_with(
            "error[BG-01]: spec.strategy.activeService: Invalid value: \"shop-active\""
        )
    );
    assert!(text.stdout.contains(&format!(
        "\n  --> {file}:29:7\n   |\n29 |       previewService: shop-active"
    )));
    assert!(
        text.stdout
            .ends_with("\n\n1 error in 1 file (3 objects) for Argo Rollouts 1.9\n")
    );
    assert!(!text.stdout.contains('\x1b'));

    let coloured = common::run(&["validate", "--color", "always", file]);
    assert!(coloured.stdout.starts_with("\x1b[1;31merror[BG-01]"));
    // `auto` never colours a pipe.
    let auto = common::run(&["validate", file]);
    assert!(!auto.stdout.contains('\x1b'));

    let github = common::run(&["validate", "--format", "github", file]);
    assert!(github.stdout.starts_with(&format!(
        "::error file={file},line=29,col=7,title=BG-01 distinct-active-preview-services::"
    )));
    assert_eq!(github.stdout.lines().count(), 1);

    // Input errors: on standard error in every format, and inside the document too for the
    // machine formats.
    let missing = common::run(&["validate", "--format", "json", "missing.yaml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("missing.yaml"),
        "{}",
        missing.stderr
    );
    let value: Value = serde_json::from_str(&missing.stdout).unwrap();
    assert_eq!(value["errors"][0]["file"], "missing.yaml");
    let missing = common::run(&["validate", "missing.yaml"]);
    assert!(
        missing
            .stderr
            .starts_with("error: missing.yaml: cannot read")
    );
    assert!(missing.stdout.ends_with("1 input error\n"));
}

//! The upstream Argo Rollouts examples and test manifests, read from the folder named by
//! `ROLLWRIGHT_ARGO_CORPUS` (`crds/` and `corpus/` inside; `.ci/run` points it at the shared
//! copy). A plain `cargo test` without it skips these tests and says so.
//!
//! Valid manifests must give no error; each invalid one must give the rule the controller (or
//! its lint) reports for it; and the built-in schemas must agree with the upstream CRDs.

use std::path::{Path, PathBuf};

use rollwright::input::InputOptions;
use rollwright::report::{Report, Severity};
use rollwright::validate::{Options, validate};

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("ROLLWRIGHT_ARGO_CORPUS") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            assert!(
                std::env::var("ROLLWRIGHT_REQUIRE_PEERS").is_err(),
                "ROLLWRIGHT_ARGO_CORPUS is not set but ROLLWRIGHT_REQUIRE_PEERS is"
            );
            eprintln!("skipped: ROLLWRIGHT_ARGO_CORPUS is not set");
            None
        }
    }
}

fn check(files: &[PathBuf], crds: Option<&Path>) -> Report {
    validate(&Options {
        inputs: InputOptions {
            paths: files.to_vec(),
            ..Default::default()
        },
        crds: crds.map(|c| vec![c.to_path_buf()]).unwrap_or_default(),
        ..Default::default()
    })
    .unwrap()
}

/// Plain-YAML files of a corpus folder: not Helm templates, and parseable.
fn plain_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !rollwright::input::is_helm_template(&text)
                && rollwright::yaml::parse_documents(&text).is_ok()
        })
        .collect();
    files.sort();
    files
}

fn errors(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}:{} {} {}", f.file, f.line, f.rule, f.message))
        .collect()
}

#[test]
fn valid_manifests_give_no_error() {
    let Some(root) = corpus() else { return };
    let mut problems = Vec::new();
    let mut checked = 0;
    for folder in ["examples", "valid", "other"] {
        for file in plain_files(&root.join("corpus").join(folder)) {
            // The e2e harness replaces ROLLOUT_NAME before applying this one.
            if file.ends_with("test__e2e__functional__bluegreen-duration-template.yaml") {
                continue;
            }
            let report = check(std::slice::from_ref(&file), None);
            if !report.input_errors.is_empty() {
                // Values files and kustomizations hold no Kubernetes object.
                continue;
            }
            checked += 1;
            // rollouts-demo still uses the old `canary.analysis.templateName` form, which the
            // upstream CRD refuses too.
            let known = "rollouts-demo__examples__analysis__rollout-with-analysis.yaml";
            if file.ends_with(known) {
                assert_eq!(errors(&report).len(), 1, "{:?}", errors(&report));
                assert!(errors(&report)[0].contains("API-07 unknown field `templateName`"));
                continue;
            }
            problems.extend(errors(&report));
        }
    }
    assert!(checked >= 50, "only {checked} corpus files were checked");
    assert!(
        problems.is_empty(),
        "{} errors:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn invalid_manifests_give_the_controllers_rule() {
    let Some(root) = corpus() else { return };
    let lint = "pkg__kubectl-argo-rollouts__cmd__lint__testdata__";
    let cases: &[(&str, &str)] = &[
        ("invalid.yml", "C-01"),
        ("invalid.json", "C-01"),
        ("invalid-multiple-docs.yml", "C-01"),
        ("invalid-empty-rollout-vsvc.yml", "R-02"),
        ("invalid-unknown-field.yml", "API-07"),
        ("invalid-service-labels.yml", "CR-02"),
        ("invalid-ping-pong.yml", "CR-02"),
        ("invalid-ingress-smi-multi.yml", "CR-02"),
        ("invalid-nginx-canary.yml", "C-26"),
    ];
    let mut problems = Vec::new();
    let mut expect = |file: PathBuf, rule: &str| {
        let report = check(std::slice::from_ref(&file), None);
        if !report.findings.iter().any(|f| f.rule == rule) {
            let got: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
            problems.push(format!(
                "{}: expected {rule}, got {got:?} {:?}",
                file.display(),
                report.input_errors
            ));
        }
    };
    let invalid = root.join("corpus/invalid");
    for (name, rule) in cases {
        expect(invalid.join(format!("{lint}{name}")), rule);
    }
    expect(
        invalid.join(
            "pkg__kubectl-argo-rollouts__info__testdata__rollout-invalid__rollout-invalid.yaml",
        ),
        "R-07a",
    );
    expect(
        invalid.join("test__e2e__functional_test.go__TestFixInvalidSpec__1.yaml"),
        "CR-04",
    );
    expect(
        invalid.join("test__e2e__functional_test.go__TestWorkloadRefTemplate__1.yaml"),
        "R-05",
    );
    expect(
        invalid.join(
            "test__e2e__functional_test.go__TestWorkloadRef__1__until-deployment-exists.yaml",
        ),
        "WR-03",
    );
    // Accepted by the API server and tolerated by the controller: a warning, not an error.
    expect(
        invalid.join("test__e2e__expectedfailures__malformed-rollout.yaml"),
        "P-08",
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn builtin_schemas_agree_with_the_upstream_crds() {
    let Some(root) = corpus() else { return };
    let crds = root.join("crds");
    let schema_findings = |r: &Report| -> Vec<String> {
        let mut v: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("API-"))
            .map(|f| format!("{}:{}:{}", f.file, f.line, f.rule))
            .collect();
        v.sort();
        v
    };
    for folder in ["examples", "valid", "other", "invalid"] {
        let files = plain_files(&root.join("corpus").join(folder));
        let builtin = schema_findings(&check(&files, None));
        let upstream = schema_findings(&check(&files, Some(&crds)));
        assert_eq!(
            builtin, upstream,
            "{folder}: built-in schemas and upstream CRDs disagree"
        );
    }
}

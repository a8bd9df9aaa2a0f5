//! `rollwright validate` over files, trees, standard input and charts.

mod common;

use std::path::Path;

use common::{example, repo, run, run_in};
use rollwright::config::Config;
use rollwright::input::InputOptions;
use rollwright::report::Report;
use rollwright::validate::{Options, validate};

fn check(paths: &[&Path], strict: bool, config: Config) -> Report {
    validate(&Options {
        inputs: InputOptions {
            paths: paths.iter().map(|p| p.to_path_buf()).collect(),
            ..Default::default()
        },
        strict,
        config,
        ..Default::default()
    })
    .unwrap()
}

fn rules_of(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.severity))
        .collect()
}

fn fixture(rule: &str, which: &str) -> std::path::PathBuf {
    repo().join(format!("fixtures/rules/{rule}/{which}.yaml"))
}

/// Splits a multi-document fixture into one file per document under `dir`.
fn spread(from: &Path, dir: &Path) {
    let text = std::fs::read_to_string(from).unwrap();
    for (i, doc) in text.split("\n---\n").enumerate() {
        let sub = dir.join(format!("part{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("doc{i}.yaml")), doc).unwrap();
    }
}

#[test]
fn clean_bundle_exits_zero_and_defect_exits_one() {
    let r = run(&["validate", fixture("BG-01", "pass").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["validate", fixture("BG-01", "fail").to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("BG-01"), "{}", r.stdout);
}

#[test]
fn a_tree_resolves_references_across_files() {
    let dir = tempfile::tempdir().unwrap();
    spread(&fixture("P-06", "pass"), dir.path());
    let report = check(&[dir.path()], false, Config::default());
    assert_eq!(report.summary.objects, 4);
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));

    // Without the preview Service the reference is a warning, an error with --strict.
    let preview = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p.join(format!(
                    "doc{}.yaml",
                    p.file_name()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .trim_start_matches("part")
                )))
            .unwrap()
            .contains("name: shop-preview\nspec:\n  selector")
        })
        .unwrap();
    std::fs::remove_dir_all(preview).unwrap();
    let report = check(&[dir.path()], false, Config::default());
    assert_eq!(rules_of(&report), ["BGR-02 warning"]);
    let report = check(&[dir.path()], true, Config::default());
    assert_eq!(rules_of(&report), ["BGR-02 error"]);
    let r = run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(&["validate", "--strict", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn walked_trees_skip_what_is_not_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("BG-01", "pass"), d.join("app.yaml")).unwrap();
    std::fs::write(d.join("values.yaml"), "image:\n  tag: \"1\"\n").unwrap();
    std::fs::write(d.join("kustomization.yaml"), "resources:\n  - app.yaml\n").unwrap();
    std::fs::create_dir(d.join("templates")).unwrap();
    std::fs::write(
        d.join("templates/svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    std::fs::create_dir(d.join(".git")).unwrap();
    std::fs::write(d.join(".git/bad.yaml"), "a: [\n").unwrap();
    std::fs::write(d.join("notes.txt"), "a: [\n").unwrap();
    std::fs::create_dir(d.join("vendor")).unwrap();
    std::fs::copy(fixture("BG-01", "fail"), d.join("vendor/bad.yaml")).unwrap();
    let report = validate(&Options {
        inputs: InputOptions {
            paths: vec![d.to_path_buf()],
            exclude: vec!["vendor/**".into()],
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    assert_eq!(report.summary.objects, 3);
    assert_eq!(report.summary.skipped_documents, 2);
    assert_eq!(report.summary.skipped_templates, 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("svc.yaml") && n.contains("Helm template"))
    );
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));
}

#[test]
fn input_errors_exit_two_after_checking_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "fail"), dir.path().join("a.yaml")).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: x\n",
    )
    .unwrap();
    let r = run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("b.yaml:"), "{}", r.stderr);
    assert!(
        r.stdout.contains("BG-01"),
        "the other file was still checked: {}",
        r.stdout
    );
}

#[test]
fn a_named_file_without_objects_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("kustomization.yaml");
    std::fs::write(&f, "resources: [a.yaml]\n").unwrap();
    // A mapping of plain keys reads as a values file: it is rendered, and its errors reported.
    let r = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let g = dir.path().join("list.yaml");
    std::fs::write(&g, "- a\n- b\n").unwrap();
    let r = run(&["validate", g.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("holds no Kubernetes object"),
        "{}",
        r.stderr
    );
    let r = run(&["validate", "no/such/file.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no/such/file.yaml"), "{}", r.stderr);
}

#[test]
fn standard_input_takes_helm_template_output() {
    let rendered = run(&["render", example().to_str().unwrap()]).stdout;
    let out = common::rollwright()
        .args(["validate", "-"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_chart_is_rendered_and_findings_point_into_its_values() {
    let r = run(&["validate", example().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    let text = text.replace("scaleDownDelaySeconds: 30", "scaleDownDelaySeconds: 5");
    std::fs::write(dir.path().join("values.yaml"), &text).unwrap();
    let report = check(&[dir.path()], false, Config::default());
    // P-10: the example's analysis counts ingress-nginx requests to the preview Service, and
    // the chart renders no Ingress (docs/explain.md).
    assert_eq!(rules_of(&report), ["P-03 warning", "P-10 info"]);
    let f = &report.findings[0];
    let line = text
        .lines()
        .position(|l| l.contains("scaleDownDelaySeconds: 5"))
        .unwrap()
        + 1;
    assert!(f.file.ends_with("values.yaml"), "{}", f.file);
    assert_eq!(f.line as usize, line);
}

#[test]
fn configuration_turns_rules_off_changes_severities_and_ignores_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("P-03", "fail"), d.join("app.yaml")).unwrap();
    std::fs::write(d.join(".rollwright.yaml"), "rules:\n  P-03: error\n").unwrap();
    let r = run_in(d, &["validate", "app.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    std::fs::write(
        d.join(".rollwright.yaml"),
        "rules:\n  scale-down-delay-too-short: off\n",
    )
    .unwrap();
    let r = run_in(d, &["validate", "app.yaml"]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("P-03"), "{}", r.stdout);
    std::fs::write(
        d.join(".rollwright.yaml"),
        "rules:\n  P-03: error\nignore:\n  - path: \"app.yaml\"\n    rules: [P-03]\n",
    )
    .unwrap();
    let r = run_in(d, &["validate", "app.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    std::fs::write(d.join(".rollwright.yaml"), "rules:\n  P-3: off\n").unwrap();
    let r = run_in(d, &["validate", "app.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(".rollwright.yaml:2:3: no rule `P-3`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `P-03`?"), "{}", r.stderr);
    std::fs::write(d.join("other.yaml"), "rules: {}\nexclude: [\"*.yaml\"]\n").unwrap();
    let r = run_in(d, &["validate", "--config", "other.yaml", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn an_annotation_silences_rules_on_one_object() {
    let text = std::fs::read_to_string(fixture("P-03", "fail")).unwrap();
    let text = text.replacen(
        "metadata:\n  name: shop\n",
        "metadata:\n  name: shop\n  annotations:\n    rollwright.io/ignore: \"BG-01, P-03\"\n",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), text).unwrap();
    let report = check(&[&dir.path().join("a.yaml")], false, Config::default());
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));
}

#[test]
fn severity_filter_and_strict() {
    let f = fixture("P-03", "fail");
    let r = run(&["validate", "--severity", "error", f.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("P-03"), "{}", r.stdout);
    let r = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("P-03"), "{}", r.stdout);
    let r = run(&["validate", "--strict", f.to_str().unwrap()]);
    assert_eq!(r.code, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "pass"), dir.path().join("a.yaml")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let r = run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn skip_non_manifests_is_what_a_hook_needs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("BG-01", "pass"), d.join("app.yaml")).unwrap();
    std::fs::write(d.join("ci.yaml"), "on: push\njobs: {}\n").unwrap();
    std::fs::create_dir(d.join("chart")).unwrap();
    let values = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    std::fs::write(
        d.join("chart/values.yaml"),
        values.replace("scaleDownDelaySeconds: 30", "scaleDownDelaySeconds: 5"),
    )
    .unwrap();
    let r = run_in(d, &["validate", "app.yaml", "ci.yaml", "chart/values.yaml"]);
    assert_eq!(
        r.code, 2,
        "without the flag a named non-manifest is an error: {}",
        r.stderr
    );
    let r = run_in(
        d,
        &[
            "validate",
            "--skip-non-manifests",
            "app.yaml",
            "ci.yaml",
            "chart/values.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("P-03"),
        "the chart was rendered and checked: {}",
        r.stdout
    );
}

/// Files, rules and schema checks run in parallel; the report must not depend on it.
#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    let tree = repo().join("fixtures/rules");
    let tree = tree.to_str().unwrap();
    let first = run(&["validate", tree, "--format", "json"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(first.stdout.len() > 10_000);
    for threads in ["1", "2", "3", "8"] {
        for _ in 0..3 {
            let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rollwright"))
                .args(["validate", tree, "--format", "json"])
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&out.stdout) == first.stdout,
                "the report differs with {threads} threads"
            );
        }
    }
}

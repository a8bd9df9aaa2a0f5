//! `rollwright validate` over files, trees, standard input and charts.

mod common;

use std::path::Path;

use common::{example, repo, run, run_in};
use rollwright::config::Config;
use rollwright::input::{AppScope, InputOptions};
use rollwright::report::{Report, Severity};
use rollwright::validate::{Options, validate};

fn check(paths: &[&Path], strict: bool, config: Config) -> Report {
    check_scoped(paths, strict, config, AppScope::Directory)
}

fn check_scoped(paths: &[&Path], strict: bool, config: Config, scope: AppScope) -> Report {
    validate(&Options {
        inputs: InputOptions {
            paths: paths.iter().map(|p| p.to_path_buf()).collect(),
            scope,
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
    // One document per directory: with --app-scope tree the whole tree is one application.
    let dir = tempfile::tempdir().unwrap();
    spread(&fixture("P-06", "pass"), dir.path());
    let check =
        |paths: &[&Path], strict, config| check_scoped(paths, strict, config, AppScope::Tree);
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
    let r = run(&[
        "validate",
        "--app-scope",
        "tree",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(&[
        "validate",
        "--app-scope",
        "tree",
        "--strict",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn walked_trees_skip_what_is_not_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("BG-01", "pass"), d.join("app.yaml")).unwrap();
    std::fs::write(d.join("values.yaml"), "image:\n  tag: \"1\"\n").unwrap();
    std::fs::write(d.join("ci.yaml"), "on: push\njobs: {}\n").unwrap();
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
    // Named, a kustomization stands for its root: a resource it lists is missing.
    let r = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let other = tempfile::tempdir().unwrap();
    let g = other.path().join("list.yaml");
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

// ---------------------------------------------------------------------------------------
// Trees as GitOps repositories hold them: applications, duplicates, kustomize roots, Helm and
// rollwright charts, configuration files that are not cluster objects.

fn trees() -> std::path::PathBuf {
    repo().join("fixtures/trees")
}

/// Copies a directory tree (files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs rollwright in `dir` with PATH set to `path`.
fn run_with_path(dir: &Path, path: &std::ffi::OsStr, args: &[&str]) -> common::Run {
    let out = common::rollwright()
        .current_dir(dir)
        .env("PATH", path)
        .args(args)
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The PATH to run peers with: the test's own, when `program` is on it. Without it the test is
/// skipped (and says so), unless ROLLWRIGHT_REQUIRE_PEERS makes that a failure.
fn path_with(programs: &[&str]) -> Option<std::ffi::OsString> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = |p: &str| std::env::split_paths(&path).any(|d| d.join(p).is_file());
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !found(p)).collect();
    if missing.is_empty() {
        return Some(path);
    }
    common::peers::missing(&format!(
        "{missing:?} not on PATH (.ci/run installs helm and kubectl)"
    ));
    None
}

/// A PATH with no tool on it at all.
fn empty_path() -> (tempfile::TempDir, std::ffi::OsString) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().as_os_str().to_owned();
    (dir, path)
}

#[test]
fn two_environment_directories_with_the_same_names_validate_clean() {
    let report = check(&[&trees().join("gitops/envs")], false, Config::default());
    assert_eq!(report.summary.objects, 6);
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));
}

#[test]
fn the_same_service_twice_in_one_directory_is_an_error_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("BG-01", "pass"), d.join("a.yaml")).unwrap();
    let text = std::fs::read_to_string(fixture("BG-01", "pass")).unwrap();
    let service = text
        .split("\n---\n")
        .find(|doc| doc.contains("name: shop-active"))
        .unwrap();
    std::fs::write(d.join("b.yaml"), format!("{service}\n")).unwrap();
    let report = check(&[d], false, Config::default());
    let dups: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "APP-01")
        .collect();
    assert_eq!(dups.len(), 2, "{:?}", rules_of(&report));
    let a = d.join("a.yaml").display().to_string();
    let b = d.join("b.yaml").display().to_string();
    // Each copy is reported where it is, naming the other's file:line:col.
    assert_eq!(dups[0].file, a);
    assert!(
        dups[0].message.contains(&format!("{b}:4:9")),
        "{}",
        dups[0].message
    );
    assert_eq!(dups[1].file, b);
    assert!(
        dups[1].message.contains(&format!("{a}:36:9")),
        "{}",
        dups[1].message
    );
    assert!(dups.iter().all(|f| f.severity == Severity::Error));
    // The order of the arguments changes nothing.
    let forward = check(
        &[&d.join("a.yaml"), &d.join("b.yaml")],
        false,
        Config::default(),
    );
    let backward = check(
        &[&d.join("b.yaml"), &d.join("a.yaml")],
        false,
        Config::default(),
    );
    assert_eq!(rules_of(&forward), rules_of(&backward));
    assert_eq!(rules_of(&forward), rules_of(&report));
}

#[test]
fn a_shadowed_analysis_template_is_still_checked() {
    // A broken AnalysisTemplate with the name of a good one: both are checked, and both are
    // reported as copies.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("AR-02", "fail"), d.join("broken.yaml")).unwrap();
    let broken = check(&[&d.join("broken.yaml")], false, Config::default());
    let broken_rules: Vec<String> = rules_of(&broken);
    assert!(!broken_rules.is_empty());
    let text = std::fs::read_to_string(d.join("broken.yaml")).unwrap();
    std::fs::write(d.join("good.yaml"), text.replace("# expect:", "#")).unwrap();
    let report = check(&[d], false, Config::default());
    for r in &broken_rules {
        assert!(
            rules_of(&report).contains(r),
            "{r} vanished: {:?}",
            rules_of(&report)
        );
    }
}

#[test]
fn the_application_scope_widens_with_a_flag_and_a_config_key() {
    let envs = trees().join("gitops/envs");
    let envs = envs.to_str().unwrap();
    let r = run(&["validate", envs]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // One application for the whole tree: dev and prod now collide.
    let r = run(&["validate", "--app-scope", "tree", envs]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("error[APP-01]: Rollout shop is defined 2 times"),
        "{}",
        r.stdout
    );
    let r = run(&["validate", "--app-scope", "run", envs]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&trees().join("gitops/envs"), dir.path());
    std::fs::write(dir.path().join(".rollwright.yaml"), "appScope: tree\n").unwrap();
    let r = run_in(dir.path(), &["validate", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("APP-01"), "{}", r.stdout);
    // The flag wins over the configuration.
    let r = run_in(dir.path(), &["validate", "--app-scope", "directory", "."]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "appScope: everything\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["validate", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(".rollwright.yaml:1:1: unknown variant `everything`"),
        "{}",
        r.stderr
    );
}

#[test]
fn references_resolve_inside_one_directory_by_default() {
    // A Rollout in one directory does not see the Services of another: a warning that they
    // are missing (they may live in the cluster), and none with --app-scope tree.
    let dir = tempfile::tempdir().unwrap();
    spread(&fixture("BG-01", "pass"), dir.path());
    let report = check(&[dir.path()], false, Config::default());
    let mut got = rules_of(&report);
    got.sort();
    assert_eq!(got, ["BGR-01 warning", "BGR-02 warning"]);
    let report = validate(&Options {
        inputs: InputOptions {
            paths: vec![dir.path().to_path_buf()],
            scope: AppScope::Tree,
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));
}

#[test]
fn the_namespace_flag_is_part_of_an_objects_identity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nNS\nspec:\n  ports:\n    - port: 80\n";
    std::fs::write(d.join("a.yaml"), service.replace("NS\n", "")).unwrap();
    std::fs::write(d.join("b.yaml"), service.replace("NS", "  namespace: prod")).unwrap();
    let r = run_in(d, &["validate", "."]);
    assert_eq!(
        r.code, 0,
        "without a namespace they may be two objects: {}",
        r.stdout
    );
    let r = run_in(d, &["validate", "-n", "prod", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("Service prod/shop is defined 2 times"),
        "{}",
        r.stdout
    );
    let r = run_in(d, &["validate", "-n", "dev", "."]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    std::fs::write(d.join(".rollwright.yaml"), "namespace: prod\n").unwrap();
    let r = run_in(d, &["validate", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn a_kustomize_patch_is_never_validated_as_a_whole_object() {
    // Without kustomize or kubectl (or with --no-tools) the resources are validated as they
    // are, and the patch (a Rollout with only `replicas`) is skipped with a note.
    let kustomize = trees().join("kustomize");
    let (_empty, path) = empty_path();
    for args in [vec!["validate", "."], vec!["validate", "--no-tools", "."]] {
        let r = run_with_path(&kustomize, &path, &args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("R-02"), "{}", r.stdout);
        assert!(
            r.stdout
                .contains("./overlays/prod: a kustomize root, validated without building")
                && r.stdout
                    .contains("1 patch not applied (./overlays/prod/rollout-patch.yaml)"),
            "{}",
            r.stdout
        );
    }
    let r = run_with_path(&kustomize, &path, &["validate", "."]);
    assert!(
        r.stdout
            .contains("neither kustomize nor kubectl is on PATH"),
        "{}",
        r.stdout
    );
    // Named, the patch stands for its kustomize root, as in a walk.
    let r = run_with_path(
        &kustomize,
        &path,
        &["validate", "overlays/prod/rollout-patch.yaml"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("overlays/prod: a kustomize root"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs kubectl"]
fn a_kustomize_overlay_is_built_and_a_patch_that_breaks_it_gives_bg01() {
    let Some(path) = path_with(&["kubectl"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_tree(&trees().join("kustomize"), d);
    let r = run_with_path(d, &path, &["validate", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("without building"), "{}", r.stdout);
    assert!(r.stdout.contains("(6 objects)"), "{}", r.stdout);
    // The built prod Rollout carries the overlay's namespace.
    let r = run_with_path(d, &path, &["validate", "--format", "json", "overlays/prod"]);
    assert!(
        r.stdout.contains("\"namespace\": \"shop-prod\"") || r.stdout.contains("\"findings\": []"),
        "{}",
        r.stdout
    );
    std::fs::write(
        d.join("overlays/prod/rollout-patch.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: shop\nspec:\n  replicas: 5\n  strategy:\n    blueGreen:\n      previewService: shop-active\n",
    )
    .unwrap();
    let r = run_with_path(d, &path, &["validate", "."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // The finding points at the patch line that set the value.
    assert!(
        r.stdout.contains("error[BG-01]")
            && r.stdout
                .contains("--> ./overlays/prod/rollout-patch.yaml:9:7"),
        "{}",
        r.stdout
    );
    // The base alone is still clean.
    let r = run_with_path(d, &path, &["validate", "base"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A kustomization that cannot be built is an input error with kustomize's reason.
    std::fs::write(
        d.join("overlays/prod/kustomization.yaml"),
        "resources: ../../base\n",
    )
    .unwrap();
    let r = run_with_path(d, &path, &["validate", "overlays/prod"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("overlays/prod/kustomization.yaml: cannot build this kustomization: `"),
        "{}",
        r.stderr
    );
    // A patch it lists that is not there (or not inside the root) is one too, and nothing
    // outside the root is read.
    std::fs::write(
        d.join("overlays/prod/kustomization.yaml"),
        "resources:\n  - ../../base\npatches:\n  - path: ../../../../../../etc/passwd\n",
    )
    .unwrap();
    let r = run_with_path(d, &path, &["validate", "overlays/prod"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("does not exist inside this kustomization's directory")
            && !r.stderr.contains("root:"),
        "{}",
        r.stderr
    );
}

#[test]
fn kustomize_remote_resources_are_not_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_tree(&trees().join("kustomize"), d);
    std::fs::write(
        d.join("overlays/prod/kustomization.yaml"),
        "resources:\n  - ../../base\n  - https://github.com/argoproj/argo-rollouts//manifests/crds?ref=v1.8.3\npatches:\n  - path: rollout-patch.yaml\n",
    )
    .unwrap();
    let r = run_in(d, &["validate", "overlays/prod"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("it has remote resources (https://github.com/argoproj/argo-rollouts//manifests/crds?ref=v1.8.3), which rollwright does not fetch"),
        "{}",
        r.stdout
    );
}

/// `charts/shop`, a Helm chart whose template writes the preview Service from its values.
fn helm_chart_in(dir: &Path) -> std::path::PathBuf {
    let chart = dir.join("charts/shop");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("values.yaml"),
        "preview: shop-preview\nimage: {tag: \"1\"}\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(fixture("BG-01", "pass")).unwrap();
    let template = text.replace(
        "previewService: shop-preview",
        "previewService: {{ .Values.preview }}",
    );
    std::fs::write(chart.join("templates/app.yaml"), &template).unwrap();
    chart
}

#[test]
fn helm_chart_directories_without_helm_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    helm_chart_in(dir.path());
    // Without helm: a note, the templates counted as skipped, never parsed as manifests.
    let (_empty, nothing) = empty_path();
    let r = run_with_path(dir.path(), &nothing, &["validate", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("./charts/shop: a Helm chart, not rendered (helm is not on PATH)")
            && r.stdout.contains("1 Helm template skipped"),
        "{}",
        r.stdout
    );
    // A file of the chart named on the command line is the chart, as in a walk.
    let r = run_with_path(
        dir.path(),
        &nothing,
        &["validate", "charts/shop/Chart.yaml"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("a Helm chart, not rendered"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs helm"]
fn helm_chart_directories_are_rendered_with_helm() {
    let dir = tempfile::tempdir().unwrap();
    let chart = helm_chart_in(dir.path());
    let Some(path) = path_with(&["helm"]) else {
        return;
    };
    let r = run_with_path(dir.path(), &path, &["validate", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("(3 objects)"), "{}", r.stdout);
    std::fs::write(chart.join("values.yaml"), "preview: shop-active\n").unwrap();
    let r = run_with_path(dir.path(), &path, &["validate", "charts/shop"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // The finding points at the template line that writes the field.
    assert!(
        r.stdout.contains("error[BG-01]")
            && r.stdout.contains("--> charts/shop/templates/app.yaml:29:7"),
        "{}",
        r.stdout
    );
    // Value files named in the configuration are used, and must stay in the repository.
    std::fs::write(chart.join("values-ok.yaml"), "preview: shop-preview\n").unwrap();
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "helm:\n  charts/shop:\n    valueFiles: [values-ok.yaml]\n",
    )
    .unwrap();
    let r = run_with_path(dir.path(), &path, &["validate", "charts/shop"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "helm:\n  charts/shop:\n    valueFiles: [/etc/passwd]\n",
    )
    .unwrap();
    let r = run_with_path(dir.path(), &path, &["validate", "charts/shop"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("value file `/etc/passwd` is not a relative path"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("root:"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
#[ignore = "needs helm"]
fn a_helm_chart_with_a_symbolic_link_out_of_it_is_not_rendered() {
    let Some(path) = path_with(&["helm"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  x: {{ .Files.Get \"files/secret\" | quote }}\n",
    )
    .unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "hunter2").unwrap();
    std::fs::create_dir(chart.join("files")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), chart.join("files/secret")).unwrap();
    for format in ["text", "json"] {
        let r = run_with_path(
            dir.path(),
            &path,
            &["validate", "--format", format, "chart"],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(
            !r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"),
            "{}",
            r.stdout
        );
    }
    let r = run_with_path(dir.path(), &path, &["validate", "chart"]);
    assert!(
        r.stdout.contains(
            "chart/files/secret is a symbolic link out of the chart, which helm would follow"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_yaml_string_holding_template_syntax_is_still_a_manifest() {
    let vault = trees().join("gitops/apps/vault/app.yaml");
    let report = check(&[&vault], false, Config::default());
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    assert_eq!(report.summary.objects, 3);
    assert_eq!(report.summary.skipped_templates, 0);
    // Its Rollout is really checked: a defect is found.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&vault).unwrap();
    std::fs::write(
        dir.path().join("app.yaml"),
        text.replace(
            "previewService: vault-app-preview",
            "previewService: vault-app",
        ),
    )
    .unwrap();
    let report = check(&[&dir.path().join("app.yaml")], false, Config::default());
    assert!(
        rules_of(&report).contains(&"BG-01 error".to_owned()),
        "{:?}",
        rules_of(&report)
    );
}

#[test]
fn configuration_files_of_tools_are_skipped_and_counted() {
    let cluster = trees().join("gitops/cluster");
    let report = check(&[&cluster], false, Config::default());
    assert!(report.findings.is_empty(), "{:?}", rules_of(&report));
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    assert_eq!(report.summary.objects, 0);
    assert_eq!(report.summary.skipped_documents, 2);
    let r = run(&[
        "validate",
        "--skip-non-manifests",
        cluster.join("kind.yaml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("API-01"), "{}", r.stdout);
}

#[test]
fn every_configuration_group_is_documented() {
    let doc = std::fs::read_to_string(repo().join("docs/validate.md")).unwrap();
    for (group, _) in rollwright::input::CONFIG_GROUPS {
        assert!(
            doc.contains(&format!("`{group}`")),
            "docs/validate.md does not list `{group}`"
        );
    }
    for (group, kind, _) in rollwright::input::CONFIG_KINDS {
        assert!(
            doc.contains(&format!("| `{group}` | `{kind}` |")),
            "docs/validate.md does not list `{group}` `{kind}`"
        );
    }
}

/// deploy/argocd/plugin.yaml is Argo CD's plugin configuration, read by the repo-server's
/// sidecar: skipped and counted as such, never an unknown object (API-10).
#[test]
fn the_argocd_plugin_configuration_is_not_a_cluster_object() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("deploy/argocd/plugin.yaml"),
        dir.path().join("plugin.yaml"),
    )
    .unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("plugin.yaml")] {
        let r = run(&[
            "validate",
            "--strict",
            "--skip-non-manifests",
            path.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("API-10"), "{}", r.stdout);
        assert!(
            r.stdout.contains("1 non-Kubernetes document skipped"),
            "{}",
            r.stdout
        );
    }
    // The repository's own deploy/ directory validates clean, with the peers or without.
    for strict in [false, true] {
        let mut args = vec!["validate"];
        if strict {
            args.push("--strict");
        }
        let deploy = repo().join("deploy");
        args.push(deploy.to_str().unwrap());
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.starts_with("no problems"),
            "{args:?}: {}",
            r.stdout
        );
    }
}

#[test]
fn validate_at_a_repository_root_finds_typos_in_chart_values_and_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_tree(&trees().join("gitops"), d);
    let r = run_in(d, &["validate", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The chart and its overlay are rendered: 4 objects each, beside the others.
    assert!(
        r.stdout
            .contains("(17 objects; 2 non-Kubernetes documents skipped)"),
        "{}",
        r.stdout
    );
    let values = d.join("apps/shop/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("replicaCount: 2", "replicaCont: 2")).unwrap();
    let r = run_in(d, &["validate", "."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("./apps/shop/values.yaml:9:1: unknown key `replicaCont`"),
        "{}",
        r.stderr
    );
    std::fs::write(&values, text).unwrap();
    std::fs::write(d.join("apps/shop/values-prod.yaml"), "replicaCont: 3\n").unwrap();
    let r = run_in(d, &["validate", "."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("./apps/shop/values-prod.yaml:1:1: unknown key `replicaCont`"),
        "{}",
        r.stderr
    );
    // Named, as the pre-commit hook names a staged file, the overlay is layered the same way.
    let r = run_in(
        d,
        &[
            "validate",
            "--skip-non-manifests",
            "apps/shop/values-prod.yaml",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("apps/shop/values-prod.yaml:1:1: unknown key `replicaCont`"),
        "{}",
        r.stderr
    );
}

#[test]
fn findings_of_an_overlay_point_into_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_tree(&trees().join("gitops/apps/shop"), d);
    std::fs::write(
        d.join("values-prod.yaml"),
        "replicaCount: 4\nrollout:\n  strategy:\n    blueGreen:\n      scaleDownDelaySeconds: 5\n",
    )
    .unwrap();
    let r = run_in(d, &["validate", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("warning[P-03]") && r.stdout.contains("--> ./values-prod.yaml:5:30"),
        "{}",
        r.stdout
    );
    // The chart alone has no such finding.
    assert_eq!(r.stdout.matches("warning[P-03]").count(), 1, "{}", r.stdout);
}

#[test]
fn validate_takes_values_flags_for_one_chart() {
    let shop = trees().join("gitops/apps/shop");
    let shop_s = shop.to_str().unwrap();
    let r = run(&[
        "validate",
        shop_s,
        "--set",
        "rollout.strategy.blueGreen.scaleDownDelaySeconds=5",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("--> --set rollout.strategy.blueGreen.scaleDownDelaySeconds=5"),
        "{}",
        r.stdout
    );
    let r = run(&["validate", shop_s, "--set-json", "replicaCount=\"x\""]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("more.yaml"), "replicaCont: 3\n").unwrap();
    let more = dir.path().join("more.yaml");
    let r = run(&["validate", shop_s, "-f", more.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("more.yaml:1:1: unknown key `replicaCont`"),
        "{}",
        r.stderr
    );
    // More than one chart, or none: the flags cannot know which.
    let r = run(&[
        "validate",
        "--set",
        "image.tag=2",
        shop_s,
        example().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("these flags apply to one rollwright chart"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "validate",
        "--set",
        "image.tag=2",
        fixture("BG-01", "pass").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_named_file_is_classified_as_in_a_walk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // kustomization.yaml: its root is validated, not the file read as values ("unknown key").
    copy_tree(&trees().join("kustomize"), d);
    let r = run_in(
        d,
        &["validate", "--no-tools", "overlays/prod/kustomization.yaml"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("unknown key"), "{}", r.stderr);
    assert!(
        r.stdout.contains("overlays/prod: a kustomize root"),
        "{}",
        r.stdout
    );
    // A workflow: not a manifest, not a values file.
    std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
    std::fs::write(
        d.join(".github/workflows/ci.yaml"),
        "on: push\njobs:\n  build: {}\n",
    )
    .unwrap();
    let r = run_in(d, &["validate", ".github/workflows/ci.yaml"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("holds no Kubernetes object") && !r.stderr.contains("unknown key"),
        "{}",
        r.stderr
    );
    let r = run_in(
        d,
        &[
            "validate",
            "--skip-non-manifests",
            ".github/workflows/ci.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn render_refuses_a_helm_chart_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), "image:\n  tag: \"1\"\n").unwrap();
    for target in [dir.path().to_path_buf(), dir.path().join("values.yaml")] {
        let r = run(&["render", target.to_str().unwrap()]);
        assert_ne!(r.code, 0, "{}", r.stdout);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert!(
            r.stderr
                .contains("is a Helm chart (Chart.yaml and templates/)")
                && r.stderr.contains("helm template NAME"),
            "{}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------
// The walk reads only regular files, under a size cap, and no link out of the tree.

#[cfg(unix)]
#[test]
fn the_walk_skips_a_fifo_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "pass"), dir.path().join("a.yaml")).unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(ok.success());
    let start = std::time::Instant::now();
    let r = run(&["validate", dir.path().to_str().unwrap()]);
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("pipe.yaml: not a regular file (a FIFO, socket or device), not read"),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn the_walk_does_not_read_dev_zero_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "pass"), dir.path().join("a.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let r = run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("zero.yaml: a symbolic link to something that is not a regular file"),
        "{}",
        r.stdout
    );
    // Named on purpose, a device is read only up to the cap.
    let r = run(&[
        "validate",
        "--max-file-size",
        "1M",
        dir.path().join("zero.yaml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("is larger than 1 MiB, not read"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn the_walk_does_not_follow_a_file_symlink_out_of_the_tree() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: hunter2\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "pass"), dir.path().join("a.yaml")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("link.yaml"),
    )
    .unwrap();
    let report = check(&[dir.path()], false, Config::default());
    assert_eq!(report.summary.objects, 3);
    assert!(report.sources.values().all(|t| !t.contains("hunter2")));
    assert!(
        report.notes.iter().any(|n| n.contains("link.yaml: a symbolic link to a file outside the tree, not read (--follow-symlinks reads it)")),
        "{:?}",
        report.notes
    );
    // A link inside the tree is read; --follow-symlinks reads the one out of it.
    let r = run(&[
        "validate",
        "--follow-symlinks",
        "--format",
        "json",
        dir.path().to_str().unwrap(),
    ]);
    assert!(r.stdout.contains("\"objects\": 4"), "{}", r.stdout);
}

#[test]
fn files_over_the_size_cap_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("BG-01", "pass"), dir.path().join("a.yaml")).unwrap();
    let r = run(&[
        "validate",
        "--max-file-size",
        "100",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("a.yaml: is larger than 100 bytes, not read"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--max-file-size"), "{}", r.stderr);
    let r = run(&["validate", "--max-file-size", "lots", "."]);
    assert_eq!(r.code, 2);
}

//! `rollwright set` and `rollwright set-image` as a user runs them.

mod common;

use common::{chart, example, run, run_in};

fn copy_example() -> tempfile::TempDir {
    let text = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    chart(&text)
}

fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
    assert_eq!(a.lines().count(), b.lines().count());
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .collect()
}

#[test]
fn set_image_on_the_example_changes_exactly_one_line() {
    let dir = copy_example();
    let path = dir.path().join("values.yaml");
    let before = std::fs::read_to_string(&path).unwrap();
    let r = run(&["set-image", dir.path().to_str().unwrap(), "1.29"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        changed_lines(&before, &after),
        [("  tag: \"1.28\"".into(), "  tag: \"1.29\"".into())]
    );
    // The edited file renders the new image.
    let r = run(&["render", dir.path().to_str().unwrap()]);
    assert!(r.stdout.contains("image: nginx:1.29\n"), "{}", r.stdout);
}

#[test]
fn set_image_defaults_to_the_current_directory_and_sets_the_repository() {
    let dir = chart("image:\n  repository: nginx # upstream\n  tag: latest\n");
    let r = run_in(
        dir.path(),
        &["set-image", "1.30", "--repository", "ghcr.io/acme/web"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(dir.path().join("values.yaml")).unwrap();
    // A plain tag YAML would read as a number is quoted.
    assert_eq!(
        after,
        "image:\n  repository: ghcr.io/acme/web # upstream\n  tag: \"1.30\"\n"
    );
}

#[test]
fn set_keeps_comments_and_quotes_and_adds_missing_keys() {
    let text =
        "# app\nimage:\n  repository: nginx\n  tag: '1.28'  # pinned\n\nreplicaCount: 2 # two\n";
    let dir = chart(text);
    let d = dir.path().to_str().unwrap();
    let r = run(&[
        "set",
        d,
        "image.tag=1.29",
        "replicaCount=3",
        "rollout.strategy.blueGreen.autoPromotionEnabled=true",
        "image.pullPolicy=Always",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(dir.path().join("values.yaml")).unwrap();
    assert_eq!(
        after,
        "# app\nimage:\n  repository: nginx\n  tag: '1.29'  # pinned\n  pullPolicy: Always\n\nreplicaCount: 3 # two\nrollout:\n  strategy:\n    blueGreen:\n      autoPromotionEnabled: true\n"
    );
}

#[test]
fn set_nested_list_paths() {
    let dir = copy_example();
    let d = dir.path().to_str().unwrap();
    let r = run(&[
        "set",
        d,
        "ports[0].containerPort=8080",
        "ports[1].name=metrics",
        "ports[1].containerPort=9090",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(dir.path().join("values.yaml")).unwrap();
    assert!(
        after.contains("  - name: http\n    containerPort: 8080\n    protocol: TCP\n  - name: metrics\n    containerPort: 9090\n\nservice:"),
        "{after}"
    );
}

#[test]
fn an_invalid_result_is_refused_and_nothing_is_written() {
    let dir = copy_example();
    let path = dir.path().join("values.yaml");
    let before = std::fs::read_to_string(&path).unwrap();
    for args in [
        [
            "set",
            "rollout.strategy.blueGreen.autoPromotionEnabled=maybe",
        ],
        ["set", "rollout.strategy.blueGreen.autoPromotionEnable=true"],
        ["set", "replicaCount=two"],
    ] {
        let r = run(&[args[0], dir.path().to_str().unwrap(), args[1]]);
        assert_eq!(r.code, 1, "{args:?}");
        assert!(r.stderr.contains("values.yaml:"), "{}", r.stderr);
        assert!(r.stderr.contains("was not changed"), "{}", r.stderr);
        assert!(!r.stderr.contains(".rollwright-"), "{}", r.stderr);
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let dir = copy_example();
    let path = dir.path().join("values.yaml");
    let before = std::fs::read_to_string(&path).unwrap();
    let r = run(&["set-image", path.to_str().unwrap(), "1.29", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("--- "), "{}", r.stdout);
    assert!(
        r.stdout.contains("\n-  tag: \"1.28\"\n+  tag: \"1.29\"\n"),
        "{}",
        r.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn an_overlay_file_is_checked_over_the_chart_values() {
    let dir = copy_example();
    let overlay = dir.path().join("values-prod.yaml");
    std::fs::write(&overlay, "replicaCount: 4\n").unwrap();
    let r = run(&["set", overlay.to_str().unwrap(), "image.tag=1.29"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&overlay).unwrap(),
        "replicaCount: 4\nimage:\n  tag: \"1.29\"\n"
    );
}

/// `set-image` with one argument takes it for the tag; a chart or values file given alone is
/// a forgotten tag, said as such, and nothing is written.
#[test]
fn set_image_with_the_tag_forgotten_says_so() {
    let dir = copy_example();
    let d = dir.path();
    std::fs::create_dir(d.join("sitest")).unwrap();
    let before = std::fs::read_to_string(d.join("values.yaml")).unwrap();
    // Inside the chart: a directory named like a tag is not taken for one.
    for arg in ["sitest", "values.yaml", "prod.yaml"] {
        let r = run_in(d, &["set-image", arg, "--dry-run"]);
        assert_eq!(r.code, 2, "{arg}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stdout, "", "{arg}");
        assert!(
            r.stderr
                .starts_with(&format!("error: the tag is missing: `{arg}` is ")),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!(
                "help: name the chart, then the tag: rollwright set-image {arg} 1.29"
            )),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("no values.yaml"), "{}", r.stderr);
    }
    let r = run_in(d, &["set-image", "sitest", "--dry-run"]);
    assert!(
        r.stderr.contains("`sitest` is a directory, not a tag"),
        "{}",
        r.stderr
    );
    // From outside: the chart alone.
    let parent = d.parent().unwrap();
    let name = d.file_name().unwrap().to_str().unwrap();
    let r = run_in(parent, &["set-image", name]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("the tag is missing: `{name}` is a directory")),
        "{}",
        r.stderr
    );
    // The tag first, then the chart.
    let r = run_in(parent, &["set-image", "1.29", name]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "`1.29` is not a chart directory or values file, and `{name}` is one: the chart comes first"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("help: rollwright set-image {name} 1.29")),
        "{}",
        r.stderr
    );
    // Said explicitly, `.` then the tag still sets a tag that names a directory.
    let r = run_in(d, &["set-image", ".", "sitest", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("+  tag: \"sitest\"\n"), "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(d.join("values.yaml")).unwrap(),
        before
    );
}

/// `set KEY VALUE` (a space for the `=`) is said plainly, not as a missing chart.
#[test]
fn set_with_a_space_for_the_equals_sign_says_so() {
    let dir = copy_example();
    let r = run_in(dir.path(), &["set", "replicaCount", "3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error: `replicaCount` is not a chart directory or values file, and `3` is not KEY=VALUE"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("help: e.g. rollwright set replicaCount=3"),
        "{}",
        r.stderr
    );
}

/// A comment beside a value that the new value contradicts is refreshed (for a key whose
/// comment rollwright writes) or removed, and `set` says so; other comments stay.
#[test]
fn set_refreshes_a_comment_the_new_value_contradicts() {
    let dir = copy_example();
    let path = dir.path().join("values.yaml");
    let before = std::fs::read_to_string(&path).unwrap();
    assert!(before.contains(
        "      autoPromotionEnabled: false   # every update waits for `kubectl argo rollouts promote`\n"
    ));
    let d = dir.path().to_str().unwrap();
    let r = run(&[
        "set",
        d,
        "rollout.strategy.blueGreen.autoPromotionEnabled=true",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        changed_lines(&before, &after),
        [(
            "      autoPromotionEnabled: false   # every update waits for `kubectl argo rollouts promote`".into(),
            "      autoPromotionEnabled: true   # promote by itself once the new pods are ready and any pre-promotion analysis succeeded".into()
        )]
    );
    assert!(
        r.stderr.contains(":49: the comment \"# every update waits for `kubectl argo rollouts promote`\" spoke of the old value; now \"# promote by itself"),
        "{}",
        r.stderr
    );
    // And back.
    let r = run(&[
        "set",
        d,
        "rollout.strategy.blueGreen.autoPromotionEnabled=false",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

    // A comment naming the old value is removed; one that does not is kept.
    let dir = chart(
        "image:\n  repository: nginx\n  tag: \"1.28\" # 1.28 fixes the leak\nreplicaCount: 2 # two for HA\n",
    );
    let d = dir.path().to_str().unwrap();
    let r = run(&["set", d, "image.tag=1.29", "replicaCount=3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("values.yaml")).unwrap(),
        "image:\n  repository: nginx\n  tag: \"1.29\"\nreplicaCount: 3 # two for HA\n"
    );
    assert!(
        r.stderr.contains(
            ":3: removed the comment \"# 1.28 fixes the leak\": it spoke of the old value"
        ),
        "{}",
        r.stderr
    );
}

/// `init --pattern hybrid` writes its comment above the key: flipping the value refreshes it.
#[test]
fn set_refreshes_the_comment_init_writes_above_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    let r = run(&["init", dir.to_str().unwrap(), "--pattern", "hybrid"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let values = dir.join("values.yaml");
    let before = std::fs::read_to_string(&values).unwrap();
    assert!(
        before.contains("      # true: promote as soon as the pre-promotion analysis has succeeded.\n      autoPromotionEnabled: true\n"),
        "{before}"
    );
    let r = run(&[
        "set",
        dir.to_str().unwrap(),
        "rollout.strategy.blueGreen.autoPromotionEnabled=false",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(&values).unwrap();
    assert!(
        after.contains("      # every update waits for `kubectl argo rollouts promote`\n      autoPromotionEnabled: false\n"),
        "{after}"
    );
    assert!(!after.contains("# true: promote"), "{after}");
    assert!(r.stderr.contains("spoke of the old value"), "{}", r.stderr);
}

/// What `validate` would newly report after the edit, `set` reports too (the edit is made).
#[test]
fn set_warns_as_validate_would() {
    let dir = copy_example();
    let d = dir.path().to_str().unwrap();
    let r = run(&[
        "set",
        d,
        "rollout.strategy.blueGreen.autoPromotionSeconds=60",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning P-01: ")
            && r.stderr
                .contains("autoPromotionSeconds is ignored because autoPromotionEnabled is false"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("  help: remove autoPromotionSeconds, or set autoPromotionEnabled: true"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("values.yaml")).unwrap();
    assert!(text.contains("autoPromotionSeconds: 60"), "{text}");
    // validate says the same of the rendered result.
    let rendered = run(&["render", d]);
    let file = dir.path().join("out.yaml");
    std::fs::write(&file, &rendered.stdout).unwrap();
    let v = run(&["validate", file.to_str().unwrap()]);
    assert!(v.stdout.contains("P-01"), "{}", v.stdout);
    // A change that adds no finding says nothing more; one already there is not repeated.
    let r = run(&["set", d, "replicaCount=3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("P-01"), "{}", r.stderr);
    // The same in a dry run.
    let dir = copy_example();
    let r = run(&[
        "set",
        dir.path().to_str().unwrap(),
        "rollout.strategy.blueGreen.autoPromotionSeconds=60",
        "--dry-run",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("+      autoPromotionSeconds: 60"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("warning P-01: "), "{}", r.stderr);
}

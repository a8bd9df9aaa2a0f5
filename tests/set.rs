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

//! Bad input to `rollwright render`: one clear error, a non-zero exit, nothing on stdout.

mod common;

use common::{chart, example, run};

fn example_values_with(from: &str, to: &str) -> tempfile::TempDir {
    let text = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    assert!(text.contains(from), "{from}");
    chart(&text.replacen(from, to, 1))
}

fn line_of(dir: &tempfile::TempDir, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.path().join("values.yaml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn fails(args: &[&str]) -> String {
    let r = run(args);
    assert_ne!(r.code, 0, "expected a failure: {args:?}");
    assert_eq!(r.stdout, "", "nothing may reach stdout on failure");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    r.stderr
}

#[test]
fn typo_is_reported_with_position_and_suggestion() {
    let dir = example_values_with("autoPromotionEnabled: false", "autoPromotionEnable: false");
    let line = line_of(&dir, "autoPromotionEnable:");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains(&format!("values.yaml:{line}:7: unknown key `autoPromotionEnable` in `rollout.strategy.blueGreen`")),
        "{err}"
    );
    assert!(
        err.contains("did you mean `autoPromotionEnabled`?"),
        "{err}"
    );
}

#[test]
fn float_tag_is_refused_with_a_hint_to_quote_it() {
    let dir = example_values_with("tag: \"1.28\"", "tag: 1.10");
    let line = line_of(&dir, "tag: 1.10");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains(&format!("values.yaml:{line}:8: `image.tag` must be")),
        "{err}"
    );
    assert!(err.contains("quote it: `tag: \"1.10\"`"), "{err}");
    assert!(err.contains("as the number 1.1"), "{err}");
}

#[test]
fn typo_inside_a_kubernetes_object_is_found_too() {
    let dir = example_values_with("periodSeconds: 5", "periodSecond: 5");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("unknown key `periodSecond` in `readinessProbe`"),
        "{err}"
    );
    assert!(err.contains("did you mean `periodSeconds`?"), "{err}");
}

#[test]
fn wrong_enum_and_wrong_type() {
    let dir = example_values_with("pullPolicy: IfNotPresent", "pullPolicy: Alway");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("`image.pullPolicy` must be one of Always, IfNotPresent, Never"),
        "{err}"
    );
    assert!(err.contains("did you mean `Always`?"), "{err}");
    let dir = example_values_with("replicaCount: 2", "replicaCount: two");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("`replicaCount` must be an integer, found the string \"two\""),
        "{err}"
    );
}

#[test]
fn wrong_type_from_set_names_the_flag() {
    let ex = example();
    let err = fails(&["render", ex.to_str().unwrap(), "--set", "replicaCount=lots"]);
    assert!(
        err.contains("error: --set replicaCount=lots: `replicaCount` must be an integer"),
        "{err}"
    );
    let err = fails(&[
        "render",
        ex.to_str().unwrap(),
        "--set",
        "service.portName=8080",
    ]);
    assert!(err.contains("use --set-string"), "{err}");
}

#[test]
fn missing_chart() {
    let err = fails(&["render", "no/such/chart"]);
    assert!(
        err.contains("no/such/chart: no such chart directory or values file"),
        "{err}"
    );
}

#[test]
fn chart_without_values_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("no values.yaml in this chart directory"),
        "{err}"
    );
}

#[test]
fn unreadable_values_file() {
    let ex = example();
    let err = fails(&["render", ex.to_str().unwrap(), "-f", "missing.yaml"]);
    assert!(err.contains("missing.yaml: cannot read"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&[
        "render",
        ex.to_str().unwrap(),
        "-f",
        dir.path().to_str().unwrap(),
    ]);
    assert!(err.contains("is a directory, not a values file"), "{err}");
}

#[test]
fn invalid_yaml() {
    let dir = chart("image:\n  tag: [1.0\n");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("values.yaml:2:8: "), "{err}");
}

#[test]
fn empty_values_file() {
    let dir = chart("");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("values.yaml: the values file is empty"),
        "{err}"
    );
    let dir = chart("# nothing but a comment\n");
    fails(&["render", dir.path().to_str().unwrap()]);
}

#[test]
fn untagged_image_is_refused() {
    let dir = chart("image:\n  repository: nginx\n");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("`image.tag` is not set"), "{err}");
}

#[test]
fn values_file_that_is_not_a_mapping() {
    let dir = chart("- a\n- b\n");
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(
        err.contains("values.yaml:1:1: a values file must be a mapping"),
        "{err}"
    );
}

#[test]
fn wrong_set_syntax() {
    let ex = example();
    for (flag, arg, expect) in [
        (
            "--set",
            "image.tag",
            "--set image.tag: key \"image.tag\" has no value",
        ),
        ("--set", "a[-1]=1", "--set a[-1]=1: "),
        ("--set", "=1", "--set =1: "),
        ("--set-json", "a=[1", "--set-json a=[1: "),
    ] {
        let err = fails(&["render", ex.to_str().unwrap(), flag, arg]);
        assert!(err.contains(expect), "{flag} {arg}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
    }
}

#[test]
fn broken_template_is_reported_with_its_line() {
    let dir = chart("image:\n  tag: \"1\"\n");
    let t = dir.path().join("chart-templates");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(
        t.join("service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ values.nope.deeper }}\n",
    )
    .unwrap();
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("chart-templates/service.yaml:4: "), "{err}");
    std::fs::write(
        t.join("service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  bad: [\n",
    )
    .unwrap();
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("the template rendered invalid YAML"), "{err}");
    std::fs::write(
        t.join("service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {}\n",
    )
    .unwrap();
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("not a Kubernetes object"), "{err}");
}

#[test]
fn service_that_selects_no_pods_is_refused() {
    let dir = chart("image:\n  tag: \"1\"\n");
    let t = dir.path().join("chart-templates");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(
        t.join("service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selector:\n    app: other\n",
    )
    .unwrap();
    let err = fails(&["render", dir.path().to_str().unwrap()]);
    assert!(err.contains("Service x selects {\"app\":\"other\"} but no Rollout's pod template carries those labels"), "{err}");
}

#[test]
fn output_dir_that_cannot_be_created_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let ex = example();
    let err = fails(&[
        "render",
        ex.to_str().unwrap(),
        "--output-dir",
        file.to_str().unwrap(),
    ]);
    assert!(err.contains("a-file"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

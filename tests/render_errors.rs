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

/// `render` of the example with `text` as a `-f` overlay.
fn render_overlay(text: &str) -> common::Run {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("overlay.yaml");
    std::fs::write(&file, text).unwrap();
    run(&[
        "render",
        example().to_str().unwrap(),
        "-f",
        file.to_str().unwrap(),
    ])
}

/// Like `fails`, and the error has a `help:` line.
fn fails_with_help(args: &[&str]) -> String {
    let err = fails(args);
    assert!(err.contains("\n  help: "), "no help line: {err}");
    err
}

fn overlay_fails(text: &str) -> String {
    let r = render_overlay(text);
    assert_eq!(r.code, 1, "expected a failure for {text:?}: {}", r.stdout);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("\n  help: "),
        "no help line: {}",
        r.stderr
    );
    r.stderr
}

#[test]
fn mixed_case_booleans_are_strings_as_in_helm_so_a_boolean_key_refuses_them() {
    for spelling in ["tRUE", "yES", "oN", "fALSE", "nO"] {
        let err = overlay_fails(&format!(
            "rollout:\n  strategy:\n    blueGreen:\n      autoPromotionEnabled: {spelling}\n"
        ));
        assert!(
            err.contains(&format!(
                "must be a boolean, found the string \"{spelling}\""
            )),
            "{err}"
        );
    }
    // go-yaml's own spellings are booleans.
    let r =
        render_overlay("rollout:\n  strategy:\n    blueGreen:\n      autoPromotionEnabled: On\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("autoPromotionEnabled: true"),
        "{}",
        r.stdout
    );
    // A label key `yES` stays `yES`; `y` is the key "true", as Helm spells it.
    let r = render_overlay("labels:\n  yES: a\n  y: b\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let docs = rollwright::yaml::parse_documents(&r.stdout).unwrap();
    let labels = &docs[0].value["metadata"]["labels"];
    assert_eq!(labels["yES"], "a", "{labels}");
    assert_eq!(labels["true"], "b", "{labels}");
}

#[test]
fn a_tag_helm_reads_as_a_different_number_is_refused_with_a_quote_hint() {
    for (written, read) in [
        ("0X1F", "31"),
        ("0O17", "15"),
        ("0B101", "5"),
        ("1__0", "10"),
        ("010", "8"),
        ("1.0", "1"),
        ("1e3", "1000"),
    ] {
        let err = overlay_fails(&format!("image:\n  tag: {written}\n"));
        assert!(
            err.contains(&format!(
                "`image.tag` is written `{written}`, which is read as the number {read}"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!("quote it: `tag: \"{written}\"`")),
            "{err}"
        );
    }
    // An integer tag read as written is fine.
    let r = render_overlay("image:\n  tag: 20240101\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("image: nginx:20240101\n"), "{}", r.stdout);
}

#[test]
fn go_integer_forms_and_underscores_are_integers_as_in_helm() {
    let r = render_overlay(
        "replicaCount: 0x3\nrollout:\n  revisionHistoryLimit: 1__0\n  minReadySeconds: 0o17\n  progressDeadlineSeconds: 0B1111\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "  replicas: 3\n",
        "  revisionHistoryLimit: 10\n",
        "  minReadySeconds: 15\n",
        "  progressDeadlineSeconds: 15\n",
    ] {
        assert!(r.stdout.contains(line), "{line:?} in {}", r.stdout);
    }
}

#[test]
fn integers_helm_would_round_are_refused_with_a_quote_hint() {
    let err = overlay_fails("image:\n  tag: 20240101123456789\n");
    assert!(
        err.contains("overlay.yaml:2:8: `image.tag`: Helm reads the numbers of values files and --set-json as 64-bit floats, so 20240101123456789 would become 20240101123456788"),
        "{err}"
    );
    assert!(
        err.contains("quote it to keep it exact: `tag: \"20240101123456789\"`"),
        "{err}"
    );
    // Anywhere in the values, as a tag ≥ 2^63 would wrap in the exported chart.
    let err = overlay_fails("resources:\n  limits:\n    memory: 9223372036854775808\n");
    assert!(err.contains("`resources.limits.memory`"), "{err}");
    let err = fails_with_help(&[
        "render",
        example().to_str().unwrap(),
        "--set-json",
        "image.tag=20240101123456789",
    ]);
    assert!(
        err.contains("use --set, which keeps 64-bit integers"),
        "{err}"
    );
    // --set keeps 64-bit integers exactly, as Helm does: no refusal.
    let r = run(&[
        "render",
        example().to_str().unwrap(),
        "--set",
        "image.tag=20240101123456789",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("image: nginx:20240101123456789\n"));
}

#[test]
fn merge_keys_apply_where_they_stand_as_in_helm() {
    // A key before `<<` is overwritten by the merge, one after it wins; of two `<<`, the last
    // wins; of a list, the first mapping.
    let r = render_overlay(
        "defaults: &d {port: 8080, type: NodePort}\n"
            .replace("defaults", "x-defaults")
            .as_str(),
    );
    assert_eq!(r.code, 1, "an unknown key is still refused");
    let r = render_overlay("service:\n  port: 9090\n  <<: {port: 8080, portName: web}\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("    port: 8080\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  - name: web\n"), "{}", r.stdout);
    let r = render_overlay("service:\n  <<: {port: 8080}\n  port: 9090\n");
    assert!(r.stdout.contains("    port: 9090\n"), "{}", r.stdout);
    let r = render_overlay("service: {<<: {port: 1}, <<: {port: 2}}\n");
    assert!(r.stdout.contains("    port: 2\n"), "{}", r.stdout);
    let r = render_overlay("service:\n  <<: [{port: 1}, {port: 2, type: NodePort}]\n");
    assert!(r.stdout.contains("    port: 1\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  type: NodePort\n"), "{}", r.stdout);
    // Anchored and aliased.
    let r = render_overlay("podLabels: &l {tier: web}\nlabels:\n  <<: *l\n  team: shop\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("    tier: web\n"), "{}", r.stdout);
    // `<<: ~` is an error in Helm too.
    let err = overlay_fails("service:\n  <<: ~\n");
    assert!(
        err.contains("overlay.yaml:2:7: a merge key `<<` takes a mapping"),
        "{err}"
    );
}

#[test]
fn whole_object_set_json_is_merged_as_helm_4_does() {
    let r = run(&[
        "render",
        example().to_str().unwrap(),
        "--set-json",
        r#"{"replicaCount":3,"image":{"tag":"1.29"}}"#,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("  replicas: 3\n"));
    // Merged, not replaced: the repository stays.
    assert!(r.stdout.contains("image: nginx:1.29\n"), "{}", r.stdout);
    let err = fails_with_help(&[
        "render",
        example().to_str().unwrap(),
        "--set-json",
        r#"{"a":1},b=2"#,
    ]);
    assert!(err.contains("invalid JSON object"), "{err}");
    let err = fails_with_help(&["render", example().to_str().unwrap(), "--set-json", "[1]"]);
    assert!(err.contains("KEY=JSON or a JSON object"), "{err}");
}

#[test]
fn an_empty_value_helm_would_drop_from_a_list_is_refused() {
    let err = fails_with_help(&[
        "render",
        example().to_str().unwrap(),
        "--set",
        "imagePullSecrets[0].name=",
    ]);
    assert!(err.contains("Helm drops that list element"), "{err}");
    assert!(err.contains("`imagePullSecrets[0].name=,`"), "{err}");
}

#[test]
fn multi_document_values_files_are_merged_in_order_as_helm_4_does() {
    let r = render_overlay(
        "image: {tag: \"1.30\"}\nreplicaCount: 5\n---\n# only a comment\n---\nimage: {tag: \"1.31\"}\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("image: nginx:1.31\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  replicas: 5\n"), "{}", r.stdout);
    // Errors point into the right document.
    let err = overlay_fails("replicaCount: 5\n---\nreplicaCount: five\n");
    assert!(
        err.contains("overlay.yaml:3:15: `replicaCount` must be an integer"),
        "{err}"
    );
    // Helm refuses a document that is not a mapping, and a `---` line with content after it.
    let err = overlay_fails("a: 1\n---\n- b\n");
    assert!(
        err.contains("overlay.yaml:3:1: a values file must be a mapping"),
        "{err}"
    );
    let err = overlay_fails("replicaCount: 1\n--- {replicaCount: 2}\n");
    assert!(
        err.contains("overlay.yaml:2:4: something after `---`"),
        "{err}"
    );
    // A document after `...` without `---` is one Helm drops.
    let err = overlay_fails("replicaCount: 1\n...\nreplicaCount: 2\n");
    assert!(err.contains("without its own `---`"), "{err}");
}

#[test]
fn integral_floats_are_integers_and_other_floats_are_refused_with_the_field_named() {
    let r = render_overlay("replicaCount: 3.0\nreadinessProbe:\n  periodSeconds: 1e1\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("  replicas: 3\n"), "{}", r.stdout);
    assert!(r.stdout.contains("periodSeconds: 10\n"), "{}", r.stdout);
    for (flag, arg, line) in [
        ("--set-json", "replicaCount=1.0", "  replicas: 1\n"),
        ("--set-json", "replicaCount=-0", "  replicas: 0\n"),
        ("--set-json", r#"{"replicaCount":2.0}"#, "  replicas: 2\n"),
    ] {
        let r = run(&["render", example().to_str().unwrap(), flag, arg]);
        assert_eq!(r.code, 0, "{flag} {arg}: {}", r.stderr);
        assert!(r.stdout.contains(line), "{flag} {arg}: {}", r.stdout);
    }
    let err = overlay_fails("replicaCount: 3.5\n");
    assert!(
        err.contains("overlay.yaml:1:15: `replicaCount` must be an integer, found the number 3.5"),
        "{err}"
    );
    let err = overlay_fails("readinessProbe:\n  periodSeconds: 2.5\n");
    assert!(
        err.contains("`readinessProbe.periodSeconds` must be an integer"),
        "{err}"
    );
    let err = fails_with_help(&[
        "render",
        example().to_str().unwrap(),
        "--set-json",
        "replicaCount=1.5",
    ]);
    assert!(
        err.contains("--set-json replicaCount=1.5: `replicaCount` must be an integer"),
        "{err}"
    );
}

#[test]
fn a_null_that_removes_a_needed_default_names_the_flag_not_a_template() {
    for (arg, key) in [
        (
            "service.port=null",
            "`service.port` is removed by a null here",
        ),
        ("service.type=null", "`service.type` is removed"),
        ("service=null", "`service` is removed"),
        ("image.repository=null", "`image.repository` is removed"),
    ] {
        let err = fails_with_help(&["render", example().to_str().unwrap(), "--set", arg]);
        assert!(err.contains(&format!("error: --set {arg}: {key}")), "{err}");
        assert!(!err.contains("embedded"), "{err}");
    }
    let err = overlay_fails("service:\n  port: null\n");
    assert!(
        err.contains("overlay.yaml:2:9: `service.port` is removed"),
        "{err}"
    );
}

#[test]
fn keys_are_spelled_as_helm_spells_them_or_refused_as_helm_refuses_them() {
    let r =
        render_overlay("podAnnotations:\n  1.0e6: a\n  0x10: b\n  !!str 010: c\n  2001-12-14: d\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "\"1e+06\": a",
        "\"16\": b",
        "\"010\": c",
        "\"2001-12-14\": d",
    ] {
        assert!(r.stdout.contains(line), "{line} in {}", r.stdout);
    }
    let err = overlay_fails("podAnnotations:\n  ~: a\n");
    assert!(err.contains("overlay.yaml:2:3: a null key"), "{err}");
    let err = overlay_fails("podAnnotations:\n  9223372036854775808: a\n");
    assert!(err.contains("beyond 64-bit integers"), "{err}");
    // `!!timestamp` and an out-of-range float stay text, as in Helm.
    let r = render_overlay("podAnnotations:\n  when: !!timestamp 2001-12-14\n  big: 1e400\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("when: \"2001-12-14\""), "{}", r.stdout);
    assert!(r.stdout.contains("big: \"1e400\""), "{}", r.stdout);
}

#[test]
fn flag_errors_speak_plainly_blame_the_flag_and_say_how_to_fix_them() {
    let ex = example();
    let ex = ex.to_str().unwrap();
    let err = fails_with_help(&["render", ex, "--set", "ports[x].name=x"]);
    assert!(
        err.contains("the list index \"x\" is not a number"),
        "{err}"
    );
    assert!(!err.contains("strconv"), "{err}");
    let err = fails_with_help(&["render", ex, "--set", "image.tag="]);
    assert!(
        err.contains("error: --set image.tag=: `image.tag` is empty"),
        "{err}"
    );
    assert!(
        err.contains("help: give it a value: --set image.tag=1.29"),
        "{err}"
    );
    let err = fails_with_help(&["render", ex, "--set-json", "image.tag=1.10"]);
    assert!(err.contains("--set-json 'image.tag=\"1.10\"'"), "{err}");
    assert!(!err.contains("`1.1`"), "{err}");
    for (arg, help) in [
        ("image=1.29", "--set image.KEY=VALUE"),
        ("replicaCount=three", "--set replicaCount=3"),
        (
            "rollout.strategy.blueGreen.autoPromotionEnabled=yes",
            "--set rollout.strategy.blueGreen.autoPromotionEnabled=true",
        ),
    ] {
        let err = fails_with_help(&["render", ex, "--set", arg]);
        assert!(err.contains(help), "{arg}: {err}");
    }
}

#[test]
fn one_set_argument_with_300_indexed_paths_is_refused_without_costing_gigabytes() {
    // Each path is within Helm's limits; together they would pad lists with 19.7 million
    // nulls. The budget is per command, so the argument fails at the third path.
    let arg: String = (0..300)
        .map(|i| format!("a{i}[65536]=1"))
        .collect::<Vec<_>>()
        .join(",");
    assert!(arg.len() < 4200);
    let ex = example();
    let started = std::time::Instant::now();
    let err = fails_with_help(&["render", ex.to_str().unwrap(), "--set", &arg]);
    assert!(
        err.contains("pad lists with more than 131074 elements"),
        "{err}"
    );
    // The same through Argo CD's environment, which an Application author controls.
    let r = common::rollwright()
        .current_dir(&ex)
        .args(["render", ".", "--argocd-env"])
        .env("ARGOCD_ENV_ROLLWRIGHT_SET", &arg)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("pad lists with more than 131074 elements")
    );
    // Not a benchmark: the old cost was 85 s and 4.5 GB for one of these.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// Every `error:` the CLI prints is followed by its `help:` line, across commands and kinds of
/// mistake (tests/source_rules.rs checks the constructors; this checks what users see).
#[test]
fn every_error_a_user_meets_has_a_help_line() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir(t.join("empty")).unwrap();
    std::fs::write(t.join("bad.yaml"), "a: [1, 2\n").unwrap();
    std::fs::write(t.join("list.yaml"), "- 1\n").unwrap();
    std::fs::write(t.join(".rollwright.yaml"), "rules:\n  BG-99: off\n").unwrap();
    std::fs::write(t.join("notes.txt"), "x").unwrap();
    let ex = example();
    let ex = ex.to_str().unwrap();
    let p = |name: &str| t.join(name).to_str().unwrap().to_owned();
    let cases: Vec<Vec<String>> = vec![
        vec!["render".into(), p("missing")],
        vec!["render".into(), p("empty")],
        vec!["render".into(), ex.into(), "-f".into(), p("missing.yaml")],
        vec!["render".into(), ex.into(), "-f".into(), p("bad.yaml")],
        vec!["render".into(), ex.into(), "-f".into(), p("list.yaml")],
        vec!["render".into(), ex.into(), "-f".into(), p("empty")],
        vec!["render".into(), ex.into(), "--set".into(), "a[0".into()],
        vec![
            "render".into(),
            ex.into(),
            "--set".into(),
            "replicaCount=three".into(),
        ],
        vec![
            "render".into(),
            ex.into(),
            "--output-dir".into(),
            p("notes.txt"),
        ],
        vec!["explain".into(), p("empty")],
        vec!["validate".into(), p("missing.yaml")],
        vec!["validate".into(), p("bad.yaml")],
        vec![
            "validate".into(),
            "--config".into(),
            p(".rollwright.yaml"),
            ex.into(),
        ],
        vec!["set".into(), p("empty"), "replicaCount=3".into()],
        vec!["set-image".into(), p("empty"), "nginx:1.29".into()],
        vec!["set-image".into(), p("empty")],
        vec![
            "export-helm".into(),
            p("missing"),
            "--output-dir".into(),
            p("out"),
        ],
        vec![
            "export-helm".into(),
            ex.into(),
            "--output-dir".into(),
            ex.into(),
        ],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_ne!(r.code, 0, "{args:?} succeeded");
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        let errors: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with("error: "))
            .collect();
        assert!(!errors.is_empty(), "{args:?}: no error line: {}", r.stderr);
        for i in errors {
            let helped = lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("error: "))
                .any(|l| l.starts_with("  help: "));
            assert!(
                helped,
                "{args:?}: no help for {:?}:\n{}",
                lines[i], r.stderr
            );
        }
    }
}

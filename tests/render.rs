//! `rollwright render` as a user runs it.

mod common;

use common::{chart, docs, example, run};
use serde_json::{Value, json};

fn render(extra: &[&str]) -> common::Run {
    let ex = example();
    let mut args = vec!["render", ex.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn example_renders_the_seed_objects() {
    let r = render(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("rollouts_demo", r.stdout);
    let d = docs(&r.stdout);
    let kinds: Vec<(&str, &str)> = d
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Rollout", "rollouts-demo"),
            ("Service", "rollouts-demo-active"),
            ("Service", "rollouts-demo-preview"),
            ("AnalysisTemplate", "success-rate"),
        ]
    );
    let rollout = find(&d, "Rollout", "rollouts-demo");
    let bg = &rollout["spec"]["strategy"]["blueGreen"];
    assert_eq!(bg["activeService"], "rollouts-demo-active");
    assert_eq!(bg["previewService"], "rollouts-demo-preview");
    assert_eq!(bg["autoPromotionEnabled"], false);
    assert_eq!(bg["scaleDownDelaySeconds"], 30);
    assert_eq!(
        bg["prePromotionAnalysis"],
        json!({"templates": [{"templateName": "success-rate"}],
               "args": [{"name": "service-name", "value": "rollouts-demo-preview"}]})
    );
    assert_eq!(
        rollout["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.28"
    );
    let query = find(&d, "AnalysisTemplate", "success-rate")["spec"]["metrics"][0]["provider"]
        ["prometheus"]["query"]
        .as_str()
        .unwrap();
    assert!(query.contains("{{args.service-name}}"), "{query}");
}

#[test]
fn set_image_tag_changes_only_the_image() {
    let base = docs(&render(&[]).stdout);
    let r = render(&["--set", "image.tag=1.29"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut new = docs(&r.stdout);
    assert_eq!(
        new[0]["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.29"
    );
    new[0]["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    assert_eq!(new, base);
}

#[test]
fn set_auto_promotion_enabled() {
    let r = render(&[
        "--set",
        "rollout.strategy.blueGreen.autoPromotionEnabled=true",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    assert_eq!(
        d[0]["spec"]["strategy"]["blueGreen"]["autoPromotionEnabled"],
        true
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    let first = render(&["--set", "image.tag=1.29"]).stdout;
    for _ in 0..100 {
        assert_eq!(render(&["--set", "image.tag=1.29"]).stdout, first);
    }
}

#[test]
fn output_dir_writes_one_file_per_object() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("manifests");
    let r = render(&["--output-dir", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "analysistemplate-success-rate.yaml",
            "rollout-rollouts-demo.yaml",
            "service-rollouts-demo-active.yaml",
            "service-rollouts-demo-preview.yaml",
        ]
    );
    let stream = docs(&render(&[]).stdout);
    let rollout: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(dir.join("rollout-rollouts-demo.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(rollout, stream[0]);
}

#[test]
fn namespace_flag_is_written_into_namespaced_objects() {
    let r = render(&["--namespace", "shop"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for d in docs(&r.stdout) {
        assert_eq!(d["metadata"]["namespace"], "shop", "{}", d["kind"]);
    }
}

#[test]
fn preview_service_can_be_switched_off() {
    for flag in [
        "rollout.strategy.blueGreen.previewService=null",
        "rollout.strategy.blueGreen.previewService=",
    ] {
        let r = render(&["--set", flag]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let d = docs(&r.stdout);
        assert!(
            d[0]["spec"]["strategy"]["blueGreen"]
                .get("previewService")
                .is_none(),
            "{flag}"
        );
        assert_eq!(
            d.iter().filter(|o| o["kind"] == "Service").count(),
            1,
            "{flag}"
        );
    }
}

#[test]
fn defaults_come_from_the_seed_and_the_name() {
    let dir = chart("image:\n  tag: \"1.0\"\n");
    let named = dir.path().join("shop");
    std::fs::create_dir(&named).unwrap();
    std::fs::rename(dir.path().join("values.yaml"), named.join("values.yaml")).unwrap();
    let r = run(&["render", named.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    let bg = &d[0]["spec"]["strategy"]["blueGreen"];
    assert_eq!(d[0]["metadata"]["name"], "shop");
    assert_eq!(bg["activeService"], "shop-active");
    assert_eq!(bg["previewService"], "shop-preview");
    assert_eq!(bg["autoPromotionEnabled"], false);
    assert_eq!(bg["scaleDownDelaySeconds"], 30);
    assert_eq!(
        d[0]["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.0"
    );
    // --name wins over the directory and over `name:` in values.
    let r = run(&["render", named.to_str().unwrap(), "--name", "cart"]);
    assert_eq!(
        docs(&r.stdout)[0]["spec"]["strategy"]["blueGreen"]["activeService"],
        "cart-active"
    );
}

#[test]
fn values_files_layer_like_helm() {
    let dir = chart(
        "name: app\nimage:\n  tag: \"1\"\npodAnnotations:\n  a: base\n  b: base\nargs: [x, y]\n",
    );
    let over = dir.path().join("prod.yaml");
    std::fs::write(&over, "podAnnotations:\n  b: prod\n  a: null\nargs: [z]\n").unwrap();
    let last = dir.path().join("last.yaml");
    std::fs::write(&last, "podAnnotations:\n  b: last\n").unwrap();
    let r = run(&[
        "render",
        dir.path().to_str().unwrap(),
        "-f",
        over.to_str().unwrap(),
        "-f",
        last.to_str().unwrap(),
        "--set-string",
        "image.tag=2",
        "--set",
        "image.tag=3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    let pod = &d[0]["spec"]["template"];
    assert_eq!(pod["metadata"]["annotations"], json!({"b": "last"}));
    assert_eq!(pod["spec"]["containers"][0]["args"], json!(["z"]));
    assert_eq!(pod["spec"]["containers"][0]["image"], "nginx:2");
}

#[test]
fn set_json_sets_structured_values() {
    let r = render(&["--set-json", r#"resources={"limits":{"cpu":"1"}}"#]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    assert_eq!(
        d[0]["spec"]["template"]["spec"]["containers"][0]["resources"],
        json!({"limits": {"cpu": "1", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}}),
        "maps from flags merge into the chart's maps, as in Helm"
    );
}

#[test]
fn cluster_scoped_analysis_template() {
    let r = render(&[
        "--set",
        "analysisTemplates.success-rate.clusterScope=true",
        "-n",
        "shop",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    let t = find(&d, "ClusterAnalysisTemplate", "success-rate");
    assert!(t["metadata"].get("namespace").is_none());
}

#[test]
fn chart_templates_override_the_embedded_ones() {
    let dir = chart("image:\n  tag: \"1\"\n");
    let t = dir.path().join("chart-templates");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(
        t.join("service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ name ~ \"-only\" }}\nspec:\n  selector: {{ selectorLabels }}\n",
    )
    .unwrap();
    std::fs::write(
        t.join("configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\ndata:\n  tag: {{ values.image.tag }}\n",
    )
    .unwrap();
    let r = run(&["render", dir.path().to_str().unwrap(), "--name", "app"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = docs(&r.stdout);
    let names: Vec<_> = d
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(names, ["Rollout/app", "Service/app-only", "ConfigMap/app"]);
}

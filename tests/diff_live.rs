//! `rollwright diff --live` against a fake Kubernetes API server on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::fake_kube::{FakeKube, Mode, as_live, write_kubeconfig};
use common::{Run, example, rollwright};
use serde_json::{Value, json};

/// The example as rendered for namespace `shop`.
fn rendered(set: &[&str]) -> Vec<Value> {
    let input = rollwright::values::ValuesInput {
        chart: example(),
        set: set.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let loaded = rollwright::values::load(&input).unwrap();
    rollwright::render::render(&loaded, Some("shop"))
        .unwrap()
        .into_iter()
        .map(|o| o.value)
        .collect()
}

/// The example as the cluster holds it after it was applied.
fn live_example() -> Vec<Value> {
    rendered(&[])
        .iter()
        .enumerate()
        .map(|(i, o)| as_live(o, i))
        .collect()
}

fn diff(server: &FakeKube, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let mut args = vec![
        "diff".to_string(),
        example().display().to_string(),
        "--live".into(),
        "--kubeconfig".into(),
        kubeconfig.display().to_string(),
        "--detailed-exitcode".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = rollwright()
        .args(&args)
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn only_reads(server: &FakeKube) {
    let requests = server.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(r.starts_with("GET "), "not a read: {r}");
    }
}

#[test]
fn identical_render_has_no_changes() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let run = diff(&server, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No changes: 4 objects compared with live\n");
    only_reads(&server);
    // Two Services and one of each Argo kind: one GET each, plus the namespace's HPAs.
    let requests = server.requests();
    assert_eq!(requests.len(), 5, "{requests:#?}");
    assert!(requests.contains(
        &"GET /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/rollouts-demo".to_string()
    ));
    assert!(
        requests
            .iter()
            .any(|r| r
                .starts_with("GET /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers")),
        "{requests:#?}"
    );
}

#[test]
fn new_tag_is_one_image_line_and_a_new_revision() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let run = diff(&server, &["--set", "image.tag=1.29"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let changed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| {
            (l.starts_with('-') || l.starts_with('+'))
                && !l.starts_with("---")
                && !l.starts_with("+++")
        })
        .collect();
    assert_eq!(
        changed,
        vec!["-        image: nginx:1.28", "+        image: nginx:1.29"],
        "{}",
        run.stdout
    );
    assert!(run.stdout.starts_with("Release impact\n  Rollout shop/rollouts-demo: new revision\n    image rollouts-demo: nginx:1.28 → nginx:1.29\n"), "{}", run.stdout);
    assert!(run.stdout.contains("pauses for a manual promote"));
    assert!(
        run.stdout
            .contains("kubectl argo rollouts promote rollouts-demo -n shop")
    );
    assert!(run.stdout.contains("Rollout shop/rollouts-demo (changed)\n--- live/Rollout/shop/rollouts-demo\n+++ proposed/Rollout/shop/rollouts-demo\n"));
    assert!(
        run.stdout.ends_with(
            "0 created, 1 changed, 0 removed, 3 unchanged (proposed compared with live)\n"
        )
    );
    only_reads(&server);
    // Without --detailed-exitcode changes still exit 0.
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    rollwright()
        .args([
            "diff",
            &example().display().to_string(),
            "--live",
            "--set",
            "image.tag=1.29",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .assert()
        .code(0);
}

#[test]
fn json_names_the_changed_field_and_what_was_suppressed() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let run = diff(&server, &["--set", "image.tag=1.29", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["impact"][0]["impact"], "new-revision");
    assert_eq!(
        doc["impact"][0]["images"][0],
        json!({"container": "rollouts-demo", "before": "nginx:1.28", "after": "nginx:1.29"})
    );
    let rollout = &doc["objects"][0];
    assert_eq!(rollout["change"], "changed");
    assert_eq!(
        rollout["fields"],
        json!([{"path": "/spec/template/spec/containers/0/image", "op": "replace", "before": "nginx:1.28", "after": "nginx:1.29"}])
    );
    let service = &doc["objects"][1];
    assert_eq!(service["change"], "unchanged");
    let rules: Vec<&str> = service["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"rollouts-pod-template-hash") && rules.contains(&"service-assigned"),
        "{rules:?}"
    );
}

#[test]
fn absent_objects_are_created_and_a_new_rollout_is_a_first_deploy() {
    let server = FakeKube::start(vec![], Mode::Serve);
    let run = diff(&server, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Rollout shop/rollouts-demo: first deploy"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("no pause, no analysis"));
    assert!(
        run.stdout
            .contains("Service shop/rollouts-demo-active (created)\n--- /dev/null\n")
    );
    assert!(
        run.stdout
            .contains("4 created, 0 changed, 0 removed, 0 unchanged")
    );
}

#[test]
fn selector_finds_removed_objects_and_hpa_owns_replicas() {
    let mut objects = live_example();
    let mut stray = objects[1].clone();
    stray["metadata"]["name"] = json!("rollouts-demo-canary");
    objects.push(stray);
    // An autoscaler scaled the Rollout to 7.
    objects[0]["spec"]["replicas"] = json!(7);
    objects.push(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "rollouts-demo", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollouts-demo"},
            "minReplicas": 2, "maxReplicas": 10}}));
    let server = FakeKube::start(objects, Mode::Serve);
    let run = diff(
        &server,
        &["--selector", "app.kubernetes.io/name=rollouts-demo"],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Service shop/rollouts-demo-canary (removed)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("0 created, 0 changed, 1 removed, 4 unchanged"),
        "{}",
        run.stdout
    );
    only_reads(&server);
    assert!(
        server.requests().iter().all(|r| !r.contains("/rollouts/")),
        "LISTs, no GETs: {:#?}",
        server.requests()
    );
}

#[test]
fn unauthorized() {
    let server = FakeKube::start(live_example(), Mode::Unauthorized);
    let run = diff(&server, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("refused the credentials (401 Unauthorized)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn forbidden_names_verb_and_resource() {
    let server = FakeKube::start(live_example(), Mode::Forbidden);
    let run = diff(&server, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("forbidden (403): cannot get "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("kubectl auth can-i get "),
        "{}",
        run.stderr
    );
}

#[test]
fn forbidden_rollout_list_names_rollouts() {
    let mut many = live_example();
    for i in 0..3 {
        let mut r = many[0].clone();
        r["metadata"]["name"] = json!(format!("r{i}"));
        many.push(r);
    }
    // Three Rollouts in one namespace are read with one LIST.
    let dir = tempfile::tempdir().unwrap();
    let manifests: String = many
        .iter()
        .filter(|o| o["kind"] == "Rollout")
        .map(|o| {
            format!(
                "---\n{}\n",
                serde_json::json!({"apiVersion": o["apiVersion"], "kind": "Rollout",
            "metadata": {"name": o["metadata"]["name"], "namespace": "shop"}, "spec": o["spec"]})
            )
        })
        .collect();
    let file = dir.path().join("rollouts.yaml");
    std::fs::write(&file, manifests).unwrap();
    let server = FakeKube::start(many, Mode::Forbidden);
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let out = rollwright()
        .args([
            "diff",
            &file.display().to_string(),
            "--live",
            "--kubeconfig",
            &kubeconfig.display().to_string(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("cannot list rollouts.argoproj.io in namespace shop"),
        "{stderr}"
    );
    assert!(stderr.contains("resources: [\"rollouts\"]"), "{stderr}");
}

#[test]
fn missing_crds() {
    let server = FakeKube::start(live_example(), Mode::NoArgoCrds);
    let run = diff(&server, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("the Argo Rollouts CRDs are not installed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rollouts.argoproj.io/v1alpha1")
            || run
                .stderr
                .contains("analysistemplates.argoproj.io/v1alpha1"),
        "{}",
        run.stderr
    );
}

#[test]
fn hung_server_times_out() {
    let server = FakeKube::start(live_example(), Mode::Hang);
    let start = Instant::now();
    let run = diff(&server, &["--request-timeout", "1s"]);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no answer from the API server at http://127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("within 1s (--request-timeout)"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreachable_cluster() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), &format!("http://127.0.0.1:{port}"), "shop");
    let out = rollwright()
        .args([
            "diff",
            &example().display().to_string(),
            "--live",
            "--kubeconfig",
            &kubeconfig.display().to_string(),
            "--request-timeout",
            "5s",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(&format!(
            "cannot reach the API server at http://127.0.0.1:{port}/"
        )),
        "{stderr}"
    );
}

#[test]
fn no_kubeconfig() {
    let home = tempfile::tempdir().unwrap();
    let out = rollwright()
        .args(["diff", &example().display().to_string(), "--live"])
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("no kubeconfig"), "{stderr}");
    assert!(stderr.contains("--kubeconfig"), "{stderr}");
}

#[test]
fn unknown_context() {
    let server = FakeKube::start(vec![], Mode::Serve);
    let run = diff(&server, &["--context", "prod"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("prod"), "{}", run.stderr);
    assert!(server.requests().is_empty());
}

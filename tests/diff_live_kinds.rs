//! `rollwright diff --live` on every kind an application folder holds, against a stand-in API
//! server fed with what a real kube-apiserver (v1.28) stored and answered: the objects after
//! `kubectl apply`, after `kubectl apply --server-side`, and the answers of server-side dry
//! runs. The data is read from the folder `ROLLWRIGHT_K8S_LIVE` names (`.ci/run` points it at
//! the shared copy); without it these tests skip and say so.

mod common;

use std::path::{Path, PathBuf};

use common::fake_kube::{FakeKube, Mode, Setup, apply_entry};
use common::{Run, docs, rollwright};
use serde_json::{Value, json};

const NS: &str = "shop";

fn data() -> Option<PathBuf> {
    common::peers::env_path("ROLLWRIGHT_K8S_LIVE")
}

const FOLDERS: [&str; 2] = ["app-kinds", "rollouts-demo"];

/// The items of one recorded answer of both folders, in namespace `shop`.
fn recorded(data: &Path, file: &str) -> Vec<Value> {
    FOLDERS
        .iter()
        .flat_map(|folder| {
            let text = std::fs::read_to_string(data.join(folder).join(file)).unwrap();
            let doc: Value = serde_json::from_str(&text.replace("NAMESPACE", NS)).unwrap();
            doc["items"].as_array().unwrap().clone()
        })
        .collect()
}

/// The manifests of both folders, as applied.
fn manifests(data: &Path) -> Vec<Value> {
    FOLDERS
        .iter()
        .flat_map(|folder| {
            docs(&std::fs::read_to_string(data.join(format!("{folder}.yaml"))).unwrap())
        })
        .collect()
}

fn write_manifests(dir: &Path, objects: &[Value]) -> PathBuf {
    let path = dir.join("manifests.yaml");
    let text: String = objects.iter().map(|o| format!("---\n{o}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn diff(server: &FakeKube, objects: &[Value], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = write_manifests(dir.path(), objects);
    let kubeconfig = server.kubeconfig(dir.path(), NS);
    let mut args = vec![
        "diff".to_string(),
        file.display().to_string(),
        "--live".into(),
        "--kubeconfig".into(),
        kubeconfig.display().to_string(),
        "--detailed-exitcode".into(),
        "--format".into(),
        "json".into(),
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

/// The changed objects of a JSON report, with their changed paths.
fn changed(run: &Run) -> Vec<(String, Vec<String>)> {
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["change"] != "unchanged")
        .map(|o| {
            (
                format!(
                    "{} {}",
                    o["kind"].as_str().unwrap(),
                    o["name"].as_str().unwrap()
                ),
                o["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {}",
                            f["op"].as_str().unwrap(),
                            f["path"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn assert_clean(run: &Run, what: &str) {
    let changes = changed(run);
    assert!(changes.is_empty(), "{what}: {changes:#?}\n{}", run.stderr);
    assert_eq!(run.code, 0, "{what}: {}", run.stderr);
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn every_kind_diffs_clean_after_kubectl_apply() {
    let Some(data) = data() else { return };
    let server = FakeKube::start(
        recorded(&data, "live-after-kubectl-apply.json"),
        Mode::Serve,
    );
    let run = diff(&server, &manifests(&data), &[]);
    assert_clean(&run, "after kubectl apply");
    // The defaults the API server wrote are suppressed, by the three-way rule.
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let rules: Vec<&str> = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["suppressed"].as_array().unwrap())
        .map(|s| s["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"server-owned"), "{rules:?}");
    assert!(server.requests().iter().all(|r| r.starts_with("GET ")));
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn every_kind_diffs_clean_after_server_side_apply() {
    let Some(data) = data() else { return };
    // As `kubectl get` shows them: no managedFields, so no record; the defaults tables decide.
    let live = recorded(&data, "live-after-server-side-apply.json");
    let server = FakeKube::start(live, Mode::Serve);
    assert_clean(
        &diff(&server, &manifests(&data), &[]),
        "after server-side apply, no record",
    );
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn every_kind_diffs_clean_with_an_apply_manager_in_managed_fields() {
    let Some(data) = data() else { return };
    let manifests = manifests(&data);
    // The Apply entry the server keeps: exactly the fields each manifest set.
    let live: Vec<Value> = recorded(&data, "live-after-server-side-apply.json")
        .into_iter()
        .map(|mut o| {
            let m = manifests
                .iter()
                .find(|m| m["kind"] == o["kind"] && m["metadata"]["name"] == o["metadata"]["name"])
                .expect("a manifest for each object");
            o["metadata"]["managedFields"] = json!([apply_entry(m, "argocd-controller")]);
            o
        })
        .collect();
    let server = FakeKube::start(live, Mode::Serve);
    let run = diff(&server, &manifests, &[]);
    assert_clean(&run, "with managedFields");
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn objects_made_without_a_record_diff_clean() {
    let Some(data) = data() else { return };
    // `kubectl create` leaves no last-applied configuration.
    let live: Vec<Value> = recorded(&data, "live-after-kubectl-apply.json")
        .into_iter()
        .map(|mut o| {
            o["metadata"]["annotations"]
                .as_object_mut()
                .unwrap()
                .remove("kubectl.kubernetes.io/last-applied-configuration");
            o
        })
        .collect();
    let server = FakeKube::start(live, Mode::Serve);
    assert_clean(&diff(&server, &manifests(&data), &[]), "kubectl create");
}

/// Kind and name of an object, a change to its manifest, and the one field change that must
/// show for it.
type OneChange = (&'static str, &'static str, fn(&mut Value), &'static str);

/// One field changed in one object of each kind, and what must show for it.
fn one_change_per_kind() -> Vec<OneChange> {
    fn image(o: &mut Value, at: &str, to: &str) {
        o.pointer_mut(at).unwrap()["image"] = json!(to);
    }
    vec![
        (
            "ConfigMap",
            "app-conf",
            |o| o["data"]["a"] = json!("2"),
            "replace /data/a",
        ),
        (
            "Secret",
            "app-secret",
            |o| o["stringData"]["password"] = json!("hunter3"),
            "replace /data/password",
        ),
        (
            "ServiceAccount",
            "app",
            |o| o["metadata"]["labels"] = json!({"team": "a"}),
            "add /metadata/labels",
        ),
        (
            "Deployment",
            "web",
            |o| image(o, "/spec/template/spec/containers/0", "nginx:1.26"),
            "replace /spec/template/spec/containers/0/image",
        ),
        (
            "StatefulSet",
            "db",
            |o| image(o, "/spec/template/spec/containers/0", "postgres:17"),
            "replace /spec/template/spec/containers/0/image",
        ),
        (
            "DaemonSet",
            "agent",
            |o| image(o, "/spec/template/spec/containers/0", "busybox:1.37"),
            "replace /spec/template/spec/containers/0/image",
        ),
        (
            "Job",
            "migrate",
            |o| image(o, "/spec/template/spec/containers/0", "busybox:1.37"),
            "replace /spec/template/spec/containers/0/image",
        ),
        (
            "CronJob",
            "nightly",
            |o| o["spec"]["schedule"] = json!("0 4 * * *"),
            "replace /spec/schedule",
        ),
        (
            "PodDisruptionBudget",
            "web",
            |o| o["spec"]["minAvailable"] = json!(2),
            "replace /spec/minAvailable",
        ),
        (
            "Ingress",
            "web",
            |o| o["spec"]["rules"][0]["host"] = json!("www.example.com"),
            "replace /spec/rules/0/host",
        ),
        (
            "HorizontalPodAutoscaler",
            "web",
            |o| o["spec"]["maxReplicas"] = json!(6),
            "replace /spec/maxReplicas",
        ),
        (
            "NetworkPolicy",
            "web",
            |o| o["spec"]["podSelector"]["matchLabels"]["app"] = json!("web2"),
            "replace /spec/podSelector/matchLabels/app",
        ),
        (
            "PersistentVolumeClaim",
            "scratch",
            |o| o["spec"]["resources"]["requests"]["storage"] = json!("2Gi"),
            "replace /spec/resources/requests/storage",
        ),
        (
            "Role",
            "reader",
            |o| {
                o["rules"][0]["verbs"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("watch"))
            },
            "add /rules/0/verbs/2",
        ),
        (
            "RoleBinding",
            "reader",
            |o| o["roleRef"]["name"] = json!("reader2"),
            "replace /roleRef/name",
        ),
        (
            "Pod",
            "smoke-test",
            |o| image(o, "/spec/containers/0", "busybox:1.37"),
            "replace /spec/containers/0/image",
        ),
        (
            "Rollout",
            "rollouts-demo",
            |o| image(o, "/spec/template/spec/containers/0", "nginx:1.29"),
            "replace /spec/template/spec/containers/0/image",
        ),
        (
            "Service",
            "rollouts-demo-active",
            |o| o["spec"]["ports"][0]["targetPort"] = json!(8080),
            "replace /spec/ports/0/targetPort",
        ),
        (
            "AnalysisTemplate",
            "success-rate",
            |o| o["spec"]["metrics"][0]["interval"] = json!("2m"),
            "replace /spec/metrics/0/interval",
        ),
    ]
}

fn one_change_shows_alone(live: Vec<Value>, what: &str, extra: &[&str], setup: Setup) {
    let Some(data) = data() else { return };
    let server = FakeKube::start_with(live, Mode::Serve, setup);
    for (kind, name, change, expected) in one_change_per_kind() {
        let mut objects = manifests(&data);
        let o = objects
            .iter_mut()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name} in the data"));
        change(o);
        let run = diff(&server, &objects, extra);
        assert_eq!(
            changed(&run),
            vec![(format!("{kind} {name}"), vec![expected.to_string()])],
            "{what}: {kind} {name}\n{}",
            run.stderr
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(!run.stdout.contains("hunter"), "{}", run.stdout);
    }
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn one_changed_field_shows_alone_in_every_kind() {
    let Some(data) = data() else { return };
    one_change_shows_alone(
        recorded(&data, "live-after-kubectl-apply.json"),
        "after kubectl apply",
        &[],
        Setup::default(),
    );
    one_change_shows_alone(
        recorded(&data, "live-after-server-side-apply.json"),
        "after server-side apply, no record",
        &[],
        Setup::default(),
    );
}

#[test]
#[ignore = "needs ROLLWRIGHT_K8S_LIVE"]
fn server_side_diffs_against_what_the_server_would_store() {
    let Some(data) = data() else { return };
    let setup = Setup {
        dry_run: recorded(&data, "server-side-dry-run.json"),
        ..Setup::default()
    };
    let server = FakeKube::start_with(
        recorded(&data, "live-after-kubectl-apply.json"),
        Mode::Serve,
        setup.clone(),
    );
    let run = diff(&server, &manifests(&data), &["--server-side"]);
    assert_clean(&run, "--server-side");
    let requests = server.requests();
    let patches: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("PATCH "))
        .collect();
    assert_eq!(patches.len(), manifests(&data).len(), "{requests:#?}");
    for p in &patches {
        assert!(p.contains("dryRun=All"), "{p}");
        assert!(p.contains("fieldManager=rollwright"), "{p}");
        assert!(p.ends_with(" application/apply-patch+yaml"), "{p}");
    }
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET ") || r.starts_with("PATCH ")),
        "{requests:#?}"
    );
    one_change_shows_alone(
        recorded(&data, "live-after-kubectl-apply.json"),
        "--server-side",
        &["--server-side"],
        setup,
    );
}

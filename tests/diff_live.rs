//! `rollwright diff --live` against a fake Kubernetes API server on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::fake_kube::{
    FakeKube, FakeProxy, Mode, Setup, as_live, certs, write_kubeconfig, write_kubeconfig_with,
};
use common::live::{live_args, live_example, run_diff};
use common::{Run, example, rollwright};
use serde_json::{Value, json};

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
    // clusterIP and the other allocated fields: the three-way rule, since the live object
    // records what kubectl applied.
    assert!(
        rules.contains(&"rollouts-pod-template-hash") && rules.contains(&"server-owned"),
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
            "the connection to the API server at http://127.0.0.1:{port}/ was refused: nothing listens at 127.0.0.1:{port}"
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

// ---------------------------------------------------------------------------------------------
// Reaching the cluster: kubectl's verdicts and words

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// A TLS stand-in presenting a certificate for `names` signed by `signer`, and a kubeconfig
/// trusting `trusted`, with extra cluster lines.
fn tls_case(
    signer: &certs::Ca,
    trusted: &certs::Ca,
    names: &[&str],
    expired: bool,
    extra: &str,
) -> (FakeKube, tempfile::TempDir, std::path::PathBuf) {
    let server = FakeKube::start_with(
        live_example(),
        Mode::Serve,
        Setup {
            tls: Some(certs::server(signer, names, expired)),
            ..Setup::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cluster = format!(
        "    certificate-authority-data: {}\n{extra}",
        base64(trusted.pem.as_bytes())
    );
    let kubeconfig = write_kubeconfig_with(
        dir.path(),
        &server.url(),
        "shop",
        &cluster,
        "    token: test-token\n",
    );
    (server, dir, kubeconfig)
}

#[test]
fn a_trusted_certificate_works() {
    let ca = certs::ca("cluster-ca");
    let (server, _dir, kubeconfig) = tls_case(&ca, &ca, &["127.0.0.1"], false, "");
    let run = run_diff(&live_args(&kubeconfig, &["--detailed-exitcode"]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "No changes: 4 objects compared with live\n");
    assert!(!server.requests().is_empty());
}

#[test]
fn tls_problems_are_named_with_their_fix() {
    let ca = certs::ca("cluster-ca");
    let other = certs::ca("another-ca");
    // An unknown authority.
    let (_s, _d, kubeconfig) = tls_case(&ca, &other, &["127.0.0.1"], false, "");
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "is signed by an unknown authority (x509: certificate signed by unknown authority)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`certificate-authority-data` of cluster `fake` in the kubeconfig"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("check that the cluster is up"),
        "{}",
        run.stderr
    );
    // An expired certificate.
    let (_s, _d, kubeconfig) = tls_case(&ca, &ca, &["127.0.0.1"], true, "");
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert!(
        run.stderr.contains("certificate at https://127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("has expired"), "{}", run.stderr);
    // A certificate for another name; tls-server-name fixes it.
    let (_s, _d, kubeconfig) = tls_case(&ca, &ca, &["kube.internal"], false, "");
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert!(
        run.stderr
            .contains("is valid for kube.internal, not 127.0.0.1"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("tls-server-name"), "{}", run.stderr);
    let (_s, _d, kubeconfig) = tls_case(
        &ca,
        &ca,
        &["kube.internal"],
        false,
        "    tls-server-name: kube.internal\n",
    );
    let run = run_diff(&live_args(&kubeconfig, &["--detailed-exitcode"]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_kubeconfig_with_a_ca_and_insecure_is_refused() {
    let ca = certs::ca("cluster-ca");
    let (server, _dir, kubeconfig) = tls_case(
        &ca,
        &ca,
        &["127.0.0.1"],
        false,
        "    insecure-skip-tls-verify: true\n",
    );
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cluster `fake`: specifying a root certificates file with the insecure flag is not allowed"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());
}

#[test]
fn an_unknown_context_is_named_as_the_context() {
    let server = FakeKube::start(vec![], Mode::Serve);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let run = run_diff(&live_args(&kubeconfig, &["--context", "nope"]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error: --context: no context `nope` in the kubeconfig"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the contexts are: `fake`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("--kubeconfig: unusable"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_name_that_does_not_resolve_is_a_dns_failure() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "http://cluster.invalid:6443", "shop");
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("cannot resolve `cluster.invalid`, the API server's host name"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Proxies, as kubectl uses them

#[test]
fn proxy_environment_variables_are_honoured() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let proxy = FakeProxy::start(server.port);
    let dir = tempfile::tempdir().unwrap();
    // A name only the proxy knows: the client must not resolve it itself.
    let url = format!("http://cluster.example.test:{}", server.port);
    let kubeconfig = write_kubeconfig(dir.path(), &url, "shop");
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let run = run_diff(
        &live_args(&kubeconfig, &["--detailed-exitcode"]),
        &[("HTTP_PROXY", &proxy_url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        proxy
            .connects()
            .iter()
            .any(|c| c.starts_with(&format!("CONNECT cluster.example.test:{}", server.port))),
        "{:?}",
        proxy.connects()
    );
    // NO_PROXY covers the host: no proxy, so the name does not resolve.
    let before = proxy.connects().len();
    let run = run_diff(
        &live_args(&kubeconfig, &[]),
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", "example.test")],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot resolve"), "{}", run.stderr);
    assert_eq!(proxy.connects().len(), before);
}

#[test]
fn the_kubeconfig_proxy_url_is_honoured() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let proxy = FakeProxy::start(server.port);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig_with(
        dir.path(),
        &server.url(),
        "shop",
        &format!("    proxy-url: http://127.0.0.1:{}\n", proxy.port),
        "    token: test-token\n",
    );
    let run = run_diff(&live_args(&kubeconfig, &["--detailed-exitcode"]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!proxy.connects().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Server-side dry runs

#[test]
fn server_side_reports_the_selector_conflict_and_warns_about_forcing() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let run = run_diff(
        &live_args(
            &kubeconfig,
            &[
                "--server-side",
                "--set",
                "image.tag=1.29",
                "--detailed-exitcode",
            ],
        ),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("server-side apply as `rollwright` conflicts on Service shop/rollouts-demo-active: .spec.selector is owned by `rollouts-controller`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("warning: Service rollouts-demo-active: the Argo Rollouts controller (`rollouts-controller`) owns spec.selector; applying with --force-conflicts would drop its rollouts-pod-template-hash"),
        "{}",
        run.stdout
    );
    // Still exactly the image line.
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
        vec!["-        image: nginx:1.28", "+        image: nginx:1.29"]
    );
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("PATCH ") && r.contains("force=true"))
    );
    for r in &requests {
        assert!(
            r.starts_with("GET ") || (r.starts_with("PATCH ") && r.contains("dryRun=All")),
            "{r}"
        );
    }
    // Without --server-side only reads, as before.
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn server_side_without_patch_says_what_rbac_needs() {
    let server = FakeKube::start(live_example(), Mode::ForbiddenPatch);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let run = run_diff(&live_args(&kubeconfig, &["--server-side"]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("forbidden (403): cannot patch "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("needs the `patch` verb"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing is written"), "{}", run.stderr);
}

#[test]
fn lists_are_read_page_by_page() {
    let live: Vec<Value> = (0..5)
        .map(|i| {
            as_live(
                &json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": format!("c{i}"), "namespace": "shop"}, "data": {"k": "v"}}),
                i,
            )
        })
        .collect();
    let server = FakeKube::start_with(
        live.clone(),
        Mode::Serve,
        Setup {
            page: Some(2),
            ..Setup::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.yaml");
    let text: String = (0..5)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: v\n"
            )
        })
        .collect();
    std::fs::write(&file, text).unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let args: Vec<String> = [
        "diff",
        file.to_str().unwrap(),
        "--live",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--detailed-exitcode",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = run_diff(&args, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No changes: 5 objects compared with live\n");
    let pages: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.contains("/configmaps?"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:#?}");
    assert!(pages.iter().all(|p| p.contains("limit=500")));
    assert!(
        pages[1].contains("continue=2") && pages[2].contains("continue=4"),
        "{pages:#?}"
    );
}

#[test]
fn a_load_balancer_cleanup_finalizer_is_not_a_change() {
    let render = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}});
    let mut live = as_live(&render, 0);
    // No Rollout here: the Argo controller's marks go.
    live["spec"]["selector"]
        .as_object_mut()
        .unwrap()
        .remove("rollouts-pod-template-hash");
    live["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("argo-rollouts.argoproj.io/managed-by-rollouts");
    live["metadata"]["finalizers"] = json!(["service.kubernetes.io/load-balancer-cleanup"]);
    live["spec"]["allocateLoadBalancerNodePorts"] = json!(true);
    live["spec"]["externalTrafficPolicy"] = json!("Cluster");
    live["spec"]["ports"][0]["nodePort"] = json!(31234);
    live["spec"]["type"] = json!("LoadBalancer");
    live["status"] = json!({"loadBalancer": {"ingress": [{"ip": "203.0.113.7"}]}});
    let mut no_record = live.clone();
    no_record["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("kubectl.kubernetes.io/last-applied-configuration");
    for live in [live, no_record] {
        let server = FakeKube::start(vec![live], Mode::Serve);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("svc.yaml");
        std::fs::write(&file, render.to_string()).unwrap();
        let kubeconfig = server.kubeconfig(dir.path(), "shop");
        let args: Vec<String> = [
            "diff",
            file.to_str().unwrap(),
            "--live",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--detailed-exitcode",
            "--format",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let run = run_diff(&args, &[]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("\"path\": \"/metadata/finalizers"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_kubeconfig_variable_naming_no_file_is_an_error_not_another_cluster() {
    let home = tempfile::tempdir().unwrap();
    // A ~/.kube/config that must not be read when KUBECONFIG is set.
    std::fs::create_dir_all(home.path().join(".kube")).unwrap();
    let server = FakeKube::start(vec![], Mode::Serve);
    server.kubeconfig(&home.path().join(".kube"), "shop");
    std::fs::rename(
        home.path().join(".kube/kubeconfig"),
        home.path().join(".kube/config"),
    )
    .unwrap();
    let missing = home.path().join("typo");
    let out = rollwright()
        .args(["diff", &example().display().to_string(), "--live"])
        .env("KUBECONFIG", &missing)
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: KUBECONFIG: none of the files KUBECONFIG names exists"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
}

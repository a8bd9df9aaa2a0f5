//! `rollwright diff --live` at its trust boundaries (issue 12): Secrets from the cluster, names
//! in request paths, credentials in errors, credential plugins, bad durations.

mod common;

use common::fake_kube::{FakeKube, Mode, as_live, write_kubeconfig, write_kubeconfig_with};
use common::live::{live_args, live_example, run_diff};
use common::{example, rollwright};
use serde_json::json;

/// Issue 12.1: a proposed Secret spelt `apiVersion: /v1` or `kind: secret` never shows the
/// live Secret's data, in any format.
#[test]
fn live_secret_data_never_shows_whatever_the_proposed_spelling() {
    let live = as_live(
        &json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
            "type": "Opaque", "data": {"password": "c3VwZXItc2VjcmV0LWxpdmU="}}),
        0,
    );
    for (api_version, kind) in [("/v1", "Secret"), ("v1", "secret"), ("/v1", "SECRET")] {
        let server = FakeKube::start(vec![live.clone()], Mode::Serve);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.yaml");
        std::fs::write(
            &file,
            format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: db\nstringData:\n  password: proposed-secret\n"),
        )
        .unwrap();
        let kubeconfig = server.kubeconfig(dir.path(), "shop");
        for format in ["unified", "markdown", "json"] {
            let run = run_diff(
                &[
                    "diff",
                    file.to_str().unwrap(),
                    "--live",
                    "--kubeconfig",
                    kubeconfig.to_str().unwrap(),
                    "--format",
                    format,
                ],
                &[],
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            let all = format!("{}{}", run.stdout, run.stderr);
            for leak in [
                "c3VwZXItc2VjcmV0LWxpdmU",
                "super-secret-live",
                "proposed-secret",
                "cHJvcG9zZWQtc2VjcmV0",
            ] {
                assert!(!all.contains(leak), "{api_version} {kind} {format}: {all}");
            }
        }
    }
}

/// Issue 12.1, the LIST fill-in: with `--selector`, live Secrets that the proposed set does
/// not hold (removed) or spells oddly come from a LIST; none shows its data, in any format.
#[test]
fn listed_live_secrets_never_show_their_data() {
    let secret = |name: &str, data: &str| {
        as_live(
            &json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": name, "namespace": "shop", "labels": {"app": "shop"}},
                "type": "Opaque", "data": {"password": data}}),
            0,
        )
    };
    // "listed-secret-kept" and "listed-secret-gone", base64.
    let live = vec![
        secret("db", "bGlzdGVkLXNlY3JldC1rZXB0"),
        secret("old", "bGlzdGVkLXNlY3JldC1nb25l"),
    ];
    for (api_version, kind) in [("v1", "Secret"), ("/v1", "secret")] {
        let server = FakeKube::start(live.clone(), Mode::Serve);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.yaml");
        std::fs::write(
            &file,
            format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: db\n  labels:\n    app: shop\nstringData:\n  password: proposed-secret\n"),
        )
        .unwrap();
        let kubeconfig = server.kubeconfig(dir.path(), "shop");
        for format in ["unified", "markdown", "json"] {
            let run = run_diff(
                &[
                    "diff",
                    file.to_str().unwrap(),
                    "--live",
                    "--selector",
                    "app=shop",
                    "--kubeconfig",
                    kubeconfig.to_str().unwrap(),
                    "--format",
                    format,
                ],
                &[],
            );
            assert_eq!(run.code, 0, "{api_version} {kind} {format}: {}", run.stderr);
            let all = format!("{}{}", run.stdout, run.stderr);
            // The removed Secret is listed, as removed.
            assert!(all.contains("old"), "{api_version} {kind} {format}: {all}");
            for leak in [
                "bGlzdGVkLXNlY3JldC1rZXB0",
                "bGlzdGVkLXNlY3JldC1nb25l",
                "listed-secret",
                "proposed-secret",
            ] {
                assert!(!all.contains(leak), "{api_version} {kind} {format}: {all}");
            }
        }
        assert!(
            server.requests().iter().any(|r| r.contains("/secrets?")),
            "{:#?}",
            server.requests()
        );
    }
}

/// Issue 12.6: names, namespaces and apiVersions stay in their path segment: what would
/// leave it is refused before any request, and the rest is escaped.
#[test]
fn names_and_namespaces_never_leave_their_path_segment() {
    let server = FakeKube::start(vec![], Mode::Serve);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    let diff_of = |manifest: &str| {
        let file = dir.path().join("m.yaml");
        std::fs::write(&file, manifest).unwrap();
        run_diff(
            &[
                "diff",
                file.to_str().unwrap(),
                "--live",
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
            ],
            &[],
        )
    };
    for (manifest, expected) in [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system/services/http:internal-admin:8080/proxy/admin/dump#\n",
            "metadata.namespace \"kube-system/services/http:internal-admin:8080/proxy/admin/dump#\" is not a valid namespace",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: prod/secrets/db#\n",
            "is not a valid namespace",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ../../secrets/db\n",
            "metadata.name \"../../secrets/db\" is not a valid name: it holds `/`",
        ),
        (
            "apiVersion: x/../../api/v1/v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
            "apiVersion \"x/../../api/v1/v1\" is not a valid apiVersion",
        ),
        (
            "apiVersion: v1\nkind: Secret/../../x\nmetadata:\n  name: x\n",
            "kind \"Secret/../../x\" is not a valid kind",
        ),
    ] {
        let run = diff_of(manifest);
        assert_eq!(run.code, 1, "{manifest}");
        assert!(run.stderr.contains(expected), "{}", run.stderr);
        assert!(run.stderr.contains("no request was made"), "{}", run.stderr);
        assert!(server.requests().is_empty(), "{:?}", server.requests());
    }
    // The namespace in force is checked too.
    let file = dir.path().join("ok.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let run = run_diff(
        &[
            "diff",
            file.to_str().unwrap(),
            "--live",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "-n",
            "prod/secrets/db#",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error: -n: namespace \"prod/secrets/db#\" is not a valid namespace"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());
    // A name that is a valid path segment goes escaped: `?` is no query, `#` no fragment.
    let run = diff_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web?watch=true#x\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        server.requests(),
        vec!["GET /api/v1/namespaces/shop/configmaps/web%3Fwatch%3Dtrue%23x".to_string()]
    );
}

fn exec_kubeconfig(dir: &std::path::Path, server: &str, script: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let plugin = dir.join("credential-plugin");
    std::fs::write(&plugin, script).unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    write_kubeconfig_with(
        dir,
        server,
        "shop",
        "",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n",
            plugin.display()
        ),
    )
}

/// Issue 12.19: an exec credential plugin is announced on stderr before it runs.
#[test]
fn an_exec_plugin_is_announced_before_it_runs() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let kubeconfig = exec_kubeconfig(
        dir.path(),
        &server.url(),
        &format!(
            "#!/bin/sh\ntouch {}\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"plugin-token\"}}}}'\n",
            marker.display()
        ),
    );
    let run = run_diff(&live_args(&kubeconfig, &["--detailed-exitcode"]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(marker.exists(), "the plugin ran");
    assert!(
        run.stderr
            .contains("note: running the exec credential plugin `")
            && run
                .stderr
                .contains("credential-plugin` of kubeconfig user `fake` for a token"),
        "{}",
        run.stderr
    );
    // Said first, before anything else happens.
    assert!(
        run.stderr
            .starts_with("note: running the exec credential plugin"),
        "{}",
        run.stderr
    );
}

/// Issue 12.19: an `auth-provider` (which may run its `cmd-path`) is announced too, before
/// anything else happens.
#[test]
fn an_auth_provider_is_announced_before_it_is_used() {
    let server = FakeKube::start(live_example(), Mode::Serve);
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let helper = dir.path().join("gcloud-helper");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            &helper,
            format!(
                "#!/bin/sh\ntouch {}\necho '{{\"access_token\":\"provider-token\"}}'\n",
                marker.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let kubeconfig = write_kubeconfig_with(
        dir.path(),
        &server.url(),
        "shop",
        "",
        &format!(
            "    auth-provider:\n      name: gcp\n      config:\n        cmd-path: {}\n        token-key: '{{.access_token}}'\n",
            helper.display()
        ),
    );
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert!(!run.stderr.contains("provider-token"), "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "note: using the `gcp` auth provider of kubeconfig user `fake`, which runs `{}`",
            helper.display()
        )),
        "{}",
        run.stderr
    );
}

/// Issue 12.7: no credential reaches an error message: not the lines of a kubeconfig that
/// does not parse, not what a failing credential plugin printed, not a password in the URL.
#[test]
fn errors_never_show_credentials() {
    let dir = tempfile::tempdir().unwrap();
    // A kubeconfig broken right after its secrets.
    let broken = dir.path().join("broken");
    std::fs::write(
        &broken,
        "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: tok-AAAA-leaked\n    client-key-data: S0VZLUJCQkItbGVha2Vk\n  bad: [unclosed\ncontexts: []\n",
    )
    .unwrap();
    let run = run_diff(&live_args(&broken, &[]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a valid kubeconfig"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{}:", broken.display())),
        "{}",
        run.stderr
    );
    for leak in ["tok-AAAA-leaked", "S0VZLUJCQkItbGVha2Vk"] {
        assert!(!run.stderr.contains(leak), "{}", run.stderr);
    }
    // A plugin that prints its token and fails, and one that prints garbage.
    let server = FakeKube::start(live_example(), Mode::Serve);
    for script in [
        "#!/bin/sh\necho 'token: tok-BBBB-leaked'\necho 'debug tok-CCCC-leaked' >&2\nexit 3\n",
        "#!/bin/sh\necho '{\"status\": \"tok-DDDD-leaked\" oops'\n",
    ] {
        let d = tempfile::tempdir().unwrap();
        let kubeconfig = exec_kubeconfig(d.path(), &server.url(), script);
        let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("its output is not shown"),
            "{}",
            run.stderr
        );
        for leak in ["tok-BBBB", "tok-CCCC", "tok-DDDD"] {
            assert!(!run.stderr.contains(leak), "{}", run.stderr);
        }
    }
    // A password in the server URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig = write_kubeconfig(
        dir.path(),
        &format!("http://admin:pa55-leaked@127.0.0.1:{port}"),
        "shop",
    );
    let run = run_diff(&live_args(&kubeconfig, &[]), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!("http://127.0.0.1:{port}/")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("pa55-leaked"), "{}", run.stderr);
}

/// Issue 12.11: a `--request-timeout` too long for a duration is an error, not a panic.
#[test]
fn a_huge_request_timeout_is_an_error_not_a_panic() {
    let out = rollwright()
        .args([
            "diff",
            &example().display().to_string(),
            "--live",
            "--request-timeout=99999999999999999999",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--request-timeout: `99999999999999999999` is longer than a year"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

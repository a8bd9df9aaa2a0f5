//! deploy/argocd (the kustomize component adding the rollwright sidecar to argocd-repo-server)
//! built with `kubectl kustomize` over a stand-in of Argo CD's repo-server, and the result
//! validated by rollwright; and the Dockerfile's promises (static binary, empty base, non-root).

mod common;

use std::process::Command;

use common::{repo, run};
use serde_json::Value;

fn kubectl() -> Option<&'static str> {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
            "kubectl is not on PATH and ROLLWRIGHT_REQUIRE_PEERS=1 (run ../shared/tools/install-peers.sh)"
        );
        eprintln!("skipped: kubectl is not on PATH");
    }
    found.then_some("kubectl")
}

#[test]
#[ignore = "needs kubectl"]
fn the_argocd_component_adds_a_valid_sidecar_to_the_repo_server() {
    let Some(kubectl) = kubectl() else { return };
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("fixtures/argocd/repo-server.yaml"),
        root.path().join("repo-server.yaml"),
    )
    .unwrap();
    // kustomize wants a relative path to a component.
    let component = pathdiff(root.path(), &repo().join("deploy/argocd"));
    std::fs::write(
        root.path().join("kustomization.yaml"),
        format!("resources: [repo-server.yaml]\ncomponents: [{component}]\n"),
    )
    .unwrap();
    let out = Command::new(kubectl)
        .arg("kustomize")
        .arg(root.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = String::from_utf8(out.stdout).unwrap();
    let objects = common::docs(&built);

    let cm = objects.iter().find(|o| o["kind"] == "ConfigMap").unwrap();
    let cm_name = cm["metadata"]["name"].as_str().unwrap();
    assert!(cm_name.starts_with("rollwright-cmp-plugin-"), "{cm_name}");
    let plugin: Value =
        serde_saphyr::from_str(cm["data"]["plugin.yaml"].as_str().unwrap()).unwrap();
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");

    let deploy = objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
    let spec = &deploy["spec"]["template"]["spec"];
    let sidecar = spec["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rollwright-cmp")
        .expect("the sidecar");
    assert_eq!(
        sidecar["image"],
        format!(
            "ghcr.io/rollwright/rollwright:v{}",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    let mounts: Vec<&str> = sidecar["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mountPath"].as_str().unwrap())
        .collect();
    assert!(mounts.contains(&"/home/argocd/cmp-server/config/plugin.yaml"));
    assert!(mounts.contains(&"/home/argocd/cmp-server/plugins"));
    // The generated name (with its hash) reached the volume that mounts plugin.yaml.
    assert!(
        spec["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["configMap"]["name"] == cm_name)
    );
    // The upstream container is kept.
    assert!(
        spec["containers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "argocd-repo-server")
    );

    let file = root.path().join("built.yaml");
    std::fs::write(&file, &built).unwrap();
    let v = run(&["validate", "--strict", file.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

fn pathdiff(from: &std::path::Path, to: &std::path::Path) -> String {
    let (from, to) = (from.canonicalize().unwrap(), to.canonicalize().unwrap());
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[test]
fn the_image_is_a_static_binary_on_an_empty_base_run_as_non_root() {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let stages: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 2, "a build stage and the image");
    assert!(
        stages[0].contains("alpine"),
        "musl, so the binary is static"
    );
    assert_eq!(stages[1].trim(), "FROM scratch");
    let last = text.rsplit("FROM scratch").next().unwrap();
    assert!(last.contains("USER 999:999"));
    assert!(last.contains("ENTRYPOINT [\"/usr/local/bin/rollwright\"]"));
    assert!(text.contains("cargo build --release --locked"));
}

//! `render --argocd-env` and the Config Management Plugin definition.

mod common;

use common::{docs, example, repo, rollwright};

fn render_with_env(env: &[(&str, &str)], extra: &[&str]) -> (i32, String, String) {
    let mut cmd = rollwright();
    cmd.current_dir(example())
        .args(["render", ".", "--argocd-env"])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn rollout(stdout: &str) -> serde_json::Value {
    docs(stdout)
        .into_iter()
        .find(|d| d["kind"] == "Rollout")
        .unwrap()
}

#[test]
fn argocd_env_variables_become_values_flags() {
    let (code, out, err) = render_with_env(
        &[("ARGOCD_ENV_ROLLWRIGHT_SET", "image.tag=1.29,replicaCount=3")],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let ro = rollout(&out);
    assert_eq!(ro["spec"]["replicas"], 3);
    assert_eq!(
        ro["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.29"
    );

    let (code, out, err) = render_with_env(&[("ARGOCD_ENV_IMAGE_TAG", "1.30")], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        rollout(&out)["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.30"
    );
}

#[test]
fn the_command_line_wins_and_the_env_is_ignored_without_the_flag() {
    let env = [("ARGOCD_ENV_ROLLWRIGHT_SET", "replicaCount=3")];
    let (code, out, err) = render_with_env(&env, &["--set", "replicaCount=5"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rollout(&out)["spec"]["replicas"], 5);

    let out = rollwright()
        .current_dir(example())
        .args(["render", "."])
        .env("ARGOCD_ENV_ROLLWRIGHT_SET", "replicaCount=3")
        .output()
        .unwrap();
    assert_eq!(
        rollout(&String::from_utf8(out.stdout).unwrap())["spec"]["replicas"],
        2
    );
}

#[test]
fn env_values_files_are_relative_to_the_chart_and_errors_name_the_flag() {
    let dir = common::chart(&std::fs::read_to_string(example().join("values.yaml")).unwrap());
    std::fs::write(dir.path().join("values-prod.yaml"), "replicaCount: 4\n").unwrap();
    let out = rollwright()
        .args(["render", dir.path().to_str().unwrap(), "--argocd-env"])
        .env("ARGOCD_ENV_ROLLWRIGHT_VALUES", "values-prod.yaml")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        rollout(&String::from_utf8(out.stdout).unwrap())["spec"]["replicas"],
        4
    );

    let (code, _, err) = render_with_env(&[("ARGOCD_ENV_ROLLWRIGHT_SET", "replicaCount=two")], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("replicaCount"), "{err}");
}

#[test]
fn the_plugin_definition_runs_render_with_the_env() {
    let text = std::fs::read_to_string(repo().join("deploy/argocd/plugin.yaml")).unwrap();
    let plugin: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert_eq!(
        plugin["spec"]["generate"]["command"],
        serde_json::json!(["rollwright", "render", ".", "--argocd-env"])
    );
}

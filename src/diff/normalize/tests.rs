//! Normalisation of whole pairs: rules, defaults of every kind, lists, Secrets.
use super::*;
use crate::diff::matching::{Pair, id_of};
use crate::error::Location;
use serde_json::json;

fn diff(before: Value, after: Value, live: bool) -> ObjectDiff {
    let ctx = Context::new([&before, &after]);
    let pair = Pair {
        id: id_of(&after).unwrap(),
        before: Some(before),
        after: Some(after),
    };
    let options = Options {
        live,
        ..Options::default()
    };
    diff_pair(pair, &ctx, &options)
}

#[test]
fn live_service_matches_its_render() {
    let render = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a-active", "namespace": "shop"},
        "spec": {"selector": {"app": "a"}, "ports": [{"port": 80, "targetPort": "80"}]}});
    let live = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "a-active", "namespace": "shop", "uid": "u", "resourceVersion": "7",
            "annotations": {"argo-rollouts.argoproj.io/managed-by-rollouts": "a"}},
        "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "type": "ClusterIP", "sessionAffinity": "None",
            "selector": {"app": "a", "rollouts-pod-template-hash": "abc"},
            "ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}]},
        "status": {"loadBalancer": {}}});
    let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "a", "namespace": "shop"},
        "spec": {"strategy": {"blueGreen": {"activeService": "a-active"}}}});
    let ctx = Context::new([&rollout]);
    let options = Options {
        live: true,
        ..Options::default()
    };
    let d = diff_pair(
        Pair {
            id: id_of(&render).unwrap(),
            before: Some(live.clone()),
            after: Some(render.clone()),
        },
        &ctx,
        &options,
    );
    assert_eq!(d.change, Change::Unchanged, "{:?}", d.fields);
    let rules: BTreeSet<&str> = d.suppressed.iter().map(|s| s.rule.as_str()).collect();
    for r in [
        "status",
        "server-metadata",
        "managed-by-rollouts",
        "rollouts-pod-template-hash",
        "service-assigned",
        "service-defaults",
        "int-or-string",
    ] {
        assert!(rules.contains(r), "{r} missing from {rules:?}");
    }
    // Without a Rollout naming it, the hash selector is a real difference.
    let d = diff_pair(
        Pair {
            id: id_of(&render).unwrap(),
            before: Some(live),
            after: Some(render),
        },
        &Context::default(),
        &options,
    );
    assert_eq!(d.change, Change::Changed);
    assert!(
        d.fields
            .iter()
            .any(|f| f.path == "/spec/selector/rollouts-pod-template-hash")
    );
}

#[test]
fn assigned_fields_only_on_the_live_side() {
    let a = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"clusterIP": "None"}});
    let b = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}});
    assert_eq!(diff(a.clone(), b.clone(), true).change, Change::Unchanged);
    assert_eq!(diff(a, b, false).change, Change::Changed);
}

#[test]
fn rollout_defaults_quantities_and_empties() {
    let render = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}],
            "resources": {"requests": {"cpu": "1000m", "memory": "1024Mi"}}}]}}}});
    let live = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "r", "annotations": {"rollout.argoproj.io/revision": "3"}},
        "spec": {"replicas": 1, "template": {"metadata": {}, "spec": {"containers": [{"name": "c", "image": "i",
            "ports": [{"containerPort": 80, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}}});
    let d = diff(live.clone(), render.clone(), true);
    assert_eq!(d.change, Change::Unchanged, "{:?}", d.fields);
    // The render's spelling is the one shown.
    assert_eq!(
        d.before
            .unwrap()
            .pointer("/spec/template/spec/containers/0/resources/requests/cpu"),
        Some(&json!("1000m"))
    );
    let mut changed = render;
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("j");
    let d = diff(live, changed, true);
    assert_eq!(d.fields.len(), 1);
    assert_eq!(d.fields[0].path, "/spec/template/spec/containers/0/image");
}

#[test]
fn hpa_owns_replicas_and_user_rules_apply() {
    let r = |n: i64| json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"}, "spec": {"replicas": n, "x": {"y": n}}});
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "r"}}});
    let ctx = Context::new([&hpa]);
    let ignore =
        IgnoreRule::parse("Rollout/r:/spec/x/y", Location::Flag("--ignore".into())).unwrap();
    let options = Options {
        ignores: vec![ignore],
        ..Options::default()
    };
    let d = diff_pair(
        Pair {
            id: id_of(&r(1)).unwrap(),
            before: Some(r(5)),
            after: Some(r(2)),
        },
        &ctx,
        &options,
    );
    assert_eq!(d.change, Change::Unchanged, "{:?}", d.fields);
    let rules: Vec<&str> = d.suppressed.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(rules, vec!["hpa-replicas", "Rollout/r:/spec/x/y"]);
}

#[test]
fn secrets_are_masked_and_string_data_folded() {
    let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "aGVsbG8="}});
    let render = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "hello"}});
    let d = diff(live.clone(), render, true);
    assert_eq!(d.change, Change::Unchanged);
    let render = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "hello2"}});
    let d = diff(live, render, true);
    assert_eq!(d.change, Change::Changed);
    let text = serde_json::to_string(&d.after).unwrap()
        + &serde_json::to_string(&d.fields[0].before).unwrap();
    assert!(
        !text.contains("aGVsbG8") && !text.contains("hello"),
        "{text}"
    );
    assert!(text.contains("<secret (after)>") && text.contains("<secret (before)>"));
}

/// Issue 12.1: the live Secret's data never shows in clear, however the proposed object
/// spells its apiVersion or kind.
#[test]
fn secret_data_is_masked_whatever_the_proposed_spelling() {
    let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "prod"},
        "data": {"password": "aHVudGVyMg=="}});
    for (api_version, kind) in [("/v1", "Secret"), ("v1", "secret"), (" v1", "SECRET")] {
        let proposed = json!({"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "db", "namespace": "prod"}, "data": {"password": "Y2hhbmdlZA=="}});
        let d = diff(live.clone(), proposed, true);
        let text = format!("{:?}{:?}{:?}", d.before, d.after, d.fields);
        assert!(
            !text.contains("aHVudGVyMg") && !text.contains("Y2hhbmdlZA"),
            "{api_version} {kind}: {text}"
        );
    }
    // The live side alone (a proposed object of another kind never pairs with it, but a
    // removed Secret must not leak either).
    let d = diff_pair(
        Pair {
            id: id_of(&live).unwrap(),
            before: Some(live.clone()),
            after: None,
        },
        &Context::default(),
        &Options::default(),
    );
    assert!(!format!("{:?}", d.before).contains("aHVudGVyMg"));
}

/// Live objects as the API server defaults them (`SetDefaults_*`), with no record of
/// what was applied, against renders that leave the defaults out.
#[test]
fn defaults_of_kinds_beyond_the_captured_ones() {
    let ns = |o: Value| {
        let mut o = o;
        o["metadata"]["namespace"] = json!("shop");
        o
    };
    let cases = [
        (
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team",
                "labels": {"kubernetes.io/metadata.name": "team"}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
        ),
        (
            ns(
                json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
                "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "default": {"cpu": "500m"}}]}}),
            ),
            ns(
                json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
                "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "default": {"cpu": "500m"},
                    "defaultRequest": {"cpu": "500m"}}]}}),
            ),
        ),
        (
            ns(
                json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3,
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}),
            ),
            ns(
                json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3, "minReplicas": 1,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
                    "behavior": {
                        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                            {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                        "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
                            {"type": "Percent", "value": 100, "periodSeconds": 15}]}}}}),
            ),
        ),
        (
            ns(
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
                "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}}),
            ),
            ns(
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
                "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
                    "policyTypes": ["Ingress", "Egress"]}}),
            ),
        ),
        (
            ns(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r"},
                "roleRef": {"kind": "Role", "name": "x"}, "subjects": [{"kind": "User", "name": "jane"}]}),
            ),
            ns(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}]}),
            ),
        ),
        (
            ns(
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                "spec": {"parallelism": 3, "template": {"metadata": {"labels": {"app": "j"}},
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}),
            ),
            ns(
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j",
                    "labels": {"app": "j", "job-name": "j", "controller-uid": "u"}},
                "spec": {"parallelism": 3, "backoffLimit": 6, "completionMode": "NonIndexed", "suspend": false,
                    "podReplacementPolicy": "TerminatingOrFailed",
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}},
                    "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "j", "job-name": "j",
                            "controller-uid": "u", "batch.kubernetes.io/controller-uid": "u", "batch.kubernetes.io/job-name": "j"}},
                        "spec": {"restartPolicy": "Never", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                            "securityContext": {}, "terminationGracePeriodSeconds": 30,
                            "containers": [{"name": "c", "image": "i", "imagePullPolicy": "IfNotPresent", "resources": {},
                                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]}}}}),
            ),
        ),
        (
            ns(
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}},
                    "readinessProbe": {"httpGet": {"port": 80}},
                    "lifecycle": {"preStop": {"httpGet": {"port": 80}}}}],
                    "volumes": [{"name": "cfg", "configMap": {"name": "c"}}]}}),
            ),
            ns(
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "i",
                        "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}},
                        "readinessProbe": {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
                        "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}}},
                        "volumeMounts": [{"name": "kube-api-access-abcde", "readOnly": true,
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                    "volumes": [{"name": "cfg", "configMap": {"name": "c", "defaultMode": 420}},
                        {"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}],
                    "serviceAccountName": "default", "serviceAccount": "default", "nodeName": "node-1",
                    "priority": 0, "preemptionPolicy": "PreemptLowerPriority", "enableServiceLinks": true,
                    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}}),
            ),
        ),
    ];
    for (render, live) in cases {
        let d = diff(live, render.clone(), true);
        assert_eq!(
            d.change,
            Change::Unchanged,
            "{}: {:?}",
            render["kind"],
            d.fields
        );
    }
    // A value other than the default still shows: completions is left unset when
    // parallelism is given, so a live `completions: 1` is not a default here.
    let render = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"parallelism": 3}});
    let live = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"parallelism": 3, "completions": 1}});
    let d = diff(live, render, true);
    assert_eq!(d.fields.len(), 1, "{:?}", d.fields);
    assert_eq!(d.fields[0].path, "/spec/completions");
    // A Knative `Service` gets none of a core Service's defaults.
    let render = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "k"}, "spec": {}});
    let live = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "k"}, "spec": {"type": "ClusterIP"}});
    assert_eq!(diff(live, render, true).change, Change::Changed);
}

/// A reordered or inserted list entry is one change; the defaults inside keyed items are
/// matched to the item of the same key, not the one at the same index.
#[test]
fn lists_are_normalised_by_merge_key() {
    let c = |names: &[&str], live: bool| -> Value {
        let containers: Vec<Value> = names
            .iter()
            .map(|n| {
                let mut c =
                    json!({"name": n, "image": format!("{n}:1"), "ports": [{"containerPort": 80}]});
                if live {
                    c["ports"][0]["protocol"] = json!("TCP");
                    c["terminationMessagePath"] = json!("/dev/termination-log");
                }
                c
            })
            .collect();
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": containers}}}})
    };
    let d = diff(c(&["a", "b"], true), c(&["x", "a", "b"], false), true);
    let got: Vec<(String, &str)> = d.fields.iter().map(|f| (f.path.clone(), f.op())).collect();
    assert_eq!(
        got,
        vec![("/spec/template/spec/containers/0".to_string(), "add")]
    );
    let d = diff(c(&["a", "b", "c"], true), c(&["b", "c", "a"], false), true);
    let got: Vec<(String, &str)> = d.fields.iter().map(|f| (f.path.clone(), f.op())).collect();
    assert_eq!(
        got,
        vec![("/spec/template/spec/containers/2".to_string(), "move")]
    );
}

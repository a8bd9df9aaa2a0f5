//! The defaults tables: which field of which kind the API server (or an admission plugin, or
//! the Argo Rollouts CRD schema) fills in, and with what. Read from Kubernetes' defaulting
//! functions (`pkg/apis/*/v1/defaults.go`, `SetDefaults_*`), its admission plugins
//! (ServiceAccount, Priority, DefaultTolerationSeconds) and the Job strategy; the Argo part
//! from RULES.md §2.I API-05. Each entry says what a field left out stands for, so a render
//! that leaves it out and a live object that holds the default compare equal, while a value
//! other than the default still shows.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::Suppressed;
use super::equiv::{Equiv, ItemRule, PairRule, Special};

const SERVICE: &[&str] = &["Service"];
const ROLLOUT: &[&str] = &["Rollout"];
const ANALYSIS: &[&str] = &["AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun"];
const EXPERIMENT: &[&str] = &["Experiment"];
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
];
const CRONJOB: &[&str] = &["CronJob"];
const POD: &[&str] = &["Pod"];
const PDB: &[&str] = &["PodDisruptionBudget"];
const PVC: &[&str] = &["PersistentVolumeClaim"];
const DEPLOYMENT: &[&str] = &["Deployment"];
const STATEFULSET: &[&str] = &["StatefulSet"];
const DAEMONSET: &[&str] = &["DaemonSet"];
const REPLICASET: &[&str] = &["ReplicaSet"];
const JOB: &[&str] = &["Job"];
const HPA: &[&str] = &["HorizontalPodAutoscaler"];
const NETWORKPOLICY: &[&str] = &["NetworkPolicy"];
const ROLEBINDING: &[&str] = &["RoleBinding"];
const CLUSTERROLEBINDING: &[&str] = &["ClusterRoleBinding"];
const LIMITRANGE: &[&str] = &["LimitRange"];
const PV: &[&str] = &["PersistentVolume"];
const RESOURCEQUOTA: &[&str] = &["ResourceQuota"];
const SECRET: &[&str] = &["Secret"];
const NAMESPACE: &[&str] = &["Namespace"];
const INGRESSCLASS: &[&str] = &["IngressClass"];
const EVERY: &[&str] = &[
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Pod",
    "Namespace",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "LimitRange",
    "ResourceQuota",
    "Rollout",
    "AnalysisTemplate",
    "ClusterAnalysisTemplate",
];

static PAIR_RULES: LazyLock<Vec<PairRule>> = LazyLock::new(build_pair_rules);
static ITEM_RULES: LazyLock<Vec<ItemRule>> = LazyLock::new(build_item_rules);

pub(super) fn pair_rules() -> &'static [PairRule] {
    &PAIR_RULES
}

pub(super) fn item_rules() -> &'static [ItemRule] {
    &ITEM_RULES
}

pub(super) fn specials() -> &'static [Special] {
    const SPECIALS: &[Special] = &[
        Special {
            kinds: JOB,
            apply: job_labels,
        },
        Special {
            kinds: NAMESPACE,
            apply: namespace_label,
        },
    ];
    SPECIALS
}

/// Removes from `side` the labels `pred` accepts, recording each.
fn drop_labels(
    side: &mut Value,
    pred: impl Fn(&str, &Value) -> bool,
    rule: &str,
    out: &mut Vec<Suppressed>,
) {
    let Some(Value::Object(labels)) = side.pointer_mut("/metadata/labels") else {
        return;
    };
    let gone: Vec<String> = labels
        .iter()
        .filter(|(k, v)| pred(k, v))
        .map(|(k, _)| k.clone())
        .collect();
    for k in gone {
        labels.shift_remove(&k);
        out.push(Suppressed {
            path: format!("/metadata/labels/{}", crate::yaml::escape_segment(&k)),
            rule: rule.to_string(),
        });
    }
}

/// A Job given no labels takes its template's (`SetDefaults_Job`).
fn job_labels(before: &mut Value, after: &mut Value, out: &mut Vec<Suppressed>) {
    let has_labels = |v: &Value| {
        v.pointer("/metadata/labels")
            .and_then(Value::as_object)
            .is_some_and(|l| !l.is_empty())
    };
    let drop_copied = |side: &mut Value, out: &mut Vec<Suppressed>| {
        let template = side
            .pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        drop_labels(
            side,
            |k, v| template.get(k) == Some(v),
            "workload-defaults",
            out,
        );
    };
    if !has_labels(after) {
        drop_copied(before, out);
    } else if !has_labels(before) {
        drop_copied(after, out);
    }
}

/// Every Namespace carries its own name as label `kubernetes.io/metadata.name`.
fn namespace_label(before: &mut Value, after: &mut Value, out: &mut Vec<Suppressed>) {
    for side in [before, after] {
        let name = side.pointer("/metadata/name").cloned();
        drop_labels(
            side,
            |k, v| k == "kubernetes.io/metadata.name" && Some(v) == name.as_ref(),
            "object-defaults",
            out,
        );
    }
}

fn segments(pattern: &str) -> Vec<String> {
    pattern.split('/').skip(1).map(str::to_string).collect()
}

/// Where each kind holds a pod spec, and whether the API server defaults it as a built-in
/// type (`true`) or only through a CRD schema.
const POD_SPECS: &[(&[&str], &str, bool)] = &[
    (ROLLOUT, "/spec/template/spec", false),
    (
        ANALYSIS,
        "/spec/metrics/*/provider/job/spec/template/spec",
        false,
    ),
    (EXPERIMENT, "/spec/templates/*/template/spec", false),
    (WORKLOADS, "/spec/template/spec", true),
    (CRONJOB, "/spec/jobTemplate/spec/template/spec", true),
    (POD, "/spec", true),
];

fn build_pair_rules() -> Vec<PairRule> {
    let mut rules = Vec::new();
    let mut add = |name: &'static str,
                   kinds: &'static [&'static str],
                   parent: &str,
                   field: &'static str,
                   equiv: Equiv| {
        rules.push(PairRule {
            name,
            kinds,
            parent: segments(parent),
            field,
            equiv,
        });
    };
    use Equiv::*;
    // Spellings first, so the default rules below compare canonical values.
    add(
        "int-or-string",
        SERVICE,
        "/spec/ports/*",
        "targetPort",
        IntOrString,
    );
    for f in [
        "count",
        "failureLimit",
        "inconclusiveLimit",
        "consecutiveErrorLimit",
        "consecutiveSuccessLimit",
    ] {
        add("int-or-string", ANALYSIS, "/spec/metrics/*", f, IntOrString);
    }
    add("int-or-string", PDB, "/spec", "minAvailable", IntOrString);
    add("int-or-string", PDB, "/spec", "maxUnavailable", IntOrString);
    add("quantities", PVC, "/spec/resources/requests", "*", Quantity);
    add("quantities", PVC, "/spec/resources/limits", "*", Quantity);
    for part in ["requests", "limits"] {
        add(
            "quantities",
            STATEFULSET,
            &format!("/spec/volumeClaimTemplates/*/spec/resources/{part}"),
            "*",
            Quantity,
        );
    }
    add("quantities", RESOURCEQUOTA, "/spec/hard", "*", Quantity);
    for part in [
        "max",
        "min",
        "default",
        "defaultRequest",
        "maxLimitRequestRatio",
    ] {
        add(
            "quantities",
            LIMITRANGE,
            &format!("/spec/limits/*/{part}"),
            "*",
            Quantity,
        );
    }

    service_rules(&mut add);
    pod_spec_rules(&mut add);
    workload_rules(&mut add);
    object_rules(&mut add);

    for (f, d) in [
        ("apiVersion", "v1"),
        ("interval", "5m"),
        ("requestTimeout", "10s"),
    ] {
        add(
            "crd-defaults",
            ANALYSIS,
            "/spec/metrics/*/provider/datadog",
            f,
            Default(json!(d)),
        );
    }
    for (f, d) in [
        ("replicas", json!(1)),
        ("paused", json!(false)),
        ("minReadySeconds", json!(0)),
        ("progressDeadlineAbort", json!(false)),
    ] {
        add("rollout-defaults", ROLLOUT, "/spec", f, Default(d));
    }
    add(
        "rollout-defaults",
        ROLLOUT,
        "/spec/strategy/blueGreen",
        "autoPromotionSeconds",
        Default(json!(0)),
    );
    add(
        "rollout-defaults",
        ROLLOUT,
        "/spec/strategy/blueGreen",
        "previewService",
        Default(json!("")),
    );
    rules
}

type Add<'a> = dyn FnMut(&'static str, &'static [&'static str], &str, &'static str, Equiv) + 'a;

fn service_rules(add: &mut Add<'_>) {
    use Equiv::*;
    for (name, default) in [
        ("type", json!("ClusterIP")),
        ("sessionAffinity", json!("None")),
        ("internalTrafficPolicy", json!("Cluster")),
        ("externalTrafficPolicy", json!("Cluster")),
        ("allocateLoadBalancerNodePorts", json!(true)),
    ] {
        add("service-defaults", SERVICE, "/spec", name, Default(default));
    }
    add(
        "service-defaults",
        SERVICE,
        "/spec/sessionAffinityConfig/clientIP",
        "timeoutSeconds",
        Default(json!(10800)),
    );
    add(
        "service-defaults",
        SERVICE,
        "/spec/ports/*",
        "protocol",
        Default(json!("TCP")),
    );
    add(
        "service-defaults",
        SERVICE,
        "/spec/ports/*",
        "targetPort",
        SameAs("port"),
    );
    for f in [
        "clusterIP",
        "clusterIPs",
        "ipFamilies",
        "ipFamilyPolicy",
        "healthCheckNodePort",
    ] {
        add("service-assigned", SERVICE, "/spec", f, Assigned);
    }
    add(
        "service-assigned",
        SERVICE,
        "/spec/ports/*",
        "nodePort",
        Assigned,
    );
}

fn pod_spec_rules(add: &mut Add<'_>) {
    use Equiv::*;
    for &(kinds, spec, core) in POD_SPECS {
        let defaults = if core { "pod-defaults" } else { "crd-defaults" };
        let at = |rest: &str| format!("{spec}{rest}");
        add("quantities", kinds, &at("/overhead"), "*", Quantity);
        add(
            defaults,
            kinds,
            &at("/imagePullSecrets/*"),
            "name",
            Default(json!("")),
        );
        add(
            "quantities",
            kinds,
            &at("/volumes/*/emptyDir"),
            "sizeLimit",
            Quantity,
        );
        if core {
            for (f, d) in [
                ("restartPolicy", json!("Always")),
                ("terminationGracePeriodSeconds", json!(30)),
                ("dnsPolicy", json!("ClusterFirst")),
                ("schedulerName", json!("default-scheduler")),
            ] {
                add(defaults, kinds, spec, f, Default(d));
            }
            // The deprecated alias, which the API server fills from serviceAccountName.
            add(
                defaults,
                kinds,
                spec,
                "serviceAccount",
                SameAs("serviceAccountName"),
            );
            for source in ["secret", "configMap", "downwardAPI", "projected"] {
                add(
                    defaults,
                    kinds,
                    &at(&format!("/volumes/*/{source}")),
                    "defaultMode",
                    Default(json!(420)),
                );
            }
            add(
                defaults,
                kinds,
                &at("/volumes/*/projected/sources/*/serviceAccountToken"),
                "expirationSeconds",
                Default(json!(3600)),
            );
            add(
                defaults,
                kinds,
                &at("/volumes/*/hostPath"),
                "type",
                Default(json!("")),
            );
            for items in [
                "/volumes/*/downwardAPI/items/*/fieldRef",
                "/volumes/*/projected/sources/*/downwardAPI/items/*/fieldRef",
            ] {
                add(
                    defaults,
                    kinds,
                    &at(items),
                    "apiVersion",
                    Default(json!("v1")),
                );
            }
        }
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            let c = at(&format!("/{list}/*"));
            add(
                "quantities",
                kinds,
                &format!("{c}/resources/limits"),
                "*",
                Quantity,
            );
            add(
                "quantities",
                kinds,
                &format!("{c}/resources/requests"),
                "*",
                Quantity,
            );
            add(
                defaults,
                kinds,
                &format!("{c}/ports/*"),
                "protocol",
                Default(json!("TCP")),
            );
            for (parent, field, d) in [
                ("env/*/valueFrom/configMapKeyRef", "name", json!("")),
                ("env/*/valueFrom/secretKeyRef", "name", json!("")),
                ("env/*/valueFrom/fileKeyRef", "optional", json!(false)),
                ("envFrom/*/configMapRef", "name", json!("")),
                ("envFrom/*/secretRef", "name", json!("")),
            ] {
                add(defaults, kinds, &format!("{c}/{parent}"), field, Default(d));
            }
            if core {
                add(
                    defaults,
                    kinds,
                    &format!("{c}/env/*/valueFrom/fieldRef"),
                    "apiVersion",
                    Default(json!("v1")),
                );
                add(
                    defaults,
                    kinds,
                    &c,
                    "terminationMessagePath",
                    Default(json!("/dev/termination-log")),
                );
                add(
                    defaults,
                    kinds,
                    &c,
                    "terminationMessagePolicy",
                    Default(json!("File")),
                );
                add(defaults, kinds, &c, "imagePullPolicy", Assigned);
                for hook in ["postStart", "preStop"] {
                    http_get(
                        add,
                        defaults,
                        kinds,
                        &format!("{c}/lifecycle/{hook}/httpGet"),
                    );
                }
            }
            for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
                let p = format!("{c}/{probe}");
                add(
                    "int-or-string",
                    kinds,
                    &format!("{p}/httpGet"),
                    "port",
                    IntOrString,
                );
                add(
                    "int-or-string",
                    kinds,
                    &format!("{p}/tcpSocket"),
                    "port",
                    IntOrString,
                );
                add(
                    defaults,
                    kinds,
                    &format!("{p}/grpc"),
                    "service",
                    Default(json!("")),
                );
                if core {
                    for (f, d) in [
                        ("timeoutSeconds", 1),
                        ("periodSeconds", 10),
                        ("successThreshold", 1),
                        ("failureThreshold", 3),
                    ] {
                        add(defaults, kinds, &p, f, Default(json!(d)));
                    }
                    http_get(add, defaults, kinds, &format!("{p}/httpGet"));
                }
            }
        }
    }
    // A Pod, unlike a pod template, is defaulted as a whole object and passes admission.
    add(
        "pod-defaults",
        POD,
        "/spec",
        "enableServiceLinks",
        Default(json!(true)),
    );
    for list in ["containers", "initContainers"] {
        add(
            "pod-defaults",
            POD,
            &format!("/spec/{list}/*/resources"),
            "requests",
            Computed(|resources| resources.get("limits").cloned()),
        );
    }
    add(
        "pod-admission",
        POD,
        "/spec",
        "serviceAccountName",
        Default(json!("default")),
    );
    add(
        "pod-admission",
        POD,
        "/spec",
        "preemptionPolicy",
        Default(json!("PreemptLowerPriority")),
    );
    add("pod-admission", POD, "/spec", "priority", Assigned);
    add("pod-admission", POD, "/spec", "nodeName", Assigned);
}

fn http_get(add: &mut Add<'_>, name: &'static str, kinds: &'static [&'static str], at: &str) {
    add(name, kinds, at, "path", Equiv::Default(json!("/")));
    add(name, kinds, at, "scheme", Equiv::Default(json!("HTTP")));
}

fn workload_rules(add: &mut Add<'_>) {
    use Equiv::*;
    let w = "workload-defaults";
    for kind in [DEPLOYMENT, STATEFULSET, REPLICASET] {
        add(w, kind, "/spec", "replicas", Default(json!(1)));
    }
    for kind in [DEPLOYMENT, STATEFULSET, DAEMONSET] {
        add(w, kind, "/spec", "revisionHistoryLimit", Default(json!(10)));
    }
    add(
        w,
        DEPLOYMENT,
        "/spec",
        "progressDeadlineSeconds",
        Default(json!(600)),
    );
    add(
        w,
        DEPLOYMENT,
        "/spec/strategy",
        "type",
        Default(json!("RollingUpdate")),
    );
    for f in ["maxSurge", "maxUnavailable"] {
        add(
            w,
            DEPLOYMENT,
            "/spec/strategy/rollingUpdate",
            f,
            Default(json!("25%")),
        );
    }
    add(
        w,
        DAEMONSET,
        "/spec/updateStrategy",
        "type",
        Default(json!("RollingUpdate")),
    );
    add(
        w,
        DAEMONSET,
        "/spec/updateStrategy/rollingUpdate",
        "maxUnavailable",
        Default(json!(1)),
    );
    add(
        w,
        DAEMONSET,
        "/spec/updateStrategy/rollingUpdate",
        "maxSurge",
        Default(json!(0)),
    );
    let sts = STATEFULSET;
    add(
        w,
        sts,
        "/spec",
        "podManagementPolicy",
        Default(json!("OrderedReady")),
    );
    add(
        w,
        sts,
        "/spec/updateStrategy",
        "type",
        Default(json!("RollingUpdate")),
    );
    add(
        w,
        sts,
        "/spec/updateStrategy/rollingUpdate",
        "partition",
        Default(json!(0)),
    );
    for f in ["whenDeleted", "whenScaled"] {
        add(
            w,
            sts,
            "/spec/persistentVolumeClaimRetentionPolicy",
            f,
            Default(json!("Retain")),
        );
    }
    // Claim templates are stored as full PersistentVolumeClaims.
    add(
        w,
        sts,
        "/spec/volumeClaimTemplates/*",
        "apiVersion",
        Default(json!("v1")),
    );
    add(
        w,
        sts,
        "/spec/volumeClaimTemplates/*",
        "kind",
        Default(json!("PersistentVolumeClaim")),
    );
    add(
        w,
        sts,
        "/spec/volumeClaimTemplates/*/spec",
        "volumeMode",
        Default(json!("Filesystem")),
    );

    let job = JOB;
    add(w, job, "/spec", "parallelism", Default(json!(1)));
    // Both left out: both 1; parallelism alone: completions stays unset.
    add(
        w,
        job,
        "/spec",
        "completions",
        Computed(|spec| (!spec.contains_key("parallelism")).then(|| json!(1))),
    );
    add(
        w,
        job,
        "/spec",
        "backoffLimit",
        Computed(|spec| {
            Some(if spec.contains_key("backoffLimitPerIndex") {
                json!(i32::MAX)
            } else {
                json!(6)
            })
        }),
    );
    add(
        w,
        job,
        "/spec",
        "completionMode",
        Default(json!("NonIndexed")),
    );
    add(w, job, "/spec", "suspend", Default(json!(false)));
    add(
        w,
        job,
        "/spec",
        "podReplacementPolicy",
        Computed(|spec| {
            Some(if spec.contains_key("podFailurePolicy") {
                json!("Failed")
            } else {
                json!("TerminatingOrFailed")
            })
        }),
    );
    // The Job strategy generates a selector and labels of the Job's own uid.
    for labels in ["/metadata/labels", "/spec/template/metadata/labels"] {
        for l in [
            "controller-uid",
            "job-name",
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-name",
        ] {
            add("job-generated", job, labels, l, Assigned);
        }
    }
    add("job-generated", job, "/spec", "selector", Assigned);

    let cron = CRONJOB;
    add(
        w,
        cron,
        "/spec",
        "concurrencyPolicy",
        Default(json!("Allow")),
    );
    add(w, cron, "/spec", "suspend", Default(json!(false)));
    add(
        w,
        cron,
        "/spec",
        "successfulJobsHistoryLimit",
        Default(json!(3)),
    );
    add(
        w,
        cron,
        "/spec",
        "failedJobsHistoryLimit",
        Default(json!(1)),
    );
}

fn object_rules(add: &mut Add<'_>) {
    use Equiv::*;
    let o = "object-defaults";
    add(o, SECRET, "", "type", Default(json!("Opaque")));
    add(o, PVC, "/spec", "volumeMode", Default(json!("Filesystem")));
    add(o, PV, "/spec", "volumeMode", Default(json!("Filesystem")));
    add(
        o,
        PV,
        "/spec",
        "persistentVolumeReclaimPolicy",
        Default(json!("Retain")),
    );
    add(
        o,
        NAMESPACE,
        "/spec",
        "finalizers",
        Default(json!(["kubernetes"])),
    );

    let hpa = HPA;
    add(o, hpa, "/spec", "minReplicas", Default(json!(1)));
    add(
        o,
        hpa,
        "/spec",
        "metrics",
        Default(json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}}])),
    );
    add(
        o,
        hpa,
        "/spec",
        "selectionStrategy",
        Default(json!("LabelSelector")),
    );
    let scale_up = json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15}]});
    let scale_down = json!({"selectPolicy": "Max", "policies": [
        {"type": "Percent", "value": 100, "periodSeconds": 15}]});
    for (rules, defaults) in [("scaleUp", scale_up), ("scaleDown", scale_down)] {
        add(o, hpa, "/spec/behavior", rules, Default(defaults.clone()));
        for f in ["stabilizationWindowSeconds", "selectPolicy", "policies"] {
            if let Some(d) = defaults.get(f) {
                add(
                    o,
                    hpa,
                    &format!("/spec/behavior/{rules}"),
                    f,
                    Default(d.clone()),
                );
            }
        }
    }

    let np = NETWORKPOLICY;
    for dir in ["ingress", "egress"] {
        add(
            o,
            np,
            &format!("/spec/{dir}/*/ports/*"),
            "protocol",
            Default(json!("TCP")),
        );
    }
    add(o, np, "/spec", "policyTypes", Computed(policy_types));

    for kind in [ROLEBINDING, CLUSTERROLEBINDING] {
        add(
            o,
            kind,
            "/roleRef",
            "apiGroup",
            Default(json!("rbac.authorization.k8s.io")),
        );
        add(o, kind, "/subjects/*", "apiGroup", Computed(subject_group));
    }
    add(
        o,
        INGRESSCLASS,
        "/spec/parameters",
        "scope",
        Default(json!("Cluster")),
    );
    let lr = LIMITRANGE;
    add(o, lr, "/spec/limits/*", "default", Computed(limit_default));
    add(
        o,
        lr,
        "/spec/limits/*",
        "defaultRequest",
        Computed(limit_default_request),
    );
}

fn policy_types(spec: &Map<String, Value>) -> Option<Value> {
    let egress = spec
        .get("egress")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty());
    Some(if egress {
        json!(["Ingress", "Egress"])
    } else {
        json!(["Ingress"])
    })
}

fn subject_group(subject: &Map<String, Value>) -> Option<Value> {
    match subject.get("kind").and_then(Value::as_str) {
        Some("User" | "Group") => Some(json!("rbac.authorization.k8s.io")),
        Some("ServiceAccount") => Some(json!("")),
        _ => None,
    }
}

fn is_container_limit(item: &Map<String, Value>) -> bool {
    item.get("type").and_then(Value::as_str) == Some("Container")
}

/// A container limit's `default`: its `max`, for the resources `max` names.
fn limit_default(item: &Map<String, Value>) -> Option<Value> {
    if !is_container_limit(item) {
        return None;
    }
    item.get("max").cloned()
}

/// A container limit's `defaultRequest`: `default` (or `max`), else `min`, per resource.
fn limit_default_request(item: &Map<String, Value>) -> Option<Value> {
    if !is_container_limit(item) {
        return None;
    }
    let mut out = Map::new();
    for source in ["min", "max", "default"] {
        if let Some(Value::Object(m)) = item.get(source) {
            for (k, v) in m {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Some(Value::Object(out))
}

fn build_item_rules() -> Vec<ItemRule> {
    let mut rules = vec![ItemRule {
        name: "system-finalizers",
        kinds: EVERY,
        list: segments("/metadata/finalizers"),
        added: |f| {
            matches!(
                f.as_str(),
                Some(
                    "kubernetes.io/pvc-protection"
                        | "kubernetes.io/pv-protection"
                        | "service.kubernetes.io/load-balancer-cleanup"
                        | "foregroundDeletion"
                        | "orphan"
                )
            )
        },
    }];
    // The ServiceAccount admission plugin mounts the account's token into every Pod; the
    // DefaultTolerationSeconds plugin adds two tolerations.
    rules.push(ItemRule {
        name: "pod-admission",
        kinds: POD,
        list: segments("/spec/volumes"),
        added: |v| {
            v.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with("kube-api-access-"))
                && v.get("projected").is_some()
        },
    });
    for list in ["containers", "initContainers"] {
        rules.push(ItemRule {
            name: "pod-admission",
            kinds: POD,
            list: segments(&format!("/spec/{list}/*/volumeMounts")),
            added: |m| {
                m.get("mountPath").and_then(Value::as_str)
                    == Some("/var/run/secrets/kubernetes.io/serviceaccount")
                    && m.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.starts_with("kube-api-access-"))
            },
        });
    }
    rules.push(ItemRule {
        name: "pod-admission",
        kinds: POD,
        list: segments("/spec/tolerations"),
        added: |t| {
            matches!(
                t.get("key").and_then(Value::as_str),
                Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable")
            ) && t.get("operator").and_then(Value::as_str) == Some("Exists")
                && t.get("effect").and_then(Value::as_str) == Some("NoExecute")
                && t.get("tolerationSeconds").and_then(Value::as_i64) == Some(300)
        },
    });
    rules
}

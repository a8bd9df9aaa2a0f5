//! Normalisation: what makes two objects "the same" although their text differs. Every
//! difference taken out of the comparison is taken out by a named rule (listed in [`RULES`]
//! and in the README), and recorded as [`Suppressed`] so the JSON output can say why.
//!
//! Two families of rules:
//! - *drop* rules remove fields from each side on its own: what the API server, the Argo
//!   Rollouts controller or an autoscaler writes (status, server metadata, the pod-template
//!   hash selector…), and the user's `--ignore` rules;
//! - *equivalence* rules look at both sides at once, so that a field one side leaves out and
//!   the other holds at its default value (`protocol: TCP`), or two spellings of one value
//!   (`cpu: 1000m` and `cpu: 1`), compare equal without hiding a real change.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::matching::Pair;
use super::{Change, ObjectDiff, Options, field_changes};
use crate::error::{Diagnostic, Location};

/// One default rule, as documented.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    pub name: &'static str,
    pub what: &'static str,
    pub why: &'static str,
}

/// Every default rule, in the order they apply.
pub const RULES: &[RuleDoc] = &[
    RuleDoc {
        name: "status",
        what: "`status` of every object",
        why: "written by controllers, never by `kubectl apply`",
    },
    RuleDoc {
        name: "server-metadata",
        what: "`metadata.managedFields`, `uid`, `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`",
        why: "set by the API server on every write",
    },
    RuleDoc {
        name: "last-applied-configuration",
        what: "annotation `kubectl.kubernetes.io/last-applied-configuration`",
        why: "kubectl's copy of the previous apply (and, on a Secret, its values in clear)",
    },
    RuleDoc {
        name: "rollouts-pod-template-hash",
        what: "`spec.selector.rollouts-pod-template-hash` of a Service a Rollout names (active, preview, canary, stable)",
        why: "the controller points the Service at a ReplicaSet with it (RULES §4.2)",
    },
    RuleDoc {
        name: "managed-by-rollouts",
        what: "annotation `argo-rollouts.argoproj.io/managed-by-rollouts` of a Service a Rollout names",
        why: "added by the controller with the hash selector",
    },
    RuleDoc {
        name: "controller-annotations",
        what: "Rollout annotations `rollout.argoproj.io/revision`, `rollout.argoproj.io/workload-generation`, `notified.notifications.argoproj.io`; Deployment annotation `deployment.kubernetes.io/revision`",
        why: "bookkeeping written by the controllers (RULES §4.1)",
    },
    RuleDoc {
        name: "hpa-replicas",
        what: "`spec.replicas` of a workload a HorizontalPodAutoscaler (or KEDA ScaledObject) in the render or the cluster targets",
        why: "the autoscaler owns it through the scale subresource",
    },
    RuleDoc {
        name: "secret-string-data",
        what: "Secret `stringData` folded into `data` (base64)",
        why: "the API server stores `stringData` as `data`",
    },
    RuleDoc {
        name: "service-defaults",
        what: "Service `type: ClusterIP`, `sessionAffinity: None`, `internalTrafficPolicy: Cluster`, `externalTrafficPolicy: Cluster`, `allocateLoadBalancerNodePorts: true`, `ports[].protocol: TCP`, `ports[].targetPort` equal to `port`, when the other side leaves them out",
        why: "API-server defaults: writing them or not is the same Service",
    },
    RuleDoc {
        name: "service-assigned",
        what: "Service `clusterIP`, `clusterIPs`, `ipFamilies`, `ipFamilyPolicy`, `healthCheckNodePort`, `ports[].nodePort` on the live side when the render leaves them out",
        why: "allocated by the API server",
    },
    RuleDoc {
        name: "crd-defaults",
        what: "Argo CRD defaults (RULES §2.I API-05): pod template `ports[].protocol: TCP`, `configMapKeyRef`/`secretKeyRef`/`configMapRef`/`secretRef` `name: \"\"`, `fileKeyRef.optional: false`, probe `grpc.service: \"\"`, `imagePullSecrets[].name: \"\"`; analysis `datadog.apiVersion: v1`, `interval: 5m`, `requestTimeout: 10s`",
        why: "the API server applies the CRD's schema defaults on every write",
    },
    RuleDoc {
        name: "pod-defaults",
        what: "core pod template defaults in Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods (`restartPolicy`, `dnsPolicy`, `terminationGracePeriodSeconds`, `schedulerName`, `terminationMessagePath`/`Policy`, probe timings, `httpGet.scheme`, `ports[].protocol`…; `imagePullPolicy` on the live side), and Deployment `replicas: 1`, `progressDeadlineSeconds: 600`, `revisionHistoryLimit: 10`, `strategy`",
        why: "API-server defaults of the built-in kinds (a Rollout's template gets none: it is a CRD)",
    },
    RuleDoc {
        name: "rollout-defaults",
        what: "Rollout `spec.replicas: 1`, `paused: false`, `minReadySeconds: 0`, `progressDeadlineAbort: false`, `blueGreen.autoPromotionSeconds: 0`, `blueGreen.previewService: \"\"` against a side that leaves them out",
        why: "the controller persists `replicas: 1` and re-serialises the spec without zero values (RULES §4.1)",
    },
    RuleDoc {
        name: "quantities",
        what: "resource quantities compared by value (`1000m` = `1`, `1024Mi` = `1Gi`, `cpu: 1` = `\"1\"`)",
        why: "the API server and the controller store them in canonical form",
    },
    RuleDoc {
        name: "int-or-string",
        what: "`\"80\"` = `80` where the schema says int-or-string: Service `targetPort`, probe ports, analysis `count` and limits, PodDisruptionBudget `minAvailable`/`maxUnavailable`",
        why: "one value written two ways",
    },
    RuleDoc {
        name: "empty-values",
        what: "`{}`, `[]` and `null` against a side that leaves the field out",
        why: "Kubernetes omits empty fields (`resources: {}` appears after the controller re-serialises a Rollout)",
    },
];

/// A difference an ignore rule took out of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub path: String,
    pub rule: String,
}

/// A user's ignore rule: `Kind[/name]:/json/pointer`, `*` for any kind or any segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub text: String,
    kind: Option<String>,
    name: Option<String>,
    segments: Vec<String>,
}

impl IgnoreRule {
    /// Parses `Kind[/name]:/json/pointer`. `from` names where it was written, for errors.
    pub fn parse(text: &str, from: Location) -> Result<IgnoreRule, Diagnostic> {
        let bad = |msg: &str| {
            Diagnostic::new(Some(from.clone()), format!("`{text}`: {msg}")).with_help(
                "write Kind[/name]:/json/pointer, e.g. `Rollout:/spec/replicas` or `Service/shop-active:/metadata/labels/team` (`*` for any kind or segment)",
            )
        };
        let Some((selector, pointer)) = text.split_once(':') else {
            return Err(bad("no `:` between the kind and the JSON pointer"));
        };
        if !pointer.starts_with('/') {
            return Err(bad("the JSON pointer must start with `/`"));
        }
        let (kind, name) = match selector.split_once('/') {
            Some((k, n)) if !n.is_empty() => (k, Some(n.to_string())),
            Some(_) => return Err(bad("the name after `/` is empty")),
            None => (selector, None),
        };
        if kind.is_empty() {
            return Err(bad("the kind is empty (use `*` for any kind)"));
        }
        let segments = pointer[1..]
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        Ok(IgnoreRule {
            text: text.to_string(),
            kind: (kind != "*").then(|| kind.to_string()),
            name: name.filter(|n| n != "*"),
            segments,
        })
    }

    fn applies_to(&self, kind: &str, name: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
            && self.name.as_deref().is_none_or(|n| n == name)
    }
}

/// What the rules need to know about the whole set: which Services a Rollout drives and which
/// workloads an autoscaler scales.
#[derive(Debug, Default)]
pub struct Context {
    rollout_services: BTreeSet<(Option<String>, String)>,
    scaled: BTreeSet<(Option<String>, String, String)>,
}

impl Context {
    pub fn new<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Context {
        let mut ctx = Context::default();
        for o in objects {
            let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
            let ns = o
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match kind {
                "Rollout" => {
                    for p in [
                        "/spec/strategy/blueGreen/activeService",
                        "/spec/strategy/blueGreen/previewService",
                        "/spec/strategy/canary/stableService",
                        "/spec/strategy/canary/canaryService",
                        "/spec/strategy/canary/pingPong/pingService",
                        "/spec/strategy/canary/pingPong/pongService",
                    ] {
                        if let Some(s) = o.pointer(p).and_then(Value::as_str)
                            && !s.is_empty()
                        {
                            ctx.rollout_services.insert((ns.clone(), s.to_string()));
                        }
                    }
                }
                "HorizontalPodAutoscaler" | "ScaledObject" => {
                    let target = o.pointer("/spec/scaleTargetRef");
                    let name = target.and_then(|t| t.get("name")).and_then(Value::as_str);
                    // KEDA's scaleTargetRef.kind defaults to Deployment.
                    let kind = target
                        .and_then(|t| t.get("kind"))
                        .and_then(Value::as_str)
                        .unwrap_or("Deployment");
                    if let Some(name) = name {
                        ctx.scaled
                            .insert((ns.clone(), kind.to_string(), name.to_string()));
                    }
                }
                _ => {}
            }
        }
        ctx
    }
}

/// Normalises one pair and works out what changes.
pub fn diff_pair(pair: Pair, ctx: &Context, options: &Options) -> ObjectDiff {
    let Pair {
        id,
        mut before,
        mut after,
    } = pair;
    let mut dropped_before = Vec::new();
    let mut dropped_after = Vec::new();
    if let Some(v) = before.as_mut() {
        drop_rules(v, ctx, options, &mut dropped_before);
        secret_string_data(v);
    }
    if let Some(v) = after.as_mut() {
        drop_rules(v, ctx, options, &mut dropped_after);
        secret_string_data(v);
    }
    let mut suppressed = Vec::new();
    if let (Some(b), Some(a)) = (before.as_mut(), after.as_mut()) {
        // A dropped field counts as a suppressed change only where the sides disagreed.
        let mut paths: Vec<(&String, &String)> = dropped_before
            .iter()
            .chain(&dropped_after)
            .map(|(p, r, _)| (p, r))
            .collect();
        paths.sort();
        paths.dedup();
        for (path, rule) in paths {
            let find = |list: &Vec<(String, String, Value)>| {
                list.iter()
                    .find(|(p, _, _)| p == path)
                    .map(|(_, _, v)| v.clone())
            };
            if find(&dropped_before) != find(&dropped_after) {
                suppressed.push(Suppressed {
                    path: path.clone(),
                    rule: rule.clone(),
                });
            }
        }
        equivalences(b, a, &id.kind, options.live, &mut suppressed);
        align_order(b, a);
    } else {
        for v in before.iter_mut().chain(after.iter_mut()) {
            canonical_order(v);
        }
    }
    if !options.show_secrets && id.kind == "Secret" && id.api_version == "v1" {
        for v in before.iter_mut().chain(after.iter_mut()) {
            mask_secret(v);
        }
    }
    let fields = field_changes(before.as_ref(), after.as_ref());
    let change = match (&before, &after) {
        (None, _) => Change::Created,
        (_, None) => Change::Removed,
        _ if fields.is_empty() => Change::Unchanged,
        _ => Change::Changed,
    };
    ObjectDiff {
        id,
        change,
        before,
        after,
        fields,
        suppressed,
    }
}

type Dropped = Vec<(String, String, Value)>;

fn drop_rules(v: &mut Value, ctx: &Context, options: &Options, out: &mut Dropped) {
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_owned);
    remove(v, &["status"], "status", out);
    for f in [
        "managedFields",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "selfLink",
    ] {
        remove(v, &["metadata", f], "server-metadata", out);
    }
    let annotation = |v: &mut Value, key: &str, rule: &str, out: &mut Dropped| {
        remove(v, &["metadata", "annotations", key], rule, out);
    };
    annotation(
        v,
        "kubectl.kubernetes.io/last-applied-configuration",
        "last-applied-configuration",
        out,
    );
    if kind == "Service" && ctx.rollout_services.contains(&(ns.clone(), name.clone())) {
        remove(
            v,
            &["spec", "selector", "rollouts-pod-template-hash"],
            "rollouts-pod-template-hash",
            out,
        );
        annotation(
            v,
            "argo-rollouts.argoproj.io/managed-by-rollouts",
            "managed-by-rollouts",
            out,
        );
    }
    if kind == "Rollout" {
        for key in [
            "rollout.argoproj.io/revision",
            "rollout.argoproj.io/workload-generation",
            "notified.notifications.argoproj.io",
        ] {
            annotation(v, key, "controller-annotations", out);
        }
    }
    if kind == "Deployment" {
        annotation(
            v,
            "deployment.kubernetes.io/revision",
            "controller-annotations",
            out,
        );
    }
    if ctx.scaled.contains(&(ns, kind.clone(), name.clone())) {
        remove(v, &["spec", "replicas"], "hpa-replicas", out);
    }
    for rule in options
        .ignores
        .iter()
        .filter(|r| r.applies_to(&kind, &name))
    {
        let segments: Vec<&str> = rule.segments.iter().map(String::as_str).collect();
        remove(v, &segments, &rule.text, out);
    }
    // An annotations map emptied by the rules is no annotations at all.
    if let Some(Value::Object(meta)) = v.get_mut("metadata")
        && meta
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
    {
        meta.remove("annotations");
    }
}

/// Removes what `segments` points at (`*` matches every key or index), recording each removal.
fn remove(v: &mut Value, segments: &[&str], rule: &str, out: &mut Dropped) {
    fn walk(v: &mut Value, segments: &[&str], path: &mut String, rule: &str, out: &mut Dropped) {
        let Some((head, rest)) = segments.split_first() else {
            return;
        };
        let len = path.len();
        match v {
            Value::Object(map) => {
                let keys: Vec<String> = if *head == "*" {
                    map.keys().cloned().collect()
                } else if map.contains_key(*head) {
                    vec![(*head).to_string()]
                } else {
                    vec![]
                };
                for k in keys {
                    path.push('/');
                    path.push_str(&crate::yaml::escape_segment(&k));
                    if rest.is_empty() {
                        if let Some(removed) = map.shift_remove(&k) {
                            out.push((path.clone(), rule.to_string(), removed));
                        }
                    } else if let Some(child) = map.get_mut(&k) {
                        walk(child, rest, path, rule, out);
                    }
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                if rest.is_empty() {
                    // Removing list items by index would shift the others: a pointer to a
                    // list item removes its content only when the list is matched whole.
                    if *head == "*" {
                        let removed = Value::Array(std::mem::take(items));
                        out.push((path.clone(), rule.to_string(), removed));
                    }
                    return;
                }
                let indices: Vec<usize> = if *head == "*" {
                    (0..items.len()).collect()
                } else {
                    head.parse()
                        .ok()
                        .filter(|i| *i < items.len())
                        .into_iter()
                        .collect()
                };
                for i in indices {
                    path.push('/');
                    path.push_str(&i.to_string());
                    walk(&mut items[i], rest, path, rule, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    walk(v, segments, &mut String::new(), rule, out);
}

/// Folds Secret `stringData` into `data`, as the API server does on write.
fn secret_string_data(v: &mut Value) {
    if v.get("kind").and_then(Value::as_str) != Some("Secret") {
        return;
    }
    let Some(Value::Object(obj)) = Some(v) else {
        return;
    };
    let Some(Value::Object(string_data)) = obj.shift_remove("stringData") else {
        return;
    };
    let data = obj
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(data) = data {
        for (k, s) in string_data {
            let text = match s {
                Value::String(s) => s,
                other => other.to_string(),
            };
            data.insert(k, Value::String(base64(text.as_bytes())));
        }
    }
}

/// Replaces every Secret value by a marker holding a hash of it, so a changed value still
/// shows as changed and an unchanged one as unchanged, without showing either.
fn mask_secret(v: &mut Value) {
    if let Some(Value::Object(data)) = v.get_mut("data") {
        for value in data.values_mut() {
            let text = match &*value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            *value = Value::String(secret_marker(&text));
        }
    }
}

/// `<secret sha256:…>`: the first 12 hex digits of SHA-256 of the stored (base64) value.
pub fn secret_marker(stored: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, stored.as_bytes());
    let hex: String = digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("<secret sha256:{hex}>")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Equivalence rules

#[derive(Debug)]
enum Equiv {
    /// The field at this value is the same as the field left out.
    Default(Value),
    /// Left out means "the same as this sibling field" (`targetPort` = `port`).
    SameAs(&'static str),
    /// Allocated by the server: any live value stands for a field the render leaves out.
    Assigned,
    Quantity,
    IntOrString,
}

#[derive(Debug)]
struct PairRule {
    name: &'static str,
    kinds: &'static [&'static str],
    parent: Vec<String>,
    /// A field name, or `*` for every field of the parent.
    field: &'static str,
    equiv: Equiv,
}

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

static PAIR_RULES: LazyLock<Vec<PairRule>> = LazyLock::new(pair_rules);

fn pair_rules() -> Vec<PairRule> {
    let mut rules = Vec::new();
    let mut add = |name, kinds, parent: &str, field, equiv| {
        rules.push(PairRule {
            name,
            kinds,
            parent: parent.split('/').skip(1).map(str::to_string).collect(),
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

    // Pod templates: where they sit in each kind, and whether the API server defaults them
    // as a built-in type (`pod-defaults`) or only through a CRD schema (`crd-defaults`).
    let pod_specs: &[(&'static [&'static str], &str, bool)] = &[
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
    for &(kinds, spec, core) in pod_specs {
        let defaults = if core { "pod-defaults" } else { "crd-defaults" };
        add(
            "quantities",
            kinds,
            &format!("{spec}/overhead"),
            "*",
            Quantity,
        );
        add(
            defaults,
            kinds,
            &format!("{spec}/imagePullSecrets/*"),
            "name",
            Default(json!("")),
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
        }
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            let c = format!("{spec}/{list}/*");
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
            add(
                defaults,
                kinds,
                &format!("{c}/env/*/valueFrom/configMapKeyRef"),
                "name",
                Default(json!("")),
            );
            add(
                defaults,
                kinds,
                &format!("{c}/env/*/valueFrom/secretKeyRef"),
                "name",
                Default(json!("")),
            );
            add(
                defaults,
                kinds,
                &format!("{c}/env/*/valueFrom/fileKeyRef"),
                "optional",
                Default(json!(false)),
            );
            add(
                defaults,
                kinds,
                &format!("{c}/envFrom/*/configMapRef"),
                "name",
                Default(json!("")),
            );
            add(
                defaults,
                kinds,
                &format!("{c}/envFrom/*/secretRef"),
                "name",
                Default(json!("")),
            );
            if core {
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
                    add(
                        defaults,
                        kinds,
                        &format!("{p}/httpGet"),
                        "scheme",
                        Default(json!("HTTP")),
                    );
                }
            }
        }
    }
    for (f, d) in [
        ("replicas", json!(1)),
        ("progressDeadlineSeconds", json!(600)),
        ("revisionHistoryLimit", json!(10)),
        (
            "strategy",
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
        ),
    ] {
        add("pod-defaults", &["Deployment"], "/spec", f, Default(d));
    }
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

/// Applies the equivalence rules to a pair: `before` takes `after`'s spelling of equal
/// values, and a default-valued field one side leaves out goes from the other.
fn equivalences(
    before: &mut Value,
    after: &mut Value,
    kind: &str,
    live: bool,
    out: &mut Vec<Suppressed>,
) {
    for rule in PAIR_RULES.iter().filter(|r| r.kinds.contains(&kind)) {
        if matches!(rule.equiv, Equiv::Assigned) && !live {
            // Only the API server assigns values; between two renders a written clusterIP
            // is a change like any other.
            continue;
        }
        let parent: Vec<&str> = rule.parent.iter().map(String::as_str).collect();
        pairs(
            before,
            after,
            &parent,
            &mut String::new(),
            &mut |b, a, path| {
                apply(rule, b, a, path, out);
            },
        );
    }
    empty_values(before, after, &mut String::new(), out);
}

/// What [`pairs`] calls on each pair of parent maps, with their path.
type PairFn<'a> = dyn FnMut(&mut Map<String, Value>, &mut Map<String, Value>, &str) + 'a;

/// Calls `f` on each pair of maps found at `pattern` on both sides (`*` matches the keys both
/// maps hold, or the indices both lists hold).
fn pairs(a: &mut Value, b: &mut Value, pattern: &[&str], path: &mut String, f: &mut PairFn<'_>) {
    let Some((head, rest)) = pattern.split_first() else {
        if let (Value::Object(ma), Value::Object(mb)) = (a, b) {
            f(ma, mb, path);
        }
        return;
    };
    let len = path.len();
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let keys: Vec<String> = if *head == "*" {
                ma.keys().filter(|k| mb.contains_key(*k)).cloned().collect()
            } else {
                vec![(*head).to_string()]
            };
            for k in keys {
                if let (Some(x), Some(y)) = (ma.get_mut(&k), mb.get_mut(&k)) {
                    path.push('/');
                    path.push_str(&crate::yaml::escape_segment(&k));
                    pairs(x, y, rest, path, f);
                    path.truncate(len);
                }
            }
        }
        (Value::Array(xa), Value::Array(xb)) if *head == "*" => {
            for (i, (x, y)) in xa.iter_mut().zip(xb.iter_mut()).enumerate() {
                path.push('/');
                path.push_str(&i.to_string());
                pairs(x, y, rest, path, f);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn apply(
    rule: &PairRule,
    before: &mut Map<String, Value>,
    after: &mut Map<String, Value>,
    path: &str,
    out: &mut Vec<Suppressed>,
) {
    let fields: Vec<String> = if rule.field == "*" {
        let mut keys: Vec<String> = before.keys().cloned().collect();
        keys.extend(after.keys().filter(|k| !before.contains_key(*k)).cloned());
        keys
    } else {
        vec![rule.field.to_string()]
    };
    for f in fields {
        let record = |out: &mut Vec<Suppressed>| {
            out.push(Suppressed {
                path: format!("{path}/{}", crate::yaml::escape_segment(&f)),
                rule: rule.name.to_string(),
            });
        };
        match &rule.equiv {
            Equiv::Quantity | Equiv::IntOrString => {
                let (Some(x), Some(y)) = (before.get(&f), after.get(&f)) else {
                    continue;
                };
                let same = match rule.equiv {
                    Equiv::Quantity => quantity_eq(x, y),
                    _ => int_or_string_eq(x, y),
                };
                if x != y && same {
                    before.insert(f.clone(), y.clone());
                    record(out);
                }
            }
            Equiv::Assigned => {
                if before.contains_key(&f) && !after.contains_key(&f) {
                    before.shift_remove(&f);
                    record(out);
                }
            }
            Equiv::Default(_) | Equiv::SameAs(_) => {
                let is_default = |m: &Map<String, Value>, v: &Value| match &rule.equiv {
                    Equiv::Default(d) => v == d,
                    Equiv::SameAs(sibling) => {
                        m.get(*sibling).is_some_and(|s| int_or_string_eq(s, v))
                    }
                    _ => false,
                };
                match (before.get(&f), after.get(&f)) {
                    (Some(x), None) if is_default(before, x) => {
                        before.shift_remove(&f);
                        record(out);
                    }
                    (None, Some(y)) if is_default(after, y) => {
                        after.shift_remove(&f);
                        record(out);
                    }
                    _ => {}
                }
            }
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Removes from `m` the empty fields `other` leaves out.
fn drop_empty(
    m: &mut Map<String, Value>,
    other: &Map<String, Value>,
    path: &str,
    out: &mut Vec<Suppressed>,
) {
    let gone: Vec<String> = m
        .iter()
        .filter(|(k, v)| is_empty(v) && !other.contains_key(*k))
        .map(|(k, _)| k.clone())
        .collect();
    for k in gone {
        m.shift_remove(&k);
        out.push(Suppressed {
            path: format!("{path}/{}", crate::yaml::escape_segment(&k)),
            rule: "empty-values".into(),
        });
    }
}

/// `empty-values`, at every depth.
fn empty_values(
    before: &mut Value,
    after: &mut Value,
    path: &mut String,
    out: &mut Vec<Suppressed>,
) {
    let len = path.len();
    match (before, after) {
        (Value::Object(mb), Value::Object(ma)) => {
            drop_empty(mb, ma, path, out);
            drop_empty(ma, mb, path, out);
            let shared: Vec<String> = mb.keys().filter(|k| ma.contains_key(*k)).cloned().collect();
            for k in shared {
                path.push('/');
                path.push_str(&crate::yaml::escape_segment(&k));
                if let (Some(x), Some(y)) = (mb.get_mut(&k), ma.get_mut(&k)) {
                    empty_values(x, y, path, out);
                }
                path.truncate(len);
            }
        }
        (Value::Array(xb), Value::Array(xa)) => {
            for (i, (x, y)) in xb.iter_mut().zip(xa.iter_mut()).enumerate() {
                path.push('/');
                path.push_str(&i.to_string());
                empty_values(x, y, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Puts `apiVersion`, `kind`, `metadata` (name, namespace, labels, annotations first) ahead
/// of the rest, for an object shown alone (created or removed).
fn canonical_order(v: &mut Value) {
    fn front(map: &mut Map<String, Value>, keys: &[&str]) {
        let mut old = std::mem::take(map);
        for k in keys {
            if let Some(v) = old.shift_remove(*k) {
                map.insert((*k).to_string(), v);
            }
        }
        map.extend(old);
    }
    if let Value::Object(map) = v {
        front(map, &["apiVersion", "kind", "metadata", "spec", "data"]);
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            front(meta, &["name", "namespace", "labels", "annotations"]);
        }
    }
}

/// Orders `before`'s keys as `after` has them (its own extra keys last), so the text diff
/// shows changed values, not keys the server wrote in another order.
pub fn align_order(before: &mut Value, after: &Value) {
    match (before, after) {
        (Value::Object(mb), Value::Object(ma)) => {
            let mut old = std::mem::take(mb);
            for k in ma.keys() {
                if let Some(v) = old.shift_remove(k) {
                    mb.insert(k.clone(), v);
                }
            }
            mb.extend(old);
            for (k, v) in mb.iter_mut() {
                if let Some(a) = ma.get(k) {
                    align_order(v, a);
                }
            }
        }
        (Value::Array(xb), Value::Array(xa)) => {
            for (x, y) in xb.iter_mut().zip(xa) {
                align_order(x, y);
            }
        }
        _ => {}
    }
}

/// Two int-or-string values are equal when equal, or when one is the other's digits.
pub fn int_or_string_eq(a: &Value, b: &Value) -> bool {
    fn canon(v: &Value) -> Option<i64> {
        match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s)
                if !s.is_empty() && s.len() < 19 && s.bytes().all(|c| c.is_ascii_digit()) =>
            {
                s.parse().ok()
            }
            _ => None,
        }
    }
    a == b || matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

/// Two quantities are equal when they stand for the same amount.
pub fn quantity_eq(a: &Value, b: &Value) -> bool {
    match (parse_quantity(a), parse_quantity(b)) {
        (Some(x), Some(y)) => {
            let scale = x.abs().max(y.abs()).max(f64::MIN_POSITIVE);
            (x - y).abs() <= scale * 1e-12
        }
        _ => a == b,
    }
}

/// A Kubernetes quantity (`500m`, `1.5Gi`, `1e3`, `2`) as a number; the rules' parser, so
/// diff and validate agree on what a quantity is.
pub fn parse_quantity(v: &Value) -> Option<f64> {
    crate::rules::k8s::quantity_of(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::matching::{Pair, id_of};

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
    fn quantities_and_int_or_string() {
        assert_eq!(parse_quantity(&json!("1000m")), Some(1.0));
        assert!(quantity_eq(&json!("1024Mi"), &json!("1Gi")));
        assert!(quantity_eq(&json!(1), &json!("1")));
        assert!(quantity_eq(&json!("0.1"), &json!("100m")));
        assert!(quantity_eq(&json!("1e3"), &json!("1k")));
        assert!(!quantity_eq(&json!("1Gi"), &json!("1G")));
        assert!(!quantity_eq(&json!("x"), &json!("y")));
        assert!(int_or_string_eq(&json!("80"), &json!(80)));
        assert!(!int_or_string_eq(&json!("http"), &json!(80)));
        assert!(!int_or_string_eq(&json!("25%"), &json!(25)));
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
        let b =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}});
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
    fn ignore_rule_syntax() {
        let at = || Location::Flag("--ignore".into());
        assert!(IgnoreRule::parse("Rollout:/spec/replicas", at()).is_ok());
        assert!(
            IgnoreRule::parse("*:/metadata/labels/x~1y", at())
                .unwrap()
                .segments
                == vec!["metadata", "labels", "x/y"]
        );
        assert!(IgnoreRule::parse("Rollout/spec/replicas", at()).is_err());
        assert!(IgnoreRule::parse("Rollout:spec", at()).is_err());
        assert!(IgnoreRule::parse(":/a", at()).is_err());
    }

    #[test]
    fn secrets_are_masked_and_string_data_folded() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
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
        assert!(text.contains("<secret sha256:"));
    }
}

//! Normalisation: what makes two objects "the same" although their text differs. Every
//! difference taken out of the comparison is taken out by a named rule (listed in [`RULES`]
//! and in docs/diff.md), and recorded as [`Suppressed`] so the JSON output can say why.
//!
//! Three families of rules, applied in this order:
//! - *drop* rules remove fields from each side on its own: what the API server, the Argo
//!   Rollouts controller or an autoscaler writes (status, server metadata, the pod-template
//!   hash selector…), and the user's `--ignore` rules (`ignore.rs`);
//! - *equivalence* rules look at both sides at once, so that a field one side leaves out and
//!   the other holds at its default value (`protocol: TCP`), or two spellings of one value
//!   (`cpu: 1000m` and `cpu: 1`), compare equal without hiding a real change (`equiv.rs`, with
//!   the per-kind tables in `defaults.rs`);
//! - the *three-way* rule drops what the live object holds beyond the proposed one that the
//!   user's tooling never set (`three_way.rs`).
//!
//! Secrets are masked last (`secrets.rs`), before anything leaves [`diff_pair`].

mod defaults;
mod equiv;
mod ignore;
pub mod secrets;
pub mod three_way;

use std::collections::BTreeSet;

use serde_json::{Map, Value};

pub use super::lists::int_or_string_eq;
use super::matching::Pair;
use super::{Change, ObjectDiff, Options, field_changes, kinds, lists};
pub use equiv::{parse_quantity, quantity_eq};
pub use ignore::IgnoreRule;

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
        what: "`status` of every object, and of the claim templates of a StatefulSet",
        why: "written by controllers, never by `kubectl apply`",
    },
    RuleDoc {
        name: "server-metadata",
        what: "`metadata.managedFields`, `uid`, `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`; `creationTimestamp: null` in pod, job and claim templates",
        why: "set by the API server on every write",
    },
    RuleDoc {
        name: "last-applied-configuration",
        what: "annotation `kubectl.kubernetes.io/last-applied-configuration`",
        why: "kubectl's copy of the previous apply (and, on a Secret, its values in clear); read first, as the record of the three-way rule",
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
        what: "Rollout annotations `rollout.argoproj.io/revision`, `rollout.argoproj.io/workload-generation`, `notified.notifications.argoproj.io`; Deployment `deployment.kubernetes.io/revision`; DaemonSet `deprecated.daemonset.template.generation`",
        why: "bookkeeping written by the controllers and the API server (RULES §4.1)",
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
        what: "Service `type: ClusterIP`, `sessionAffinity: None`, `sessionAffinityConfig.clientIP.timeoutSeconds: 10800`, `internalTrafficPolicy: Cluster`, `externalTrafficPolicy: Cluster`, `allocateLoadBalancerNodePorts: true`, `ports[].protocol: TCP`, `ports[].targetPort` equal to `port`, when the other side leaves them out",
        why: "API-server defaults (`SetDefaults_Service`): writing them or not is the same Service",
    },
    RuleDoc {
        name: "service-assigned",
        what: "Service `clusterIP`, `clusterIPs`, `ipFamilies`, `ipFamilyPolicy`, `healthCheckNodePort`, `ports[].nodePort` on the live side when the render leaves them out (objects without a record only)",
        why: "allocated by the API server",
    },
    RuleDoc {
        name: "crd-defaults",
        what: "Argo CRD defaults (RULES §2.I API-05): pod template `ports[].protocol: TCP`, `configMapKeyRef`/`secretKeyRef`/`configMapRef`/`secretRef` `name: \"\"`, `fileKeyRef.optional: false`, probe `grpc.service: \"\"`, `imagePullSecrets[].name: \"\"`; analysis `datadog.apiVersion: v1`, `interval: 5m`, `requestTimeout: 10s`",
        why: "the API server applies the CRD's schema defaults on every write",
    },
    RuleDoc {
        name: "pod-defaults",
        what: "core pod defaults in Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods: `restartPolicy`, `dnsPolicy`, `terminationGracePeriodSeconds`, `schedulerName`, the deprecated `serviceAccount` equal to `serviceAccountName`, `terminationMessagePath`/`Policy`, probe timings, `httpGet` `path: /` and `scheme: HTTP` (probes and lifecycle hooks), `ports[].protocol`, `fieldRef.apiVersion: v1`, volume `defaultMode: 420`, token `expirationSeconds: 3600`, `hostPath.type: \"\"`, `imagePullPolicy` on the live side (objects without a record); a Pod's `enableServiceLinks: true` and requests copied from limits",
        why: "API-server defaults of the built-in kinds (`SetDefaults_PodSpec`, `_Container`, `_Probe`, `_HTTPGetAction`, volume sources; a Rollout's template gets none: it is a CRD)",
    },
    RuleDoc {
        name: "pod-admission",
        what: "a Pod's `serviceAccountName: default`, `preemptionPolicy: PreemptLowerPriority`, the service-account token volume `kube-api-access-…` and its mounts, the `not-ready`/`unreachable` NoExecute tolerations of 300 s; `priority` and `nodeName` (objects without a record)",
        why: "added by the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins and the scheduler",
    },
    RuleDoc {
        name: "workload-defaults",
        what: "Deployment `replicas: 1`, `revisionHistoryLimit: 10`, `progressDeadlineSeconds: 600`, `strategy` RollingUpdate 25%/25%; StatefulSet `replicas: 1`, `revisionHistoryLimit: 10`, `podManagementPolicy: OrderedReady`, `updateStrategy` RollingUpdate with `partition: 0`, `persistentVolumeClaimRetentionPolicy` Retain/Retain, claim templates' `apiVersion`, `kind` and `volumeMode: Filesystem`; DaemonSet `revisionHistoryLimit: 10`, `updateStrategy` RollingUpdate 1/0; ReplicaSet `replicas: 1`; Job `parallelism`, `completions`, `backoffLimit: 6`, `completionMode: NonIndexed`, `suspend: false`, `podReplacementPolicy`; CronJob `concurrencyPolicy: Allow`, `suspend: false`, history limits 3 and 1",
        why: "API-server defaults (`SetDefaults_Deployment`, `_StatefulSet`, `_DaemonSet`, `_ReplicaSet`, `_Job`, `_CronJob`)",
    },
    RuleDoc {
        name: "job-generated",
        what: "a Job's `controller-uid` and `job-name` labels (plain and `batch.kubernetes.io/`) on the Job and its template, and its generated `spec.selector` (objects without a record); labels copied from the template",
        why: "the Job strategy generates them from the Job's uid",
    },
    RuleDoc {
        name: "object-defaults",
        what: "Secret `type: Opaque`; PersistentVolumeClaim `volumeMode: Filesystem`; HPA `minReplicas: 1`, the 80 % CPU metric, `behavior` scaling rules; NetworkPolicy `ports[].protocol: TCP` and `policyTypes`; RoleBinding `roleRef.apiGroup` and `subjects[].apiGroup`; Namespace label `kubernetes.io/metadata.name` and `spec.finalizers: [kubernetes]`; LimitRange `default` from `max` and `defaultRequest` from `default`; IngressClass `parameters.scope: Cluster`",
        why: "API-server defaults of those kinds (`SetDefaults_Secret`, `_PersistentVolumeClaimSpec`, `_HorizontalPodAutoscaler`, `_NetworkPolicy`, `_RoleBinding`, `_Subject`, `_Namespace`, `_LimitRangeItem`)",
    },
    RuleDoc {
        name: "system-finalizers",
        what: "finalizers `kubernetes.io/pvc-protection`, `kubernetes.io/pv-protection`, `service.kubernetes.io/load-balancer-cleanup`, `foregroundDeletion`, `orphan` on the live side",
        why: "added by the API server and by controllers (a cloud controller on every LoadBalancer Service)",
    },
    RuleDoc {
        name: "rollout-defaults",
        what: "Rollout `spec.replicas: 1`, `paused: false`, `minReadySeconds: 0`, `progressDeadlineAbort: false`, `blueGreen.autoPromotionSeconds: 0`, `blueGreen.previewService: \"\"` against a side that leaves them out",
        why: "the controller persists `replicas: 1` and re-serialises the spec without zero values (RULES §4.1)",
    },
    RuleDoc {
        name: "quantities",
        what: "resource quantities compared by value (`1000m` = `1`, `1024Mi` = `1Gi`, `cpu: 1` = `\"1\"`): containers' `resources`, pod `overhead`, `emptyDir.sizeLimit`, claim requests, quotas and limit ranges",
        why: "the API server and the controller store them in canonical form",
    },
    RuleDoc {
        name: "int-or-string",
        what: "`\"80\"` = `80` where the schema says int-or-string: Service `targetPort`, probe ports, analysis `count` and limits, PodDisruptionBudget `minAvailable`/`maxUnavailable`",
        why: "one value written two ways",
    },
    RuleDoc {
        name: "server-owned",
        what: "with `--live`: a field (or keyed list item, or finalizer) the live object holds and the proposed one leaves out, when the object records what was applied and neither `last-applied-configuration` nor an `Apply` manager in `managedFields` set it",
        why: "the three-way rule of `kubectl apply` and Argo CD: applying leaves such a field alone, since the API server, an admission plugin or a controller owns it",
    },
    RuleDoc {
        name: "empty-values",
        what: "`{}`, `[]`, `null`, and maps holding only those, against a side that leaves the field out",
        why: "Kubernetes omits empty fields (`resources: {}` appears after the controller re-serialises a Rollout; `updateStrategy` empties once its defaults go)",
    },
];

/// A difference an ignore rule took out of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub path: String,
    pub rule: String,
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

/// Normalises one pair and works out what changes. Secret values are masked here, so no
/// writer ever sees them.
pub fn diff_pair(pair: Pair, ctx: &Context, options: &Options) -> ObjectDiff {
    let Pair {
        id,
        mut before,
        mut after,
    } = pair;
    // Either side being a Secret makes both masked: the proposed spelling, and what the
    // cluster answered, each judged on its own.
    let secret = before.iter().chain(after.iter()).any(secrets::is_secret);
    // What the user's tooling applied, read before the drop rules take the annotation and
    // `managedFields` away. A server-side dry run already merged as the server does.
    let record = if options.live && !options.server_side {
        before.as_ref().and_then(three_way::Record::of)
    } else {
        None
    };
    let mut dropped_before = Vec::new();
    let mut dropped_after = Vec::new();
    if let Some(v) = before.as_mut() {
        drop_rules(v, ctx, options, &mut dropped_before);
        secrets::fold_string_data(v);
    }
    if let Some(v) = after.as_mut() {
        drop_rules(v, ctx, options, &mut dropped_after);
        secrets::fold_string_data(v);
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
        // The tables are for the kinds rollwright knows, in their own group (a Knative
        // `Service` gets none of a core Service's defaults).
        let kind = kinds::info(&id.api_version, &id.kind)
            .known
            .then_some(id.kind.as_str());
        let mode = equiv::Mode {
            live: options.live,
            fallback: record.is_none(),
        };
        equiv::equivalences(b, a, kind, mode, &mut suppressed);
        if let Some(record) = &record {
            three_way::apply(b, a, record, &mut suppressed);
        }
        equiv::empty_values(b, a, "", &mut String::new(), &mut suppressed);
        align_order(b, a);
    } else {
        for v in before.iter_mut().chain(after.iter_mut()) {
            canonical_order(v);
        }
    }
    drop(record);
    if secret && !options.show_secrets {
        secrets::mask(
            before.as_mut(),
            after.as_mut(),
            &format!("{}/{}", id.group(), id),
            options.secret_key.as_ref(),
        );
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
        conflicts: Vec::new(),
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
    if kind == "StatefulSet" {
        remove(
            v,
            &["spec", "volumeClaimTemplates", "*", "status"],
            "status",
            out,
        );
    }
    // The `creationTimestamp: null` the API server writes into templates.
    for template in [
        &["spec", "template", "metadata", "creationTimestamp"][..],
        &["spec", "jobTemplate", "metadata", "creationTimestamp"],
        &[
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "metadata",
            "creationTimestamp",
        ],
        &[
            "spec",
            "volumeClaimTemplates",
            "*",
            "metadata",
            "creationTimestamp",
        ],
        &[
            "spec",
            "templates",
            "*",
            "template",
            "metadata",
            "creationTimestamp",
        ],
    ] {
        remove_where(v, template, "server-metadata", out, Value::is_null);
    }
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
    if kind == "DaemonSet" {
        annotation(
            v,
            "deprecated.daemonset.template.generation",
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
    remove_where(v, segments, rule, out, |_| true);
}

/// [`remove`], of the fields whose value `pred` accepts.
fn remove_where(
    v: &mut Value,
    segments: &[&str],
    rule: &str,
    out: &mut Dropped,
    pred: fn(&Value) -> bool,
) {
    fn walk(
        v: &mut Value,
        segments: &[&str],
        path: &mut String,
        rule: &str,
        out: &mut Dropped,
        pred: fn(&Value) -> bool,
    ) {
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
                        if map.get(&k).is_some_and(pred)
                            && let Some(removed) = map.shift_remove(&k)
                        {
                            out.push((path.clone(), rule.to_string(), removed));
                        }
                    } else if let Some(child) = map.get_mut(&k) {
                        walk(child, rest, path, rule, out, pred);
                    }
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                if rest.is_empty() {
                    // Removing list items by index would shift the others: a pointer to a
                    // list item removes its content only when the list is matched whole.
                    if *head == "*" && items.iter().all(pred) {
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
                    walk(&mut items[i], rest, path, rule, out, pred);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    walk(v, segments, &mut String::new(), rule, out, pred);
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
/// shows changed values, not keys the server wrote in another order. List items are paired
/// by merge key, not moved.
pub fn align_order(before: &mut Value, after: &Value) {
    align(before, after, "");
}

fn align(before: &mut Value, after: &Value, field: &str) {
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
                    align(v, a, k);
                }
            }
        }
        (Value::Array(xb), Value::Array(xa)) => {
            let keyer = lists::Keyer::for_lists(field, xb, xa);
            for (i, j) in lists::pair(keyer, xb, xa) {
                if let (Some(i), Some(j)) = (i, j) {
                    align(&mut xb[i], &xa[j], field);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;

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

use super::matching::Pair;
use super::{Change, ObjectDiff, Options, field_changes, kinds, lists};
pub use equiv::{int_or_string_eq, parse_quantity, quantity_eq};
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
mod tests {
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
                    let mut c = json!({"name": n, "image": format!("{n}:1"), "ports": [{"containerPort": 80}]});
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
}

//! Rollout spec rules common to every strategy (`ValidateRolloutSpec` in the controller),
//! including the Kubernetes ReplicaSet rules it applies to the pod template.

use crate::rules::util::Lookup as _;
use serde_json::{Map, Value, json};

use super::k8s;
use super::util::{duplicate, forbidden, int, internal, invalid, items, not_supported, required};
use super::{Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[
    &R_01, &R_02, &R_03, &R_04, &R_05, &R_06, &R_07A, &R_07B, &R_07C, &R_07D, &R_08, &R_09, &R_10,
    &R_11, &R_12, &R_13,
];

fn has_workload_ref(r: &Object) -> bool {
    r.value
        .lookup("/spec/workloadRef")
        .is_some_and(|v| !v.is_null())
}

/// A non-negative integer field.
fn non_negative(ctx: &Context<'_>, sink: &mut Sink<'_>, field: &str) {
    for r in ctx.rollouts() {
        let pointer = format!("/spec/{field}");
        if let Some(n) = int(r.value.lookup(&pointer))
            && n < 0
        {
            sink.report(
                r,
                &pointer,
                invalid(
                    &format!("spec.{field}"),
                    &json!(n),
                    "must be greater than or equal to 0",
                ),
            )
            .help(format!("set {field} to 0 or more"));
        }
    }
}

pub static R_01: Rule = Rule {
    id: "R-01",
    name: "replicas-non-negative",
    severity: Severity::Error,
    doc: "spec.replicas must not be negative",
    check: |ctx, sink| non_negative(ctx, sink, "replicas"),
};

pub static R_02: Rule = Rule {
    id: "R-02",
    name: "selector-required",
    severity: Severity::Error,
    doc: "a Rollout without workloadRef needs spec.selector",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            if !has_workload_ref(r) && r.value.lookup("/spec/selector").is_none_or(Value::is_null) {
                sink.report(
                    r,
                    "/spec",
                    required(
                        "spec.selector",
                        "Rollout has missing field '.spec.selector'",
                    ),
                )
                .help("add spec.selector.matchLabels with the pod template's labels");
            }
        }
    },
};

/// The selector's matchExpressions problems: (pointer, message). R-03 reports them all; R-06
/// reports that such a selector cannot be built at all.
fn expression_problems(r: &Object) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, e) in items(r.value.lookup("/spec/selector/matchExpressions")) {
        let base = format!("/spec/selector/matchExpressions/{i}");
        let path = format!("spec.selector.matchExpressions[{i}]");
        let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
        let values = e
            .get("values")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        match op {
            "In" | "NotIn" if values == 0 => out.push((
                format!("{base}/operator"),
                required(
                    &format!("{path}.values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                ),
            )),
            "Exists" | "DoesNotExist" if values > 0 => out.push((
                format!("{base}/values"),
                forbidden(
                    &format!("{path}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ),
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => out.push((
                format!("{base}/operator"),
                invalid(
                    &format!("{path}.operator"),
                    &json!(other),
                    "not a valid selector operator",
                ),
            )),
        }
    }
    out
}

pub static R_03: Rule = Rule {
    id: "R-03",
    name: "selector-syntax",
    severity: Severity::Error,
    doc: "selector keys must be qualified names, values valid label values, and expressions use In/NotIn with values or Exists/DoesNotExist without",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| !has_workload_ref(r)) {
            if let Some(labels) = r
                .value
                .lookup("/spec/selector/matchLabels")
                .and_then(Value::as_object)
            {
                for (k, v) in labels {
                    let pointer = format!(
                        "/spec/selector/matchLabels/{}",
                        crate::yaml::escape_segment(k)
                    );
                    if let Some(why) = k8s::qualified_name_error(k) {
                        sink.report(
                            r,
                            &pointer,
                            invalid("spec.selector.matchLabels", &json!(k), why),
                        )
                        .help(
                            "label keys are `name` or `prefix/name`, e.g. app.kubernetes.io/name",
                        );
                    }
                    if let Some(why) = v.as_str().and_then(k8s::label_value_error) {
                        sink.report(r, &pointer, invalid("spec.selector.matchLabels", v, why))
                            .help("label values are at most 63 letters, digits, '-', '_' or '.'");
                    }
                }
            }
            for (pointer, message) in expression_problems(r) {
                sink.report(r, &pointer, message).help(
                    "use In/NotIn with a list of values, or Exists/DoesNotExist without values",
                );
            }
            for (i, e) in items(r.value.lookup("/spec/selector/matchExpressions")) {
                if let Some(key) = e.get("key").and_then(Value::as_str)
                    && let Some(why) = k8s::qualified_name_error(key)
                {
                    sink.report(
                        r,
                        &format!("/spec/selector/matchExpressions/{i}/key"),
                        invalid(
                            &format!("spec.selector.matchExpressions[{i}].key"),
                            &json!(key),
                            why,
                        ),
                    );
                }
            }
        }
    },
};

pub static R_04: Rule = Rule {
    id: "R-04",
    name: "selector-non-empty",
    severity: Severity::Error,
    doc: "a selector with neither matchLabels nor matchExpressions would select every pod",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| !has_workload_ref(r)) {
            let Some(selector) = r.value.lookup("/spec/selector").filter(|s| s.is_object()) else {
                continue;
            };
            let count = |k: &str| {
                selector.get(k).map_or(0, |v| {
                    v.as_object().map_or(0, Map::len) + v.as_array().map_or(0, Vec::len)
                })
            };
            if count("matchLabels") + count("matchExpressions") == 0 {
                sink.report(
                    r,
                    "/spec/selector",
                    invalid(
                        "spec.selector",
                        selector,
                        "empty selector is invalid for deployment",
                    ),
                )
                .help("select the pod template's labels, e.g. matchLabels: {app: <name>}");
            }
        }
    },
};

pub static R_05: Rule = Rule {
    id: "R-05",
    name: "workload-ref-empty-template",
    severity: Severity::Error,
    doc: "with spec.workloadRef, spec.template must carry no labels or annotations (also the controller's WR-01)",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| has_workload_ref(r)) {
            let meta = r.value.lookup("/spec/template/metadata");
            let filled = |k: &str| {
                meta.and_then(|m| m.get(k))
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
            };
            if filled("labels") || filled("annotations") {
                sink.report(
                    r,
                    "/spec/template/metadata",
                    internal(
                        "spec.template",
                        "template must be empty for workload reference rollout",
                    ),
                )
                .help("remove spec.template: the pod template comes from the referenced workload");
            }
        }
    },
};

pub static R_06: Rule = Rule {
    id: "R-06",
    name: "selector-convertible",
    severity: Severity::Error,
    doc: "the selector must convert to a label selector (an invalid expression makes it unusable)",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| !has_workload_ref(r)) {
            if !expression_problems(r).is_empty() {
                let selector = r
                    .value
                    .lookup("/spec/selector")
                    .cloned()
                    .unwrap_or(Value::Null);
                sink.report(
                    r,
                    "/spec/selector",
                    invalid("spec.selector", &selector, "invalid label selector"),
                )
                .help("fix the matchExpressions reported above");
            }
        }
    },
};

/// Whether `selector` selects pods labelled `labels`.
pub fn selector_matches(selector: &Value, labels: &Map<String, Value>) -> bool {
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let labels_ok = match_labels.is_none_or(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let expressions_ok = items(selector.get("matchExpressions")).all(|(_, e)| {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&Value> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let has = labels.get(key);
        match e.get("operator").and_then(Value::as_str) {
            Some("In") => has.is_some_and(|v| values.contains(&v)),
            Some("NotIn") => has.is_none_or(|v| !values.contains(&v)),
            Some("Exists") => has.is_some(),
            Some("DoesNotExist") => has.is_none(),
            _ => true,
        }
    });
    labels_ok && expressions_ok
}

pub static R_07A: Rule = Rule {
    id: "R-07a",
    name: "selector-matches-template",
    severity: Severity::Error,
    doc: "spec.selector must select the pod template's labels",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| !has_workload_ref(r)) {
            let Some(selector) = r.value.lookup("/spec/selector").filter(|s| s.is_object()) else {
                continue;
            };
            // The controller matches only a selector it could build (R-06 reports the others).
            if !expression_problems(r).is_empty() {
                continue;
            }
            let empty = Map::new();
            let labels = r.pod_template_labels().unwrap_or(&empty);
            if !selector_matches(selector, labels) {
                let pointer = [
                    "/spec/template/metadata/labels",
                    "/spec/template/metadata",
                    "/spec/template",
                ]
                .into_iter()
                .find(|p| r.value.lookup(p).is_some())
                .unwrap_or("/spec");
                sink.report(
                    r,
                    pointer,
                    invalid("spec.template.metadata.labels", &Value::Object(labels.clone()), "`selector` does not match template `labels`"),
                )
                .help("give the pod template every label spec.selector.matchLabels names, with the same values");
            }
        }
    },
};

pub static R_07B: Rule = Rule {
    id: "R-07b",
    name: "pod-template-valid",
    severity: Severity::Error,
    doc: "the pod template must pass Kubernetes' pod validation: containers, names, images, ports, probes, env, volumes, resources",
    check: |ctx, sink| {
        for r in ctx.rollouts().filter(|r| !has_workload_ref(r)) {
            if r.value.lookup("/spec/template").is_none_or(Value::is_null) {
                continue;
            }
            check_pod_template(sink, r, "/spec/template", "spec.template");
        }
    },
};

/// Kubernetes' pod template validation, the parts decidable from the manifest alone.
pub fn check_pod_template(sink: &mut Sink<'_>, o: &Object, base: &str, path: &str) {
    let spec_pointer = format!("{base}/spec");
    let Some(spec) = o.value.lookup(&spec_pointer) else {
        sink.report(o, base, required(&format!("{path}.spec.containers"), ""));
        return;
    };
    for (which, field) in [("labels", "labels"), ("annotations", "annotations")] {
        if let Some(map) = o
            .value
            .lookup(&format!("{base}/metadata/{field}"))
            .and_then(Value::as_object)
        {
            for (k, v) in map {
                let at = format!("{base}/metadata/{field}/{}", crate::yaml::escape_segment(k));
                // Annotation keys are checked lower-cased (`ValidateAnnotations`).
                let problem = if which == "annotations" {
                    k8s::qualified_name_error(&k.to_lowercase())
                } else {
                    k8s::qualified_name_error(k)
                };
                if let Some(why) = problem {
                    sink.report(
                        o,
                        &at,
                        invalid(&format!("{path}.metadata.{which}"), &json!(k), why),
                    );
                }
                if which == "labels"
                    && let Some(why) = v.as_str().and_then(k8s::label_value_error)
                {
                    sink.report(o, &at, invalid(&format!("{path}.metadata.labels"), v, why));
                }
            }
        }
    }
    let containers = spec.get("containers").and_then(Value::as_array);
    if containers.is_none_or(Vec::is_empty) {
        sink.report(
            o,
            &spec_pointer,
            required(&format!("{path}.spec.containers"), ""),
        )
        .help("add at least one container with a name and an image");
    }
    let volumes: Vec<&str> = items(spec.get("volumes"))
        .filter_map(|(_, v)| v.get("name").and_then(Value::as_str))
        .collect();
    let mut volume_names = std::collections::HashSet::new();
    for (i, v) in items(spec.get("volumes")) {
        if let Some(name) = v.get("name").and_then(Value::as_str) {
            let at = format!("{spec_pointer}/volumes/{i}/name");
            let p = format!("{path}.spec.volumes[{i}].name");
            if !k8s::is_dns1123_label(name) {
                sink.report(o, &at, invalid(&p, &json!(name), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
            }
            if !volume_names.insert(name) {
                sink.report(o, &at, duplicate(&p, &json!(name)));
            }
        }
    }
    let mut container_names = std::collections::HashSet::new();
    for list in ["initContainers", "containers"] {
        for (i, c) in items(spec.get(list)) {
            let cp = format!("{spec_pointer}/{list}/{i}");
            let cpath = format!("{path}.spec.{list}[{i}]");
            check_container(sink, o, c, &cp, &cpath, &volumes, &mut container_names);
        }
    }
}

fn check_container<'c>(
    sink: &mut Sink<'_>,
    o: &Object,
    c: &'c Value,
    cp: &str,
    cpath: &str,
    volumes: &[&str],
    names: &mut std::collections::HashSet<&'c str>,
) {
    match c.get("name").and_then(Value::as_str) {
        None | Some("") => {
            sink.report(o, cp, required(&format!("{cpath}.name"), ""));
        }
        Some(name) => {
            if !k8s::is_dns1123_label(name) {
                sink.report(o, &format!("{cp}/name"), invalid(&format!("{cpath}.name"), &json!(name), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"))
                    .help("container names are lower-case letters, digits and '-'");
            }
            if !names.insert(name) {
                sink.report(
                    o,
                    &format!("{cp}/name"),
                    duplicate(&format!("{cpath}.name"), &json!(name)),
                )
                .help("give every container its own name");
            }
        }
    }
    if c.get("image")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        sink.report(o, cp, required(&format!("{cpath}.image"), ""))
            .help("set the container image, e.g. nginx:1.29");
    }
    let mut port_names = std::collections::HashSet::new();
    for (j, p) in items(c.get("ports")) {
        let pp = format!("{cp}/ports/{j}");
        let ppath = format!("{cpath}.ports[{j}]");
        if let Some(n) = p.get("containerPort").and_then(Value::as_i64)
            && !(1..=65535).contains(&n)
        {
            sink.report(
                o,
                &format!("{pp}/containerPort"),
                invalid(
                    &format!("{ppath}.containerPort"),
                    &json!(n),
                    "must be between 1 and 65535, inclusive",
                ),
            );
        }
        if let Some(name) = p.get("name").and_then(Value::as_str) {
            if let Some(why) = k8s::iana_svc_name_error(name) {
                sink.report(
                    o,
                    &format!("{pp}/name"),
                    invalid(&format!("{ppath}.name"), &json!(name), why),
                )
                .help("port names are 1-15 lower-case letters, digits and '-', e.g. http");
            }
            if !port_names.insert(name) {
                sink.report(
                    o,
                    &format!("{pp}/name"),
                    duplicate(&format!("{ppath}.name"), &json!(name)),
                );
            }
        }
    }
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        let Some(p) = c.get(probe).filter(|p| p.is_object()) else {
            continue;
        };
        let handlers = ["exec", "httpGet", "tcpSocket", "grpc"]
            .iter()
            .filter(|h| p.get(**h).is_some_and(|v| !v.is_null()))
            .count();
        let at = format!("{cp}/{probe}");
        if handlers == 0 {
            sink.report(
                o,
                &at,
                required(&format!("{cpath}.{probe}"), "must specify a handler type"),
            )
            .help("add one of exec, httpGet, tcpSocket or grpc");
        } else if handlers > 1 {
            sink.report(
                o,
                &at,
                forbidden(
                    &format!("{cpath}.{probe}"),
                    "may not specify more than 1 handler type",
                ),
            );
        }
    }
    for (j, e) in items(c.get("env")) {
        let name = e.get("name").and_then(Value::as_str).unwrap_or("");
        if !k8s::is_env_var_name(name) {
            let at = if e.get("name").is_some() {
                format!("{cp}/env/{j}/name")
            } else {
                format!("{cp}/env/{j}")
            };
            sink.report(o, &at, invalid(&format!("{cpath}.env[{j}].name"), &json!(name), "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
        }
    }
    for (j, m) in items(c.get("volumeMounts")) {
        if let Some(name) = m.get("name").and_then(Value::as_str)
            && !volumes.contains(&name)
        {
            sink.report(
                o,
                &format!("{cp}/volumeMounts/{j}/name"),
                format!(
                    "{cpath}.volumeMounts[{j}].name: Not found: {}",
                    super::util::go_value(&json!(name))
                ),
            )
            .help("mount a volume listed in spec.volumes");
        }
    }
    let limits = c.lookup("/resources/limits").and_then(Value::as_object);
    if let Some(requests) = c.lookup("/resources/requests").and_then(Value::as_object) {
        for (res, req) in requests {
            let (Some(r), Some(l)) = (
                k8s::quantity_of(req),
                limits.and_then(|l| l.get(res)).and_then(k8s::quantity_of),
            ) else {
                continue;
            };
            if r > l {
                let limit = &limits
                    .and_then(|l| l.get(res))
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
                    .unwrap_or_default();
                sink.report(
                    o,
                    &format!(
                        "{cp}/resources/requests/{}",
                        crate::yaml::escape_segment(res)
                    ),
                    invalid(
                        &format!("{cpath}.resources.requests"),
                        req,
                        &format!("must be less than or equal to {res} limit of {limit}"),
                    ),
                )
                .help("lower the request or raise the limit");
            }
        }
    }
}

pub static R_07C: Rule = Rule {
    id: "R-07c",
    name: "restart-policy-always",
    severity: Severity::Error,
    doc: "the pod template's restartPolicy must be Always (the default)",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let pointer = "/spec/template/spec/restartPolicy";
            if let Some(policy) = r
                .value
                .lookup(pointer)
                .filter(|p| p.as_str() != Some("Always"))
            {
                sink.report(
                    r,
                    pointer,
                    not_supported("spec.template.spec.restartPolicy", policy, &["Always"]),
                )
                .help("remove restartPolicy: ReplicaSet pods always restart");
            }
        }
    },
};

pub static R_07D: Rule = Rule {
    id: "R-07d",
    name: "no-active-deadline",
    severity: Severity::Error,
    doc: "the pod template may not set activeDeadlineSeconds",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let pointer = "/spec/template/spec/activeDeadlineSeconds";
            if r.value.lookup(pointer).is_some_and(|v| !v.is_null()) {
                sink.report(
                    r,
                    pointer,
                    forbidden(
                        "spec.template.spec.activeDeadlineSeconds",
                        "activeDeadlineSeconds in ReplicaSet is not Supported",
                    ),
                )
                .help("remove activeDeadlineSeconds: it would kill long-running pods");
            }
        }
    },
};

pub static R_08: Rule = Rule {
    id: "R-08",
    name: "min-ready-seconds-non-negative",
    severity: Severity::Error,
    doc: "spec.minReadySeconds must not be negative",
    check: |ctx, sink| non_negative(ctx, sink, "minReadySeconds"),
};

pub static R_09: Rule = Rule {
    id: "R-09",
    name: "revision-history-limit-non-negative",
    severity: Severity::Error,
    doc: "spec.revisionHistoryLimit must not be negative",
    check: |ctx, sink| non_negative(ctx, sink, "revisionHistoryLimit"),
};

pub static R_10: Rule = Rule {
    id: "R-10",
    name: "progress-deadline-non-negative",
    severity: Severity::Error,
    doc: "spec.progressDeadlineSeconds must not be negative",
    check: |ctx, sink| non_negative(ctx, sink, "progressDeadlineSeconds"),
};

pub static R_11: Rule = Rule {
    id: "R-11",
    name: "progress-deadline-above-min-ready",
    severity: Severity::Error,
    doc: "spec.progressDeadlineSeconds (default 600) must be greater than spec.minReadySeconds",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let deadline = int(r.value.lookup("/spec/progressDeadlineSeconds")).unwrap_or(600);
            let min_ready = int(r.value.lookup("/spec/minReadySeconds")).unwrap_or(0);
            if deadline >= 0 && deadline <= min_ready {
                let pointer = if r.value.lookup("/spec/progressDeadlineSeconds").is_some() {
                    "/spec/progressDeadlineSeconds"
                } else {
                    "/spec/minReadySeconds"
                };
                sink.report(
                    r,
                    pointer,
                    invalid(
                        "spec.progressDeadlineSeconds",
                        &json!(deadline),
                        "must be greater than minReadySeconds",
                    ),
                )
                .help(format!(
                    "raise progressDeadlineSeconds above {min_ready}, or lower minReadySeconds"
                ));
            }
        }
    },
};

pub static R_12: Rule = Rule {
    id: "R-12",
    name: "strategy-required",
    severity: Severity::Error,
    doc: "a Rollout needs spec.strategy.blueGreen or spec.strategy.canary",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let has = |k: &str| {
                r.value
                    .lookup(&format!("/spec/strategy/{k}"))
                    .is_some_and(|v| !v.is_null())
            };
            if !has("blueGreen") && !has("canary") {
                let pointer = if r.value.lookup("/spec/strategy").is_some() {
                    "/spec/strategy"
                } else {
                    "/spec"
                };
                sink.report(r, pointer, required("spec.strategy.strategy", "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'"))
                    .help("add spec.strategy.blueGreen with activeService (and previewService)");
            }
        }
    },
};

pub static R_13: Rule = Rule {
    id: "R-13",
    name: "single-strategy",
    severity: Severity::Error,
    doc: "a Rollout may not set both spec.strategy.blueGreen and spec.strategy.canary",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let has = |k: &str| {
                r.value
                    .lookup(&format!("/spec/strategy/{k}"))
                    .is_some_and(|v| !v.is_null())
            };
            if has("blueGreen") && has("canary") {
                sink.report(
                    r,
                    "/spec/strategy",
                    invalid(
                        "spec.strategy.strategy",
                        &json!("blueGreen: true canary: true"),
                        "Multiple Strategies can not be listed",
                    ),
                )
                .help("keep one strategy");
            }
        }
    },
};

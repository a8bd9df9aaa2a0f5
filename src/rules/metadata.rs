//! Object metadata rules: what the API server checks of every object's `metadata` before it
//! stores it (apimachinery `ValidateObjectMeta`, with each kind's name rule), in its words.
//!
//! Names are DNS-1123 subdomains unless the kind says otherwise: a Service name is a DNS-1035
//! label (it becomes a DNS name and an environment variable prefix, so no leading digit), a
//! Namespace or StatefulSet name a DNS-1123 label, RBAC and PodDisruptionBudget names only a
//! path segment. Custom resources (Argo Rollouts kinds among them) have subdomain names.
//! A kind of a Kubernetes group rollwright does not know is held to the path-segment rule
//! every built-in resource passes.

use serde_json::Value;

use super::Rule;
use super::k8s;
use super::util::{Lookup as _, go_value, invalid};
use crate::finding::Severity;
use crate::manifest::Object;
use crate::yaml::escape_segment;

pub const RULES: &[&Rule] = &[&MD_01, &MD_02, &MD_03, &MD_04, &MD_05, &MD_06, &MD_07];

/// Which names a kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    PathSegment,
}

impl NameRule {
    /// The messages for `name`; `prefix` for a generateName, whose trailing dash is allowed.
    fn errors(self, name: &str, prefix: bool) -> Vec<&'static str> {
        let masked;
        let name = if prefix && self != NameRule::PathSegment && name.ends_with('-') {
            // apimachinery's maskTrailingDash, which replaces the last two characters.
            let cut = name.len().saturating_sub(2);
            masked = format!("{}a", name.get(..cut).unwrap_or(name));
            masked.as_str()
        } else {
            name
        };
        match self {
            NameRule::Subdomain => k8s::dns1123_subdomain_errors(name),
            NameRule::Label => k8s::dns1123_label_errors(name),
            NameRule::Dns1035 => k8s::dns1035_label_errors(name),
            NameRule::PathSegment if prefix => k8s::path_segment_errors(name)
                .into_iter()
                .filter(|m| m.starts_with("may not contain"))
                .collect(),
            NameRule::PathSegment => k8s::path_segment_errors(name),
        }
    }

    fn help(self) -> &'static str {
        match self {
            NameRule::Subdomain => {
                "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253 characters)"
            }
            NameRule::Label => {
                "use lower-case letters, digits and '-', starting and ending with a letter or digit (at most 63 characters)"
            }
            NameRule::Dns1035 => {
                "use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (at most 63 characters)"
            }
            NameRule::PathSegment => "leave out '/' and '%', and do not use '.' or '..'",
        }
    }
}

/// Kubernetes' own API groups: the legacy core group, groups without a dot (`apps`, `batch`,
/// `policy`, …) and `*.k8s.io`.
fn kubernetes_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

/// The name rule of a kind, and whether its finalizers get the core check (a name without a
/// `/` must be a standard one).
fn kind_rules(group: &str, kind: &str) -> (NameRule, bool) {
    use NameRule::*;
    let rule = match (group, kind) {
        ("", "Service") => Dns1035,
        ("", "Namespace") => Label,
        (
            "",
            "Pod"
            | "PodTemplate"
            | "ReplicationController"
            | "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "LimitRange"
            | "ResourceQuota"
            | "Endpoints"
            | "Node",
        ) => Subdomain,
        ("apps", "StatefulSet") => Label,
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet" | "ControllerRevision") => Subdomain,
        ("batch", "Job" | "CronJob") => Subdomain,
        ("networking.k8s.io", "Ingress" | "IngressClass" | "NetworkPolicy") => Subdomain,
        ("autoscaling", "HorizontalPodAutoscaler") => Subdomain,
        ("rbac.authorization.k8s.io", _) => return (PathSegment, true),
        ("policy", "PodDisruptionBudget") => return (PathSegment, false),
        (g, _) if kubernetes_group(g) => return (PathSegment, false),
        // Custom resources: apiextensions checks their names as subdomains.
        _ => return (Subdomain, false),
    };
    (rule, true)
}

fn meta_str<'v>(o: &'v Object, pointer: &str) -> Option<&'v str> {
    o.value.lookup(pointer).and_then(Value::as_str)
}

fn meta_map<'v>(o: &'v Object, pointer: &str) -> Option<&'v serde_json::Map<String, Value>> {
    o.value.lookup(pointer).and_then(Value::as_object)
}

fn meta_list<'v>(o: &'v Object, pointer: &str) -> Option<&'v Vec<Value>> {
    o.value.lookup(pointer).and_then(Value::as_array)
}

pub static MD_01: Rule = Rule {
    id: "MD-01",
    name: "object-name",
    severity: Severity::Error,
    doc: "metadata.name must suit the kind: a DNS-1123 subdomain, a DNS-1035 label for a Service, a DNS-1123 label for a Namespace or StatefulSet",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let name = o.id.name.as_str();
            if name.is_empty() {
                continue;
            }
            let group = o.id.group();
            let (rule, _) = kind_rules(group, &o.id.kind);
            for message in rule.errors(name, false) {
                sink.report(
                    o,
                    "/metadata/name",
                    invalid("metadata.name", &Value::from(name), message),
                )
                .help(format!("{} names: {}", o.id.kind, rule.help()));
            }
            // The CronJob controller names each Job `<cronjob>-<minutes>`, which must fit 63.
            if (group, o.id.kind.as_str()) == ("batch", "CronJob") && name.len() > 52 {
                sink.report(
                    o,
                    "/metadata/name",
                    invalid(
                        "metadata.name",
                        &Value::from(name),
                        "must be no more than 52 characters",
                    ),
                )
                .help("shorten the name: the Jobs of a CronJob are named after it with an 11-character suffix");
            }
            // A Job's name becomes the value of its pods' job-name label.
            if (group, o.id.kind.as_str()) == ("batch", "Job")
                && name.len() > 63
                && o.value
                    .lookup("/spec/manualSelector")
                    .is_none_or(|m| m != &Value::Bool(true))
            {
                sink.report(
                    o,
                    "/metadata/name",
                    invalid(
                        "spec.template.labels",
                        &Value::from(name),
                        "must be no more than 63 characters",
                    ),
                )
                .help("shorten the name to 63 characters: the API server puts it in the `batch.kubernetes.io/job-name` label of the Job's pods");
            }
        }
    },
};

pub static MD_02: Rule = Rule {
    id: "MD-02",
    name: "generate-name",
    severity: Severity::Error,
    doc: "metadata.generateName must be a valid name prefix for the kind (a trailing '-' allowed)",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(prefix) = meta_str(o, "/metadata/generateName").filter(|s| !s.is_empty())
            else {
                continue;
            };
            let (rule, _) = kind_rules(o.id.group(), &o.id.kind);
            for message in rule.errors(prefix, true) {
                sink.report(
                    o,
                    "/metadata/generateName",
                    invalid("metadata.generateName", &Value::from(prefix), message),
                )
                .help(format!(
                    "{} names: {}; the API server appends five random characters",
                    o.id.kind,
                    rule.help()
                ));
            }
        }
    },
};

pub static MD_03: Rule = Rule {
    id: "MD-03",
    name: "namespace-name",
    severity: Severity::Error,
    doc: "metadata.namespace must be a DNS-1123 label (lower-case letters, digits and '-', at most 63)",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(ns) = meta_str(o, "/metadata/namespace").filter(|s| !s.is_empty()) else {
                continue;
            };
            // The API server clears the namespace of a cluster-scoped object; an unknown
            // kind's scope is unknown.
            if ctx.schemas.namespaced(&o.id.api_version, &o.id.kind) != Some(true) {
                continue;
            }
            for message in k8s::dns1123_label_errors(ns) {
                sink.report(
                    o,
                    "/metadata/namespace",
                    invalid("metadata.namespace", &Value::from(ns), message),
                )
                .help("namespace names are lower-case letters, digits and '-', starting and ending with a letter or digit (at most 63 characters)");
            }
        }
    },
};

pub static MD_04: Rule = Rule {
    id: "MD-04",
    name: "label-syntax",
    severity: Severity::Error,
    doc: "label keys must be qualified names ([prefix/]name) and label values at most 63 letters, digits, '-', '_' or '.'",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(labels) = meta_map(o, "/metadata/labels") else {
                continue;
            };
            for (k, v) in labels {
                let at = format!("/metadata/labels/{}", escape_segment(k));
                for message in k8s::qualified_name_errors(k) {
                    sink.report(o, &at, invalid("metadata.labels", &Value::from(k.as_str()), message))
                        .help("label keys are `name` or `prefix/name`: a name of at most 63 letters, digits, '-', '_' or '.', a prefix like example.com");
                }
                let Some(value) = v.as_str() else {
                    continue;
                };
                for message in k8s::label_value_errors(value) {
                    sink.report(o, &at, invalid("metadata.labels", v, message))
                        .help("label values are empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit; put free text in an annotation");
                }
            }
        }
    },
};

/// apimachinery's `TotalAnnotationSizeLimitB`.
const ANNOTATIONS_MAX: usize = 256 * 1024;

pub static MD_05: Rule = Rule {
    id: "MD-05",
    name: "annotation-syntax",
    severity: Severity::Error,
    doc: "annotation keys must be qualified names (any case), and all annotations together at most 256 KiB",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(annotations) = meta_map(o, "/metadata/annotations") else {
                continue;
            };
            let mut size = 0;
            for (k, v) in annotations {
                size += k.len() + v.as_str().map_or(0, str::len);
                let lower;
                let key = if k.bytes().any(|b| b.is_ascii_uppercase()) {
                    lower = k.to_lowercase();
                    lower.as_str()
                } else {
                    k.as_str()
                };
                for message in k8s::qualified_name_errors(key) {
                    sink.report(
                        o,
                        &format!("/metadata/annotations/{}", escape_segment(k)),
                        invalid("metadata.annotations", &Value::from(k.as_str()), message),
                    )
                    .help("annotation keys are `name` or `prefix/name`: a name of at most 63 letters, digits, '-', '_' or '.', a prefix like example.com");
                }
            }
            if size > ANNOTATIONS_MAX {
                sink.report(
                    o,
                    "/metadata/annotations",
                    format!("metadata.annotations: Too long: must have at most {ANNOTATIONS_MAX} bytes"),
                )
                .help(format!(
                    "the annotations hold {size} bytes; move large content (a last-applied-configuration, a dashboard) elsewhere, e.g. into a ConfigMap"
                ));
            }
        }
    },
};

pub static MD_06: Rule = Rule {
    id: "MD-06",
    name: "owner-references",
    severity: Severity::Error,
    doc: "each ownerReference needs apiVersion (with a version), kind, name and uid, and at most one is the controller",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(refs) = meta_list(o, "/metadata/ownerReferences") else {
                continue;
            };
            let mut controller: Option<String> = None;
            for (i, r) in refs.iter().enumerate() {
                let Some(r) = r.as_object() else {
                    continue;
                };
                let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
                let at = format!("/metadata/ownerReferences/{i}");
                let api_version = text("apiVersion");
                // schema.ParseGroupVersion: `v`, `g/v`; anything else has no version.
                let version = match api_version.split('/').collect::<Vec<_>>().as_slice() {
                    [v] => *v,
                    [_, v] => *v,
                    _ => "",
                };
                let mut problems = Vec::new();
                if version.is_empty() {
                    problems.push(("apiVersion", api_version, "version must not be empty"));
                }
                for key in ["kind", "name", "uid"] {
                    if text(key).is_empty() {
                        problems.push((key, text(key), "must not be empty"));
                    }
                }
                for (key, value, detail) in problems {
                    let pointer = if r.contains_key(key) {
                        format!("{at}/{key}")
                    } else {
                        at.clone()
                    };
                    sink.report(
                        o,
                        &pointer,
                        invalid(
                            &format!("metadata.ownerReferences.{key}"),
                            &Value::from(value),
                            detail,
                        ),
                    )
                    .help("an owner reference names its owner by apiVersion, kind, name and uid; leave ownerReferences to the controllers that set them");
                }
                if r.get("controller") == Some(&Value::Bool(true)) {
                    let this = format!("{}/{}", text("kind"), text("name"));
                    match &controller {
                        None => controller = Some(this),
                        Some(first) => {
                            sink.report(
                                o,
                                &format!("{at}/controller"),
                                invalid(
                                    "metadata.ownerReferences",
                                    &Value::Array(refs.clone()),
                                    &format!("Only one reference can have Controller set to true. Found \"true\" in references for {first} and {this}"),
                                ),
                            )
                            .help("an object has at most one controlling owner");
                        }
                    }
                }
            }
        }
    },
};

/// The finalizers Kubernetes itself defines (`IsStandardFinalizerName`).
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

pub static MD_07: Rule = Rule {
    id: "MD-07",
    name: "finalizer-names",
    severity: Severity::Error,
    doc: "finalizers must be qualified names (on Kubernetes kinds, domain-qualified unless standard), and not both orphan and foregroundDeletion",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            let Some(finalizers) = meta_list(o, "/metadata/finalizers") else {
                continue;
            };
            let (_, core) = kind_rules(o.id.group(), &o.id.kind);
            let names: Vec<&str> = finalizers.iter().filter_map(Value::as_str).collect();
            for (i, f) in finalizers.iter().enumerate() {
                let Some(name) = f.as_str() else {
                    continue;
                };
                let at = format!("/metadata/finalizers/{i}");
                for message in k8s::qualified_name_errors(name) {
                    sink.report(o, &at, invalid("metadata.finalizers", f, message))
                        .help("finalizers are qualified names, e.g. example.com/cleanup");
                }
                if core && !name.contains('/') && !STANDARD_FINALIZERS.contains(&name) {
                    sink.report(
                        o,
                        &at,
                        invalid(
                            &format!("metadata.finalizers[{i}]"),
                            f,
                            "name is neither a standard finalizer name nor is it fully qualified",
                        ),
                    )
                    .help("qualify the finalizer with a domain, e.g. example.com/cleanup");
                }
            }
            if names.contains(&"orphan") && names.contains(&"foregroundDeletion") {
                sink.report(
                    o,
                    "/metadata/finalizers",
                    format!(
                        "metadata.finalizers: Invalid value: {}: finalizer orphan and foregroundDeletion cannot be both set",
                        go_value(&Value::Array(finalizers.clone()))
                    ),
                )
                .help("keep one: orphan leaves the dependents, foregroundDeletion deletes them first");
            }
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules_by_kind() {
        assert_eq!(kind_rules("", "Service").0, NameRule::Dns1035);
        assert_eq!(kind_rules("apps", "StatefulSet").0, NameRule::Label);
        assert_eq!(kind_rules("argoproj.io", "Rollout").0, NameRule::Subdomain);
        assert_eq!(
            kind_rules("rbac.authorization.k8s.io", "ClusterRole").0,
            NameRule::PathSegment
        );
        assert_eq!(kind_rules("", "Event").0, NameRule::PathSegment);
        assert_eq!(
            kind_rules("storage.k8s.io", "StorageClass").0,
            NameRule::PathSegment
        );
        assert_eq!(kind_rules("example.com", "Widget").0, NameRule::Subdomain);
    }

    #[test]
    fn generate_name_prefixes() {
        assert!(NameRule::Subdomain.errors("shop-", true).is_empty());
        assert!(!NameRule::Subdomain.errors("shop-", false).is_empty());
        assert!(!NameRule::Subdomain.errors("Shop-", true).is_empty());
        assert!(NameRule::Dns1035.errors("svc-", true).is_empty());
        assert!(NameRule::PathSegment.errors("..", true).is_empty());
    }
}

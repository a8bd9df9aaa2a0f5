//! The kinds rollwright knows: group, version, resource plural and scope, so the live side
//! needs no discovery round trip per object, and reading and the rules know which kinds are
//! namespaced.

use serde_json::Value;

/// One kind and how the API serves it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindInfo {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    /// Whether the plural and scope came from the table, not a guess.
    pub known: bool,
}

impl KindInfo {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `rollouts.argoproj.io`, `services`: how RBAC and `kubectl auth can-i` name it.
    pub fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// (group, version, kind, plural, namespaced): the kinds rollwright renders, the kinds that sit
/// beside a Rollout in a release, and the kinds a live diff reads for context.
const KNOWN: &[(&str, &str, &str, &str, bool)] = &[
    ("argoproj.io", "v1alpha1", "Rollout", "rollouts", true),
    (
        "argoproj.io",
        "v1alpha1",
        "AnalysisTemplate",
        "analysistemplates",
        true,
    ),
    (
        "argoproj.io",
        "v1alpha1",
        "ClusterAnalysisTemplate",
        "clusteranalysistemplates",
        false,
    ),
    (
        "argoproj.io",
        "v1alpha1",
        "AnalysisRun",
        "analysisruns",
        true,
    ),
    ("argoproj.io", "v1alpha1", "Experiment", "experiments", true),
    ("", "v1", "Service", "services", true),
    ("", "v1", "ConfigMap", "configmaps", true),
    ("", "v1", "Secret", "secrets", true),
    ("", "v1", "ServiceAccount", "serviceaccounts", true),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
    ),
    ("", "v1", "Pod", "pods", true),
    ("", "v1", "Namespace", "namespaces", false),
    ("apps", "v1", "Deployment", "deployments", true),
    ("apps", "v1", "StatefulSet", "statefulsets", true),
    ("apps", "v1", "DaemonSet", "daemonsets", true),
    ("apps", "v1", "ReplicaSet", "replicasets", true),
    ("batch", "v1", "Job", "jobs", true),
    ("batch", "v1", "CronJob", "cronjobs", true),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    ),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", true),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
    ),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    (
        "networking.istio.io",
        "v1",
        "VirtualService",
        "virtualservices",
        true,
    ),
    (
        "networking.istio.io",
        "v1",
        "DestinationRule",
        "destinationrules",
        true,
    ),
    (
        "monitoring.coreos.com",
        "v1",
        "ServiceMonitor",
        "servicemonitors",
        true,
    ),
    ("", "v1", "LimitRange", "limitranges", true),
    ("", "v1", "ResourceQuota", "resourcequotas", true),
    ("", "v1", "Endpoints", "endpoints", true),
    (
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
    ),
    ("", "v1", "PersistentVolume", "persistentvolumes", false),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
    ),
    (
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
    ),
    ("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
    ),
    ("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", true),
    (
        "gateway.networking.k8s.io",
        "v1",
        "HTTPRoute",
        "httproutes",
        true,
    ),
    (
        "gateway.networking.k8s.io",
        "v1",
        "Gateway",
        "gateways",
        true,
    ),
    ("cert-manager.io", "v1", "Certificate", "certificates", true),
    (
        "cert-manager.io",
        "v1",
        "ClusterIssuer",
        "clusterissuers",
        false,
    ),
];

/// Group and version of an `apiVersion`, read as the API machinery reads it
/// (`ParseGroupVersion`): `v1` and `/v1` are the core group, `apps/v1` the group `apps`;
/// more than one `/`, or nothing at all, is not an apiVersion.
pub fn parse_api_version(api_version: &str) -> Option<(&str, &str)> {
    let s = api_version.trim();
    if s.is_empty() || s == "/" {
        return None;
    }
    match s.split_once('/') {
        None => Some(("", s)),
        Some((_, v)) if v.contains('/') => None,
        Some((g, v)) => Some((g, v)),
    }
}

/// The group of an `apiVersion` (`""` for the core group, and for one that does not parse).
pub fn group_of(api_version: &str) -> &str {
    parse_api_version(api_version).map_or("", |(g, _)| g)
}

/// How the API serves `kind` of `api_version`. The version is the object's own (the server
/// converts between served versions); unknown kinds get the plural kubectl would guess and
/// are taken as namespaced.
pub fn info(api_version: &str, kind: &str) -> KindInfo {
    let (group, version) = parse_api_version(api_version).unwrap_or(("", ""));
    match KNOWN.iter().find(|k| k.0 == group && k.2 == kind) {
        Some(&(g, _, k, plural, namespaced)) => KindInfo {
            group: g.into(),
            version: version.into(),
            kind: k.into(),
            plural: plural.into(),
            namespaced,
            known: true,
        },
        None => KindInfo {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: guess_plural(kind),
            namespaced: true,
            known: false,
        },
    }
}

/// A known kind by group and kind, at the version in the table.
pub fn known(group: &str, kind: &str) -> KindInfo {
    let (g, v, _, _, _) = KNOWN
        .iter()
        .find(|k| k.0 == group && k.2 == kind)
        .expect("a kind from the table");
    let api_version = if g.is_empty() {
        v.to_string()
    } else {
        format!("{g}/{v}")
    };
    info(&api_version, kind)
}

/// Whether objects of this kind live in a namespace (unknown kinds are taken as namespaced,
/// as most custom kinds are).
pub fn is_namespaced_kind(object: &Value) -> bool {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    info(api_version, kind).namespaced
}

/// kubectl's guess (`UnsafeGuessKindToResource`): lower-case, then English plural endings.
fn guess_plural(kind: &str) -> String {
    let lower = kind.to_lowercase();
    if lower.ends_with('s')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
        || lower.ends_with('x')
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_guessed() {
        let r = info("argoproj.io/v1alpha1", "Rollout");
        assert_eq!(
            (r.plural.as_str(), r.namespaced, r.resource().as_str()),
            ("rollouts", true, "rollouts.argoproj.io")
        );
        assert!(!info("argoproj.io/v1alpha1", "ClusterAnalysisTemplate").namespaced);
        assert_eq!(info("v1", "Service").api_version(), "v1");
        assert_eq!(info("example.com/v1", "Policy").plural, "policies");
        assert_eq!(info("example.com/v1", "Gateway").plural, "gateways");
        assert_eq!(info("example.com/v1", "Ingress").plural, "ingresses");
        assert_eq!(
            known("autoscaling", "HorizontalPodAutoscaler").version,
            "v2"
        );
        // `/v1` is the core group, as the API machinery reads it.
        assert_eq!(info("/v1", "Secret").resource(), "secrets");
        assert!(!info("storage.k8s.io/v1", "StorageClass").namespaced);
    }

    #[test]
    fn api_versions_parse_as_the_api_machinery_parses_them() {
        assert_eq!(parse_api_version("v1"), Some(("", "v1")));
        assert_eq!(parse_api_version("/v1"), Some(("", "v1")));
        assert_eq!(parse_api_version(" apps/v1 "), Some(("apps", "v1")));
        assert_eq!(parse_api_version("a/b/v1"), None);
        assert_eq!(parse_api_version(""), None);
        assert_eq!(group_of("argoproj.io/v1alpha1"), "argoproj.io");
    }
}

//! Which apiVersions the API server serves for a kind: the Kubernetes API versions removed in
//! past releases (the Kubernetes deprecated-API migration guide), and what is known of a
//! kind rollwright has a schema for in another version of its group.

/// How an apiVersion/kind pair stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindLookup {
    /// A schema checks it.
    Known,
    /// The API server refuses it: this version of the kind is not served (it never was, or
    /// Kubernetes removed it).
    Unserved {
        /// The apiVersions that serve the kind.
        served: Vec<String>,
        /// The Kubernetes release that removed this version.
        removed_in: Option<&'static str>,
    },
    /// Perhaps served, but rollwright has no schema for it.
    NoSchema {
        /// apiVersions of the same group where rollwright checks the kind.
        other_versions: Vec<String>,
        /// A kind of the same group with a similar name.
        similar_kind: Option<String>,
    },
}

/// API versions Kubernetes removed: apiVersion, kind, the release that removed it, and its
/// replacement.
const REMOVED: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        "1.22",
        "apiregistration.k8s.io/v1",
    ),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        "1.22",
        "certificates.k8s.io/v1",
    ),
    (
        "coordination.k8s.io/v1beta1",
        "Lease",
        "1.22",
        "coordination.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSINode",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        "1.22",
        "storage.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    (
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        "1.25",
        "discovery.k8s.io/v1",
    ),
    ("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", ""),
    (
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        "1.25",
        "node.k8s.io/v1",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        "1.27",
        "storage.k8s.io/v1",
    ),
];

/// Versions served besides the one rollwright has a schema for.
const ALSO_SERVED: &[(&str, &str)] = &[("autoscaling/v1", "HorizontalPodAutoscaler")];

/// Built-in kinds without a namespace.
pub(crate) fn builtin_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace" | "ClusterRole" | "ClusterRoleBinding" | "ClusterAnalysisTemplate"
    )
}

/// Built-in kinds whose `status` the API server drops on create and keeps on update: the
/// Kubernetes kinds that have a status (each resets it in its create strategy), and the
/// Rollout, whose CRD declares a status subresource. AnalysisRun and Experiment CRDs have
/// none: their status is stored as written, and checked.
pub(crate) fn builtin_status_ignored(api_version: &str, kind: &str) -> bool {
    if api_version.starts_with("argoproj.io/") {
        kind == "Rollout"
    } else {
        true
    }
}

fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Where `api_version`/`kind`, which no schema checks, stands, given every apiVersion/kind
/// pair with a schema (`--crds` ones first).
pub(crate) fn lookup<'a>(
    api_version: &str,
    kind: &str,
    known: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> KindLookup {
    if let Some(&(_, _, removed_in, replacement)) = REMOVED
        .iter()
        .find(|(v, k, ..)| *v == api_version && *k == kind)
    {
        return KindLookup::Unserved {
            served: [replacement]
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            removed_in: Some(removed_in),
        };
    }
    let g = group(api_version);
    let mut versions: Vec<String> = known
        .clone()
        .filter(|(v, k)| *k == kind && group(v) == g)
        .map(|(v, _)| v.to_owned())
        .collect();
    versions.sort();
    versions.dedup();
    let also_served = ALSO_SERVED
        .iter()
        .any(|(v, k)| *v == api_version && *k == kind);
    if !versions.is_empty() && !also_served {
        // Every served version of a kind with a schema has one: built-in kinds list theirs
        // (and ALSO_SERVED the others), and a CRD gives a schema to each version it serves.
        return KindLookup::Unserved {
            served: versions,
            removed_in: None,
        };
    }
    // A typo, not another project's kind of the same group (Argo CD's `Application` is no
    // misspelt `AnalysisRun`): a small edit distance, ignoring case.
    let similar_kind = known
        .filter(|(v, k)| group(v) == g && *k != kind)
        .map(|(_, k)| {
            (
                strsim::damerau_levenshtein(&k.to_lowercase(), &kind.to_lowercase()),
                k,
            )
        })
        .filter(|(d, k)| *d <= 2.min(k.len() / 4))
        .min()
        .map(|(_, k)| k.to_owned());
    KindLookup::NoSchema {
        other_versions: versions,
        similar_kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, &str)] = &[
        ("argoproj.io/v1alpha1", "Rollout"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("apps/v1", "Deployment"),
    ];

    fn look(v: &str, k: &str) -> KindLookup {
        lookup(v, k, KNOWN.iter().copied())
    }

    #[test]
    fn versions() {
        assert_eq!(
            look("argoproj.io/v1", "Rollout"),
            KindLookup::Unserved {
                served: vec!["argoproj.io/v1alpha1".into()],
                removed_in: None
            }
        );
        assert_eq!(
            look("extensions/v1beta1", "Deployment"),
            KindLookup::Unserved {
                served: vec!["apps/v1".into()],
                removed_in: Some("1.16")
            }
        );
        assert_eq!(
            look("autoscaling/v1", "HorizontalPodAutoscaler"),
            KindLookup::NoSchema {
                other_versions: vec!["autoscaling/v2".into()],
                similar_kind: None
            }
        );
        assert_eq!(
            look("argoproj.io/v1alpha1", "Rolout"),
            KindLookup::NoSchema {
                other_versions: vec![],
                similar_kind: Some("Rollout".into())
            }
        );
        assert_eq!(
            look("argoproj.io/v1alpha1", "Application"),
            KindLookup::NoSchema {
                other_versions: vec![],
                similar_kind: None
            }
        );
    }
}

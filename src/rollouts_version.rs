//! Argo Rollouts controller releases: which one a run's verdicts assume, and the rules whose
//! verdict differs between them.
//!
//! The facts come from the controller's history, tag by tag:
//! `pkg/apis/rollouts/validation/validation.go`, `utils/analysis/factory.go` and
//! `manifests/crds/*.yaml` at `v1.6.6`, `v1.7.2`, `v1.8.4`, `v1.9.1` and the main branch
//! (commit `9f8d111`, after `v1.10.0-rc1`). Patch releases of one minor release validate
//! alike, so a version is a minor release. `docs/rollouts-versions.md` lists every change with
//! its evidence; a test keeps that page and [`CHANGES`] in step.

use std::fmt;
use std::str::FromStr;

/// A minor release of the Argo Rollouts controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RolloutsVersion {
    V1_6,
    V1_7,
    V1_8,
    /// The newest release (`v1.9.1`), assumed unless told otherwise.
    #[default]
    V1_9,
    /// The next release as the main branch has it (`v1.10.0-rc1` and after).
    V1_10,
}

use RolloutsVersion::*;

impl RolloutsVersion {
    pub const ALL: [RolloutsVersion; 5] = [V1_6, V1_7, V1_8, V1_9, V1_10];

    /// `1.9`.
    pub fn as_str(self) -> &'static str {
        match self {
            V1_6 => "1.6",
            V1_7 => "1.7",
            V1_8 => "1.8",
            V1_9 => "1.9",
            V1_10 => "1.10",
        }
    }

    /// Reads `1.9`, `v1.9`, `1.9.1` or `v1.10.0-rc1`: the minor release is what counts.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let mut parts = t.splitn(3, '.');
        let major = parts.next()?;
        let minor = parts.next()?;
        if let Some(rest) = parts.next() {
            let patch = rest.split(['-', '+']).next().unwrap_or("");
            if patch.is_empty() || !patch.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        if major != "1" {
            return None;
        }
        Self::ALL.into_iter().find(|v| v.as_str()[2..] == *minor)
    }

    /// The supported versions, for messages: `1.6, 1.7, 1.8, 1.9, 1.10`.
    pub fn supported() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }

    /// `1.9` for the report: the release, and for the default that it is the newest.
    pub fn describe(self) -> String {
        match self {
            V1_10 => "Argo Rollouts 1.10 (main branch)".into(),
            v => format!("Argo Rollouts {}", v.as_str()),
        }
    }
}

impl fmt::Display for RolloutsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl serde::Serialize for RolloutsVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for RolloutsVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| {
            format!(
                "`{s}` is not an Argo Rollouts release rollwright knows; use one of {}",
                Self::supported()
            )
        })
    }
}

/// A rule whose verdict changed in release `since`.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub rules: &'static [&'static str],
    pub since: RolloutsVersion,
    /// What releases before `since` do differently.
    pub before: &'static str,
    /// The file and tags that show it.
    pub evidence: &'static str,
}

/// Every verdict that changed between 1.6 and the newest release (and the main branch).
pub const CHANGES: &[Change] = &[
    Change {
        rules: &["C-03"],
        since: V1_7,
        before: "pingPong needs the ALB router (\"Ping-pong feature works with the ALB traffic routing only\")",
        evidence: "validation.go: PingPongWithAlbOnlyMessage at v1.6.6, PingPongWithRouterOnlyMessage (ALB or Istio) at v1.7.0",
    },
    Change {
        rules: &["C-03"],
        since: V1_10,
        before: "pingPong needs the ALB or Istio router; a plugin router is refused (\"Ping-pong feature works with the ALB and Istio traffic routers only\")",
        evidence: "validation.go: plugins accepted on main (9f8d111), not at v1.9.1",
    },
    Change {
        rules: &["C-08"],
        since: V1_7,
        before: "every trafficRouting except Istio with a destinationRule (or pingPong) needs stableService and canaryService, a plugin router too",
        evidence: "validation.go requireCanaryStableServices: v1.6.6 returns true for any router, v1.7.0 lists the routers",
    },
    Change {
        rules: &["C-12", "C-15"],
        since: V1_7,
        before: "trafficRouting.maxTrafficWeight does not exist (API-07) and setWeight is checked against 100 (\"SetWeight needs to be between 0 and 100\")",
        evidence: "validation.go InvalidSetWeightMessage and InvalidCanaryMaxWeightOnlySupportInNginxAndPlugins, v1.6.6 → v1.7.0; rollout-crd.yaml",
    },
    Change {
        rules: &["C-18"],
        since: V1_7,
        before: "setHeaderRoute with a plugin router is refused",
        evidence: "validation.go: `len(trafficRouting.Plugins) == 0` added to the setHeaderRoute check at v1.7.0",
    },
    Change {
        rules: &["C-13", "C-14"],
        since: V1_8,
        before: "a step has no `plugin` (API-07), and the message reads \"Step must have one of the following set: experiment, setWeight, setCanaryScale or pause\"",
        evidence: "validation.go InvalidStepMessage, v1.7.2 → v1.8.0; rollout-crd.yaml steps[].plugin",
    },
    Change {
        rules: &["C-26"],
        since: V1_8,
        before: "experiment template weight with a plugin router is refused (\"… with SMI, ALB, and Istio at this time\")",
        evidence: "validation.go: plugins accepted for experiment template weight at v1.8.0",
    },
    Change {
        rules: &["C-21"],
        since: V1_10,
        before: "setMirrorRoute needs the Istio router (\"SetMirrorRoute requires TrafficRouting, supports Istio only\")",
        evidence: "validation.go InvalidSetMirrorRouteTrafficPolicy: Istio only at v1.9.1, Istio and plugins on main (9f8d111)",
    },
    Change {
        rules: &["AR-04", "AR-05", "AR-06", "AR-09", "AR-10"],
        since: V1_8,
        before: "no consecutiveSuccessLimit (API-07); failureLimit must be >= 0 (-1 is refused); count must be >= failureLimit",
        evidence: "utils/analysis/factory.go ValidateMetric, v1.7.2 → v1.8.0; analysis-template-crd.yaml metrics[].consecutiveSuccessLimit",
    },
    Change {
        rules: &["API-07"],
        since: V1_7,
        before: "fields added in a later release are unknown to the CRDs (ADDED_FIELDS)",
        evidence: "manifests/crds/*.yaml, v1.6.6 → v1.7.0",
    },
    Change {
        rules: &["API-07"],
        since: V1_8,
        before: "fields added in a later release are unknown to the CRDs (ADDED_FIELDS)",
        evidence: "manifests/crds/*.yaml, v1.7.2 → v1.8.0",
    },
    Change {
        rules: &["API-07"],
        since: V1_9,
        before: "fields added in a later release are unknown to the CRDs (ADDED_FIELDS)",
        evidence: "manifests/crds/*.yaml, v1.8.4 → v1.9.0",
    },
    Change {
        rules: &["API-07"],
        since: V1_10,
        before: "fields added in a later release are unknown to the CRDs (ADDED_FIELDS)",
        evidence: "manifests/crds/*.yaml, v1.9.1 → main (9f8d111)",
    },
    Change {
        rules: &["API-01"],
        since: V1_7,
        before: "an AnalysisTemplate needs spec.metrics, and a Datadog metric needs query",
        evidence: "analysis-template-crd.yaml, cluster-analysis-template-crd.yaml: `required: [metrics]` and datadog `required: [query]` at v1.6.6, gone at v1.7.0",
    },
    Change {
        rules: &["API-01"],
        since: V1_9,
        before: "a Kayenta scope needs start and end",
        evidence: "analysis-template-crd.yaml kayenta.scopes[].controlScope/experimentScope required, v1.8.4 → v1.9.0",
    },
];

/// The changes that touch `rule`.
pub fn changes_of(rule: &str) -> impl Iterator<Item = &'static Change> + '_ {
    CHANGES.iter().filter(move |c| c.rules.contains(&rule))
}

/// A field of an Argo Rollouts kind that a release added: older CRDs do not know it.
#[derive(Debug, Clone, Copy)]
pub struct AddedField {
    pub kinds: &'static [&'static str],
    /// JSON pointer with `*` for any list item.
    pub pointer: &'static str,
    pub since: RolloutsVersion,
}

const ANALYSIS: &[&str] = &["AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun"];
const TEMPLATES: &[&str] = &["AnalysisTemplate", "ClusterAnalysisTemplate"];
const ROLLOUT: &[&str] = &["Rollout"];

/// The fields added to the CRDs since 1.6 (pod template fields, which follow the Kubernetes
/// libraries of each release, left out).
pub const ADDED_FIELDS: &[AddedField] = &[
    field(
        ROLLOUT,
        "/spec/strategy/canary/steps/*/experiment/analysisRunMetadata",
        V1_7,
    ),
    field(
        ROLLOUT,
        "/spec/strategy/canary/steps/*/experiment/dryRun",
        V1_7,
    ),
    field(
        ROLLOUT,
        "/spec/strategy/canary/trafficRouting/maxTrafficWeight",
        V1_7,
    ),
    field(ROLLOUT, "/spec/workloadRef/scaleDown", V1_7),
    field(&["Experiment"], "/spec/analysisRunMetadata", V1_7),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/datadog/aggregator",
        V1_7,
    ),
    field(ANALYSIS, "/spec/metrics/*/provider/datadog/formula", V1_7),
    field(ANALYSIS, "/spec/metrics/*/provider/datadog/queries", V1_7),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/prometheus/authentication/oauth2",
        V1_7,
    ),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/web/authentication",
        V1_7,
    ),
    field(TEMPLATES, "/spec/templates", V1_7),
    field(&["AnalysisRun"], "/spec/ttlStrategy", V1_7),
    field(ROLLOUT, "/spec/strategy/canary/steps/*/plugin", V1_8),
    field(
        ROLLOUT,
        "/spec/strategy/canary/trafficRouting/nginx/canaryIngressAnnotations",
        V1_8,
    ),
    field(ANALYSIS, "/spec/metrics/*/consecutiveSuccessLimit", V1_8),
    field(ANALYSIS, "/spec/metrics/*/provider/datadog/secretRef", V1_8),
    field(ANALYSIS, "/spec/metrics/*/provider/newRelic/timeout", V1_8),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/prometheus/rangeQuery",
        V1_8,
    ),
    field(
        ROLLOUT,
        "/spec/strategy/canary/replicaProgressThreshold",
        V1_9,
    ),
    field(
        ROLLOUT,
        "/spec/strategy/canary/steps/*/experiment/scaleDownDelaySeconds",
        V1_9,
    ),
    field(
        ROLLOUT,
        "/spec/strategy/canary/trafficRouting/istio/destinationRule/additionalSubsetNames",
        V1_9,
    ),
    field(ANALYSIS, "/spec/metrics/*/provider/kayenta/lookback", V1_9),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/datadog/requestTimeout",
        V1_10,
    ),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/prometheus/authentication/basicAuth",
        V1_10,
    ),
    field(
        ANALYSIS,
        "/spec/metrics/*/provider/web/authentication/basicAuth",
        V1_10,
    ),
];

const fn field(
    kinds: &'static [&'static str],
    pointer: &'static str,
    since: RolloutsVersion,
) -> AddedField {
    AddedField {
        kinds,
        pointer,
        since,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_releases_and_tags() {
        assert_eq!(RolloutsVersion::parse("1.9"), Some(V1_9));
        assert_eq!(RolloutsVersion::parse("v1.7"), Some(V1_7));
        assert_eq!(RolloutsVersion::parse("1.8.4"), Some(V1_8));
        assert_eq!(RolloutsVersion::parse("v1.10.0-rc1"), Some(V1_10));
        assert_eq!(RolloutsVersion::parse("1.1"), None);
        assert_eq!(RolloutsVersion::parse("1.5"), None);
        assert_eq!(RolloutsVersion::parse("2.0"), None);
        assert_eq!(RolloutsVersion::parse("1.9.x"), None);
        assert_eq!(RolloutsVersion::parse("latest"), None);
        assert_eq!(RolloutsVersion::default(), V1_9);
        assert!(V1_6 < V1_10);
        let err = "1.5".parse::<RolloutsVersion>().unwrap_err();
        assert!(err.contains("1.6, 1.7, 1.8, 1.9, 1.10"), "{err}");
    }

    #[test]
    fn changes_name_rules_of_the_registry() {
        for c in CHANGES {
            for id in c.rules {
                assert!(crate::rules::find(id).is_some(), "{id}");
            }
            assert!(c.since > V1_6);
        }
    }
}

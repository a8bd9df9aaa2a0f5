//! Blue-green strategy rules (`ValidateRolloutStrategyBlueGreen` in the controller).

use crate::rules::util::Lookup as _;
use serde_json::{Value, json};

use super::util::{int, invalid};
use super::{Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&BG_01, &BG_02, &BG_03, &BG_04, &BG_05];

const BG: &str = "/spec/strategy/blueGreen";

pub static BG_01: Rule = Rule {
    id: "BG-01",
    name: "distinct-active-preview-services",
    severity: Severity::Error,
    doc: "activeService and previewService must name two different Services (both empty counts as the same)",
    check: |ctx, sink| {
        for (rollout, bg) in ctx.blue_greens() {
            let active = bg
                .get("activeService")
                .and_then(Value::as_str)
                .unwrap_or("");
            let preview = bg
                .get("previewService")
                .and_then(Value::as_str)
                .unwrap_or("");
            if active == preview {
                let at = if bg.get("previewService").is_some() {
                    "previewService"
                } else {
                    "activeService"
                };
                sink.report(
                    rollout,
                    &format!("{BG}/{at}"),
                    invalid(
                        "spec.strategy.activeService",
                        &json!(active),
                        "This rollout uses the same service for the active and preview services, but two different services are required.",
                    ),
                )
                .help("name two different Services: activeService takes production traffic, previewService shows the new version before promotion");
            }
        }
    },
};

pub static BG_02: Rule = Rule {
    id: "BG-02",
    name: "scale-down-limit-within-history",
    severity: Severity::Error,
    doc: "scaleDownDelayRevisionLimit must not exceed revisionHistoryLimit (default 10)",
    check: |ctx, sink| {
        for (rollout, bg) in ctx.blue_greens() {
            let Some(limit) = int(bg.get("scaleDownDelayRevisionLimit")) else {
                continue;
            };
            let history = int(rollout.value.lookup("/spec/revisionHistoryLimit")).unwrap_or(10);
            if history < limit {
                sink.report(
                    rollout,
                    &format!("{BG}/scaleDownDelayRevisionLimit"),
                    invalid(
                        "spec.strategy.scaleDownDelayRevisionLimit",
                        &json!(limit),
                        "This rollout's revision history limit can not be smaller than the rollout's scale down limit",
                    ),
                )
                .help(format!("lower scaleDownDelayRevisionLimit to at most {history}, or raise spec.revisionHistoryLimit"));
            }
        }
    },
};

pub static BG_03: Rule = Rule {
    id: "BG-03",
    name: "anti-affinity-one-kind",
    severity: Severity::Error,
    doc: "antiAffinity must set exactly one of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution",
    check: |ctx, sink| {
        for (rollout, bg) in ctx.blue_greens() {
            check_anti_affinity(sink, rollout, bg, BG);
        }
    },
};

/// BG-03 and the canary twin C-28 share the controller's check.
pub fn check_anti_affinity(sink: &mut Sink<'_>, rollout: &Object, strategy: &Value, base: &str) {
    let Some(aa) = strategy.get("antiAffinity").filter(|v| !v.is_null()) else {
        return;
    };
    let preferred = aa
        .get("preferredDuringSchedulingIgnoredDuringExecution")
        .is_some_and(|v| !v.is_null());
    let required = aa
        .get("requiredDuringSchedulingIgnoredDuringExecution")
        .is_some_and(|v| !v.is_null());
    if preferred != required {
        return;
    }
    let value = format!(
        "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: {preferred} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: {required}"
    );
    sink.report(
        rollout,
        &format!("{base}/antiAffinity"),
        invalid("spec.strategy.antiAffinity", &json!(value), "AntiAffinity must have exactly one strategy listed"),
    )
    .help("keep either `requiredDuringSchedulingIgnoredDuringExecution: {}` or `preferredDuringSchedulingIgnoredDuringExecution: {weight: N}`");
}

pub static BG_04: Rule = Rule {
    id: "BG-04",
    name: "anti-affinity-weight-range",
    severity: Severity::Error,
    doc: "a preferred antiAffinity weight must be between 1 and 100",
    check: |ctx, sink| {
        for (rollout, bg) in ctx.blue_greens() {
            check_anti_affinity_weight(sink, rollout, bg, BG);
        }
    },
};

/// BG-04 and the canary twin C-29 share the controller's check.
pub fn check_anti_affinity_weight(
    sink: &mut Sink<'_>,
    rollout: &Object,
    strategy: &Value,
    base: &str,
) {
    let Some(preferred) = strategy
        .lookup("/antiAffinity/preferredDuringSchedulingIgnoredDuringExecution")
        .filter(|v| v.is_object())
    else {
        return;
    };
    let weight = int(preferred.get("weight")).unwrap_or(0);
    if !(1..=100).contains(&weight) {
        let at = if preferred.get("weight").is_some() {
            "/weight"
        } else {
            ""
        };
        sink.report(
            rollout,
            &format!("{base}/antiAffinity/preferredDuringSchedulingIgnoredDuringExecution{at}"),
            invalid(
                "spec.strategy.antiAffinity.weight",
                &json!(weight),
                "AntiAffinity weight must be between 1-100",
            ),
        )
        .help("use a weight from 1 (a hint) to 100 (a strong preference)");
    }
}

pub static BG_05: Rule = Rule {
    id: "BG-05",
    name: "active-service-key-required",
    severity: Severity::Error,
    doc: "the CRD requires the key spec.strategy.blueGreen.activeService (the API server rejects the Rollout without it)",
    check: |ctx, sink| {
        for (rollout, bg) in ctx.blue_greens() {
            if bg.get("activeService").is_none() {
                sink.report(
                    rollout,
                    BG,
                    "spec.strategy.blueGreen.activeService: Required value",
                )
                .help("add `activeService: <service name>`: the Service that takes production traffic");
            }
        }
    },
};

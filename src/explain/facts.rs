//! The facts an explanation rests on, read from the rendered objects as the controller reads
//! them: the Rollout's `spec.strategy.blueGreen` with Argo's defaults
//! (`utils/defaults/defaults.go`, RULES.md §3), and what `rollwright validate`'s practice
//! rules find in the same objects (the rules' own predicates, so the two never disagree).

use serde_json::Value;

use crate::error::{Diagnostic, Result};
use crate::finding::Severity;
use crate::manifest::Object;
use crate::rules::practice::{self, ServiceRole};
use crate::rules::util::Lookup as _;
use crate::rules::{self, ARGO, Context};

/// Argo's defaults for the fields a Rollout may leave unset.
pub const DEFAULT_SCALE_DOWN_DELAY: i64 = 30;
pub const DEFAULT_ABORT_SCALE_DOWN_DELAY: i64 = 30;

/// How an update gets from the preview to the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// `autoPromotionEnabled: false`: a `BlueGreenPause` until `promote`.
    Manual,
    /// Auto-promotion with `autoPromotionSeconds` 0: no pause.
    Now,
    /// Auto-promotion after this many seconds of `BlueGreenPause`.
    After(i64),
    /// Auto-promotion with a negative delay: never.
    Never(i64),
}

/// The settings of a blue-green Rollout, as written (`None`: unset, Argo's default applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub namespace: Option<String>,
    pub replicas: Option<i64>,
    pub active_service: String,
    pub preview_service: Option<String>,
    /// The port of the preview Service, when it is among the objects.
    pub preview_port: Option<i64>,
    pub auto_promotion_enabled: Option<bool>,
    pub auto_promotion_seconds: Option<i64>,
    pub scale_down_delay_seconds: Option<i64>,
    pub scale_down_delay_revision_limit: Option<i64>,
    pub abort_scale_down_delay_seconds: Option<i64>,
    pub preview_replica_count: Option<i64>,
    /// Template names of the pre-promotion analysis, when there is one.
    pub pre_promotion: Option<Vec<String>>,
    pub post_promotion: Option<Vec<String>>,
}

impl Settings {
    /// `spec.replicas`, Argo's default 1.
    pub fn replicas(&self) -> i64 {
        self.replicas.unwrap_or(1)
    }

    pub fn promotion(&self) -> Promotion {
        let seconds = self.auto_promotion_seconds.unwrap_or(0);
        match (self.auto_promotion_enabled, seconds) {
            (Some(false), _) => Promotion::Manual,
            (_, 0) => Promotion::Now,
            (_, n) if n > 0 => Promotion::After(n),
            (_, n) => Promotion::Never(n),
        }
    }

    /// Whether an update stops until someone runs `promote`.
    pub fn needs_manual_promote(&self) -> bool {
        self.promotion() == Promotion::Manual
    }

    pub fn scale_down_delay(&self) -> i64 {
        self.scale_down_delay_seconds
            .unwrap_or(DEFAULT_SCALE_DOWN_DELAY)
    }

    pub fn abort_scale_down_delay(&self) -> i64 {
        self.abort_scale_down_delay_seconds
            .unwrap_or(DEFAULT_ABORT_SCALE_DOWN_DELAY)
    }
}

/// Which analysis a metric belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
}

/// A metric that counts ingress-nginx requests to one of the Rollout's Services (rule P-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traffic {
    pub phase: Phase,
    pub template: String,
    pub metric: String,
    pub service: String,
    pub preview: bool,
    pub routed: bool,
    pub ingresses_in_set: bool,
    pub condition: Option<String>,
    pub guarded: bool,
    pub errors_to_fail: i64,
}

impl Traffic {
    /// How `validate` reports it, when it does.
    pub fn severity(&self) -> Option<Severity> {
        match (self.routed, self.ingresses_in_set) {
            (true, _) => None,
            (false, true) => Some(Severity::Warning),
            (false, false) => Some(Severity::Info),
        }
    }
}

/// What the practice rules find in the same objects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Findings {
    /// P-01.
    pub seconds_ignored: bool,
    /// P-02.
    pub no_gate: bool,
    /// P-03: the delay, when below 30.
    pub short_delay: Option<i64>,
    /// P-04: `(previewReplicaCount, replicas)`.
    pub preview_above: Option<(i64, i64)>,
    /// P-09: the negative delay.
    pub negative_seconds: Option<i64>,
    /// P-10 (and what every ingress-nginx metric measures).
    pub traffic: Vec<Traffic>,
}

/// The blue-green Rollout among `objects`, its settings and the findings on it.
pub fn read(objects: &[Object]) -> Result<(Settings, Findings)> {
    let rollouts: Vec<&Object> = objects
        .iter()
        .filter(|o| o.id.kind == "Rollout" && o.id.group() == ARGO)
        .collect();
    let rollout = match rollouts.as_slice() {
        [one] => *one,
        _ => {
            return Err(Diagnostic::new(
                None,
                format!(
                    "explain needs exactly one Rollout in what the chart renders; it renders {}",
                    rollouts.len()
                ),
            )
            .with_help("explain one chart at a time; check the chart's chart-templates/ overrides")
            .into());
        }
    };
    let Some(bg) = rollout
        .value
        .lookup("/spec/strategy/blueGreen")
        .filter(|v| v.is_object())
    else {
        return Err(Diagnostic::new(
            None,
            format!(
                "Rollout {} has no blueGreen strategy: explain describes blue-green releases only",
                rollout.id.name
            ),
        )
        .with_help("render a Rollout with spec.strategy.blueGreen (check the chart's chart-templates/ overrides)")
        .into());
    };
    let int = |key: &str| bg.get(key).and_then(Value::as_i64);
    let string = |key: &str| {
        bg.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let templates = |key: &str| {
        bg.get(key).filter(|v| !v.is_null()).map(|a| {
            crate::rules::util::items(a.get("templates"))
                .filter_map(|(_, t)| t.get("templateName").and_then(Value::as_str))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    let preview_service = string("previewService");
    let preview_port = preview_service.as_ref().and_then(|p| {
        objects
            .iter()
            .find(|o| o.id.kind == "Service" && o.id.group().is_empty() && o.id.name == *p)
            .and_then(|s| s.value.lookup("/spec/ports/0/port"))
            .and_then(Value::as_i64)
    });
    let settings = Settings {
        name: rollout.id.name.clone(),
        namespace: rollout.id.namespace.clone(),
        replicas: rollout
            .value
            .lookup("/spec/replicas")
            .and_then(Value::as_i64),
        active_service: string("activeService").unwrap_or_default(),
        preview_service,
        preview_port,
        auto_promotion_enabled: bg.get("autoPromotionEnabled").and_then(Value::as_bool),
        auto_promotion_seconds: int("autoPromotionSeconds"),
        scale_down_delay_seconds: int("scaleDownDelaySeconds"),
        scale_down_delay_revision_limit: int("scaleDownDelayRevisionLimit"),
        abort_scale_down_delay_seconds: int("abortScaleDownDelaySeconds"),
        preview_replica_count: int("previewReplicaCount"),
        pre_promotion: templates("prePromotionAnalysis"),
        post_promotion: templates("postPromotionAnalysis"),
    };

    let schema_errors = vec![Vec::new(); objects.len()];
    let ctx = Context::new(objects, &schema_errors, false);
    let traffic = practice::ingress_queries(&ctx, rollout)
        .into_iter()
        .map(|q| Traffic {
            phase: if q.block == rules::analysis::BlockKind::Pre {
                Phase::Pre
            } else {
                Phase::Post
            },
            template: q.template.id.name.clone(),
            metric: q.metric,
            service: q.service,
            preview: q.role == ServiceRole::Preview,
            routed: q.routed,
            ingresses_in_set: q.ingresses_in_set,
            condition: q.condition,
            guarded: q.guarded,
            errors_to_fail: q.errors_to_fail,
        })
        .collect();
    let findings = Findings {
        seconds_ignored: practice::auto_promotion_seconds_ignored(bg),
        no_gate: practice::no_promotion_gate(rollout, bg),
        short_delay: practice::scale_down_delay_short(bg),
        preview_above: practice::preview_replicas_above(rollout, bg),
        negative_seconds: practice::negative_auto_promotion_seconds(bg),
        traffic,
    };
    Ok((settings, findings))
}

//! Release impact: what applying the change does to each blue-green Rollout, read from the
//! two normalised Rollouts by the controller's rules (RULES.md §5-§6).
//!
//! - Anything under `spec.template` changes the pod-template hash: a new ReplicaSet, a new
//!   revision, and the whole blue-green sequence (preview, pre-promotion analysis, pause or
//!   auto-promotion, switch, post-promotion analysis, scale-down of the old pods).
//! - Everything else (strategy, replicas, metadata, history limits) is applied in place to the
//!   running revision.
//! - A Rollout that does not exist yet is a first deploy: no pause and no analysis.

use serde_json::Value;

use super::{Change, FieldChange, ObjectDiff};
use crate::manifest::ObjectId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImpactKind {
    FirstDeploy,
    NewRevision,
    InPlace,
    Removed,
}

impl ImpactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImpactKind::FirstDeploy => "first-deploy",
            ImpactKind::NewRevision => "new-revision",
            ImpactKind::InPlace => "in-place",
            ImpactKind::Removed => "removed",
        }
    }
}

/// A container whose image changes (or appears, or goes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageChange {
    pub container: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// `autoPromotionEnabled: false`: waits for `kubectl argo rollouts promote`.
    Manual,
    /// Promotes by itself this many seconds after the preview is ready.
    Auto { seconds: i64 },
}

/// An analysis that runs, and whether its template changes in this same diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub template: String,
    pub cluster_scope: bool,
    pub changed: bool,
}

/// The blue-green settings that shape an update, as the proposed Rollout has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueGreen {
    pub active_service: String,
    pub preview_service: Option<String>,
    pub promotion: Promotion,
    pub pre_promotion: Vec<Analysis>,
    pub post_promotion: Vec<Analysis>,
    pub scale_down_delay_seconds: i64,
    pub preview_replica_count: Option<i64>,
    pub replicas: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Impact {
    pub rollout: ObjectId,
    pub kind: ImpactKind,
    pub images: Vec<ImageChange>,
    /// Changes under `spec.template` other than images.
    pub template_changes: Vec<FieldChange>,
    /// Changes applied to the running revision.
    pub in_place: Vec<FieldChange>,
    /// `None` for a canary Rollout (not analysed) or a removed one.
    pub blue_green: Option<BlueGreen>,
    pub strategy: Option<String>,
    /// The commands that move the update on.
    pub commands: Vec<String>,
    /// What a forced server-side apply would break (`--server-side` conflicts).
    pub warnings: Vec<String>,
}

/// One impact per Rollout that changes.
pub fn analyse(objects: &[ObjectDiff]) -> Vec<Impact> {
    objects
        .iter()
        .filter(|o| o.id.kind == "Rollout" && o.id.group() == "argoproj.io")
        .filter(|o| o.change != Change::Unchanged)
        .map(|o| impact(o, objects))
        .collect()
}

fn impact(o: &ObjectDiff, all: &[ObjectDiff]) -> Impact {
    let (template_fields, in_place): (Vec<FieldChange>, Vec<FieldChange>) = o
        .fields
        .iter()
        .cloned()
        .partition(|f| f.path == "/spec/template" || f.path.starts_with("/spec/template/"));
    let kind = match o.change {
        Change::Created => ImpactKind::FirstDeploy,
        Change::Removed => ImpactKind::Removed,
        _ if !template_fields.is_empty() => ImpactKind::NewRevision,
        _ => ImpactKind::InPlace,
    };
    let images = match kind {
        ImpactKind::FirstDeploy => images(None, o.after.as_ref()),
        ImpactKind::NewRevision => images(o.before.as_ref(), o.after.as_ref()),
        _ => Vec::new(),
    };
    let template_changes = template_fields
        .into_iter()
        .filter(|f| !is_image_path(&f.path))
        .collect();
    let proposed = o.after.as_ref();
    let strategy = proposed
        .and_then(|r| r.pointer("/spec/strategy"))
        .and_then(Value::as_object)
        .and_then(|s| s.keys().next().cloned());
    let blue_green = proposed.and_then(|r| blue_green(r, &o.id, all));
    let warnings = blue_green
        .as_ref()
        .map(|bg| selector_warnings(bg, &o.id, all))
        .unwrap_or_default();
    let name = &o.id.name;
    let ns =
        o.id.namespace
            .as_deref()
            .map(|n| format!(" -n {n}"))
            .unwrap_or_default();
    let commands = match (kind, &blue_green) {
        (ImpactKind::NewRevision, Some(bg)) => {
            let mut out = vec![format!(
                "kubectl argo rollouts get rollout {name}{ns} --watch"
            )];
            // A plain `promote` moves only a manual pause on: with auto-promotion there is no
            // pause to clear (0 s, negative), or clearing it restarts the countdown (RULES.md
            // §5.5); with a negative delay only `--full` ever switches.
            match bg.promotion {
                Promotion::Manual => out.push(format!("kubectl argo rollouts promote {name}{ns}")),
                Promotion::Auto { seconds } if seconds < 0 => {
                    out.push(format!("kubectl argo rollouts promote {name}{ns} --full"))
                }
                Promotion::Auto { .. } => {}
            }
            out.push(format!("kubectl argo rollouts abort {name}{ns}"));
            out.push(format!("kubectl argo rollouts undo {name}{ns}"));
            out
        }
        (ImpactKind::FirstDeploy | ImpactKind::NewRevision | ImpactKind::InPlace, _) => {
            vec![format!(
                "kubectl argo rollouts get rollout {name}{ns} --watch"
            )]
        }
        (ImpactKind::Removed, _) => Vec::new(),
    };
    Impact {
        rollout: o.id.clone(),
        kind,
        images,
        template_changes,
        in_place,
        blue_green,
        strategy,
        commands,
        warnings,
    }
}

/// The Services of a blue-green Rollout whose selector another manager owns: with
/// `--force-conflicts`, a server-side apply would take the selector, and with it the
/// controller's `rollouts-pod-template-hash`.
fn selector_warnings(bg: &BlueGreen, id: &ObjectId, all: &[ObjectDiff]) -> Vec<String> {
    let mut out = Vec::new();
    for service in std::iter::once(&bg.active_service).chain(bg.preview_service.iter()) {
        let conflicts = all.iter().filter(|o| {
            o.id.kind == "Service" && o.id.name == *service && o.id.namespace == id.namespace
        });
        for c in conflicts.flat_map(|o| &o.conflicts) {
            if !c.field.starts_with(".spec.selector") {
                continue;
            }
            out.push(if c.manager.contains("rollout") {
                format!(
                    "Service {service}: the Argo Rollouts controller (`{}`) owns spec.selector; applying with --force-conflicts would drop its rollouts-pod-template-hash, so the Service would select the pods of every revision (preview included) until the controller sets it again; apply without forcing, or leave the selector to the controller",
                    c.manager
                )
            } else {
                format!(
                    "Service {service}: `{}` owns spec.selector; applying with --force-conflicts would take it over",
                    c.manager
                )
            });
        }
    }
    out
}

fn is_image_path(path: &str) -> bool {
    let mut segs = path.split('/').skip(1);
    matches!(
        (
            segs.next(),
            segs.next(),
            segs.next(),
            segs.next(),
            segs.next(),
            segs.next(),
            segs.next()
        ),
        (
            Some("spec"),
            Some("template"),
            Some("spec"),
            Some("containers" | "initContainers"),
            Some(_),
            Some("image"),
            None
        )
    )
}

/// Image changes by container name (containers matched by name, so a reordering is not a
/// change of image).
fn images(before: Option<&Value>, after: Option<&Value>) -> Vec<ImageChange> {
    let list = |v: Option<&Value>| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for key in ["initContainers", "containers"] {
            let items = v
                .and_then(|v| v.pointer(&format!("/spec/template/spec/{key}")))
                .and_then(Value::as_array);
            for c in items.into_iter().flatten() {
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let image = c
                    .get("image")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                out.push((name, image));
            }
        }
        out
    };
    let (b, a) = (list(before), list(after));
    let mut out = Vec::new();
    for (name, image) in &a {
        let old = b.iter().find(|(n, _)| n == name).map(|(_, i)| i.clone());
        if old.as_deref() != Some(image.as_str()) {
            out.push(ImageChange {
                container: name.clone(),
                before: old,
                after: Some(image.clone()),
            });
        }
    }
    for (name, image) in &b {
        if !a.iter().any(|(n, _)| n == name) {
            out.push(ImageChange {
                container: name.clone(),
                before: Some(image.clone()),
                after: None,
            });
        }
    }
    out
}

fn blue_green(rollout: &Value, id: &ObjectId, all: &[ObjectDiff]) -> Option<BlueGreen> {
    let bg = rollout.pointer("/spec/strategy/blueGreen")?;
    let int = |key: &str| bg.get(key).and_then(Value::as_i64);
    let string = |key: &str| {
        bg.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let promotion = if bg.get("autoPromotionEnabled").and_then(Value::as_bool) == Some(false) {
        Promotion::Manual
    } else {
        Promotion::Auto {
            seconds: int("autoPromotionSeconds").unwrap_or(0),
        }
    };
    let analyses = |key: &str| -> Vec<Analysis> {
        let templates = bg
            .pointer(&format!("/{key}/templates"))
            .and_then(Value::as_array);
        templates
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let template = t.get("templateName").and_then(Value::as_str)?.to_string();
                let cluster_scope = t.get("clusterScope").and_then(Value::as_bool) == Some(true);
                let changed = all.iter().any(|o| {
                    o.change != Change::Unchanged
                        && o.id.name == template
                        && if cluster_scope {
                            o.id.kind == "ClusterAnalysisTemplate"
                        } else {
                            o.id.kind == "AnalysisTemplate" && o.id.namespace == id.namespace
                        }
                });
                Some(Analysis {
                    template,
                    cluster_scope,
                    changed,
                })
            })
            .collect()
    };
    Some(BlueGreen {
        active_service: string("activeService").unwrap_or_default(),
        preview_service: string("previewService"),
        promotion,
        pre_promotion: analyses("prePromotionAnalysis"),
        post_promotion: analyses("postPromotionAnalysis"),
        scale_down_delay_seconds: int("scaleDownDelaySeconds").unwrap_or(30),
        preview_replica_count: int("previewReplicaCount"),
        replicas: rollout.pointer("/spec/replicas").and_then(Value::as_i64),
    })
}

/// A short rendering of a value for one line: scalars as themselves, the rest as JSON.
pub fn short(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            let s = other.to_string();
            if s.len() > 60 {
                // `str::floor_char_boundary` is newer than the crate's rust-version.
                let cut = (0..=57).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                format!("{}…", &s[..cut])
            } else {
                s
            }
        }
    }
}

fn analysis_list(list: &[Analysis]) -> String {
    list.iter()
        .map(|a| {
            let mut s = a.template.clone();
            if a.cluster_scope {
                s.push_str(" (cluster)");
            }
            if a.changed {
                s.push_str(" (changed in this diff)");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn dotted(pointer: &str) -> String {
    crate::yaml::dotted_path(pointer)
}

impl Impact {
    /// The headline: `Rollout shop/demo: new revision`.
    pub fn title(&self) -> String {
        let what = match self.kind {
            ImpactKind::FirstDeploy => "first deploy",
            ImpactKind::NewRevision => "new revision",
            ImpactKind::InPlace => "applied in place, no new revision",
            ImpactKind::Removed => "removed",
        };
        format!("{}: {what}", self.rollout)
    }

    /// What will happen, one sentence a line, in the order it happens.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in &self.images {
            out.push(match (&i.before, &i.after) {
                (Some(b), Some(a)) => format!("image {}: {b} → {a}", i.container),
                (None, Some(a)) => format!("image {}: {a}", i.container),
                (Some(b), None) => format!("container {} ({b}) removed", i.container),
                (None, None) => continue,
            });
        }
        const MAX: usize = 5;
        let describe = |f: &FieldChange| match &f.from {
            Some(from) => format!("{} moved to {}", dotted(from), dotted(&f.path)),
            None => format!(
                "{}: {} → {}",
                dotted(&f.path),
                short(f.before.as_ref()),
                short(f.after.as_ref())
            ),
        };
        if self.kind == ImpactKind::NewRevision {
            for f in self.template_changes.iter().take(MAX) {
                out.push(format!("pod template {}", describe(f)));
            }
            if self.template_changes.len() > MAX {
                out.push(format!(
                    "… and {} more pod template changes",
                    self.template_changes.len() - MAX
                ));
            }
        }
        match self.kind {
            ImpactKind::FirstDeploy => {
                out.push("no pods run yet: the first ReplicaSet is scaled up at once and both Services point at it when it is ready; no pause, no analysis".into());
            }
            ImpactKind::Removed => {
                out.push("deleting the Rollout deletes its ReplicaSets and pods; Services it named keep their last selector".into());
            }
            ImpactKind::InPlace => {
                for f in self.in_place.iter().take(MAX) {
                    out.push(describe(f));
                }
                if self.in_place.len() > MAX {
                    out.push(format!("… and {} more", self.in_place.len() - MAX));
                }
                out.push(
                    "the running pods are kept: no new ReplicaSet, no pause, no analysis".into(),
                );
            }
            ImpactKind::NewRevision => {
                for f in self.in_place.iter().take(MAX) {
                    out.push(format!("also {}", describe(f)));
                }
                match &self.blue_green {
                    Some(bg) => out.extend(self.sequence(bg)),
                    None => out.push(format!(
                        "{} strategy: the update follows its steps (rollwright describes blue-green updates only)",
                        self.strategy.as_deref().unwrap_or("no")
                    )),
                }
            }
        }
        out.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        out
    }

    fn sequence(&self, bg: &BlueGreen) -> Vec<String> {
        let mut out = Vec::new();
        let replicas = match (bg.preview_replica_count, bg.replicas) {
            (Some(p), _) => format!("{p} pod(s) (previewReplicaCount)"),
            (None, Some(r)) => format!("{r} pod(s)"),
            (None, None) => "the new pods".into(),
        };
        match &bg.preview_service {
            Some(p) => out.push(format!(
                "1. a new ReplicaSet starts {replicas} behind the preview Service {p}; {} keeps serving the current version",
                bg.active_service
            )),
            None => out.push(format!(
                "1. a new ReplicaSet starts {replicas}; {} keeps serving the current version",
                bg.active_service
            )),
        }
        if bg.pre_promotion.is_empty() {
            out.push("2. no pre-promotion analysis".into());
        } else {
            out.push(format!(
                "2. pre-promotion analysis runs: {} (failure aborts the update; {} stays on the current version)",
                analysis_list(&bg.pre_promotion),
                bg.active_service
            ));
        }
        let ready = if bg.pre_promotion.is_empty() {
            "the new pods are ready"
        } else {
            "the pre-promotion analysis succeeds"
        };
        out.push(match bg.promotion {
            Promotion::Manual => format!(
                "3. pauses for a manual promote (autoPromotionEnabled: false): kubectl argo rollouts promote {}{}",
                self.rollout.name,
                self.rollout
                    .namespace
                    .as_deref()
                    .map(|n| format!(" -n {n}"))
                    .unwrap_or_default()
            ),
            Promotion::Auto { seconds: 0 } => format!(
                "3. auto-promotes as soon as {ready} (autoPromotionEnabled)"
            ),
            // A negative delay adds no pause and never completes one (RULES.md §2.B).
            Promotion::Auto { seconds } if seconds < 0 => format!(
                "3. never promotes by itself (autoPromotionSeconds {seconds} is negative): only kubectl argo rollouts promote --full switches"
            ),
            // The pause, and its countdown, begins only after a successful pre-promotion
            // analysis (RULES.md §5.5).
            Promotion::Auto { seconds } => format!(
                "3. auto-promotes {seconds}s after {ready} (autoPromotionSeconds; a plain promote restarts the wait, promote --full switches at once)"
            ),
        });
        let switch = format!("4. {} switches to the new pods", bg.active_service);
        if bg.post_promotion.is_empty() {
            out.push(format!("{switch}; no post-promotion analysis"));
        } else {
            // The controller moves the active Service only to a fully available ReplicaSet
            // (RULES.md §5.7, §5.9): a failure caused by unready new pods leaves it there.
            out.push(format!(
                "{switch}; post-promotion analysis runs: {} (failure aborts the update; {} switches back to the old pods, still running, only while every new pod is available: check with kubectl argo rollouts get rollout)",
                analysis_list(&bg.post_promotion),
                bg.active_service
            ));
        }
        out.push(match bg.scale_down_delay_seconds {
            // No deadline is written for 0, so the old ReplicaSet keeps its pods (RULES.md §2.B).
            0 => "5. the old pods are never scaled down (scaleDownDelaySeconds: 0 writes no deadline)"
                .into(),
            // The deadline is written when the new ReplicaSet becomes stable, i.e. after any
            // post-promotion analysis succeeded (RULES.md §5.3, §5.8); a negative one has passed.
            n if n < 0 => format!(
                "5. the old pods are scaled down as soon as the update completes (scaleDownDelaySeconds {n} is negative)"
            ),
            n => format!(
                "5. the old pods are scaled down {n}s after the update completes (scaleDownDelaySeconds)"
            ),
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::field_changes;
    use serde_json::json;

    fn rollout(image: &str, auto: bool) -> Value {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "demo", "namespace": "shop"},
            "spec": {"replicas": 2, "strategy": {"blueGreen": {"activeService": "demo-active", "previewService": "demo-preview",
                "autoPromotionEnabled": auto, "prePromotionAnalysis": {"templates": [{"templateName": "success-rate"}]}}},
                "template": {"spec": {"containers": [{"name": "demo", "image": image}]}}}})
    }

    fn object(before: Option<Value>, after: Option<Value>) -> ObjectDiff {
        let fields = field_changes(before.as_ref(), after.as_ref());
        let change = match (&before, &after) {
            (None, _) => Change::Created,
            (_, None) => Change::Removed,
            _ if fields.is_empty() => Change::Unchanged,
            _ => Change::Changed,
        };
        ObjectDiff {
            id: crate::diff::matching::id_of(after.as_ref().or(before.as_ref()).unwrap()).unwrap(),
            change,
            before,
            after,
            fields,
            suppressed: vec![],
            conflicts: vec![],
        }
    }

    #[test]
    fn new_tag_is_a_new_revision_with_a_manual_pause() {
        let o = object(
            Some(rollout("nginx:1.28", false)),
            Some(rollout("nginx:1.29", false)),
        );
        let impacts = analyse(&[o]);
        assert_eq!(impacts.len(), 1);
        let i = &impacts[0];
        assert_eq!(i.kind, ImpactKind::NewRevision);
        let lines = i.lines().join("\n");
        assert!(
            lines.contains("image demo: nginx:1.28 → nginx:1.29"),
            "{lines}"
        );
        assert!(lines.contains("pauses for a manual promote"), "{lines}");
        assert!(
            lines.contains("pre-promotion analysis runs: success-rate"),
            "{lines}"
        );
        assert!(lines.contains("scaled down 30s"), "{lines}");
        assert!(
            i.commands
                .iter()
                .any(|c| c == "kubectl argo rollouts promote demo -n shop")
        );
    }

    #[test]
    fn a_negative_delay_never_promotes_and_a_zero_delay_keeps_the_old_pods() {
        let mut after = rollout("nginx:1.29", true);
        let bg = after.pointer_mut("/spec/strategy/blueGreen").unwrap();
        bg["autoPromotionSeconds"] = json!(-5);
        bg["scaleDownDelaySeconds"] = json!(0);
        let o = object(Some(rollout("nginx:1.28", true)), Some(after));
        let lines = analyse(&[o])[0].lines().join("\n");
        assert!(lines.contains("3. never promotes by itself"), "{lines}");
        assert!(!lines.contains("-5s"), "{lines}");
        assert!(
            lines.contains("5. the old pods are never scaled down"),
            "{lines}"
        );
    }

    /// The sequence says what the controller does (RULES.md §5.5, §5.7, §5.8, §5.9): the
    /// switch back after a post-promotion failure is conditional, the scale-down delay counts
    /// from the completed update, the auto-promotion wait from the successful pre-promotion
    /// analysis, and a plain `promote` is offered only for a manual pause.
    #[test]
    fn the_sequence_states_the_controller_s_conditions() {
        let mut after = rollout("nginx:1.29", true);
        let bg = after.pointer_mut("/spec/strategy/blueGreen").unwrap();
        bg["autoPromotionSeconds"] = json!(60);
        bg["postPromotionAnalysis"] = json!({"templates": [{"templateName": "smoke"}]});
        let o = object(Some(rollout("nginx:1.28", true)), Some(after));
        let i = &analyse(&[o])[0];
        let lines = i.lines().join("\n");
        assert!(
            lines.contains("2. pre-promotion analysis runs: success-rate (failure aborts the update; demo-active stays on the current version)"),
            "{lines}"
        );
        assert!(
            lines.contains("3. auto-promotes 60s after the pre-promotion analysis succeeds (autoPromotionSeconds; a plain promote restarts the wait, promote --full switches at once)"),
            "{lines}"
        );
        assert!(
            lines.contains("post-promotion analysis runs: smoke (failure aborts the update; demo-active switches back to the old pods, still running, only while every new pod is available: check with kubectl argo rollouts get rollout)"),
            "{lines}"
        );
        assert!(!lines.contains("(failure switches back)"), "{lines}");
        assert!(
            lines.contains("5. the old pods are scaled down 30s after the update completes (scaleDownDelaySeconds)"),
            "{lines}"
        );
        assert!(!lines.contains("after the switch"), "{lines}");
        assert!(
            !i.commands
                .iter()
                .any(|c| c.starts_with("kubectl argo rollouts promote")),
            "{:?}",
            i.commands
        );

        // Without a pre-promotion analysis the wait starts when the new pods are ready;
        // at 0 s there is no pause, so no promote either.
        let mut after = rollout("nginx:1.29", true);
        let bg = after.pointer_mut("/spec/strategy/blueGreen").unwrap();
        bg.as_object_mut().unwrap().remove("prePromotionAnalysis");
        bg["scaleDownDelaySeconds"] = json!(-1);
        let o = object(Some(rollout("nginx:1.28", true)), Some(after));
        let i = &analyse(&[o])[0];
        let lines = i.lines().join("\n");
        assert!(
            lines.contains(
                "3. auto-promotes as soon as the new pods are ready (autoPromotionEnabled)"
            ),
            "{lines}"
        );
        assert!(
            lines.contains("5. the old pods are scaled down as soon as the update completes (scaleDownDelaySeconds -1 is negative)"),
            "{lines}"
        );
        assert!(
            !i.commands
                .iter()
                .any(|c| c.starts_with("kubectl argo rollouts promote")),
            "{:?}",
            i.commands
        );

        // A negative autoPromotionSeconds: only `promote --full` switches.
        let mut after = rollout("nginx:1.29", true);
        after["spec"]["strategy"]["blueGreen"]["autoPromotionSeconds"] = json!(-5);
        let o = object(Some(rollout("nginx:1.28", true)), Some(after));
        let i = &analyse(&[o])[0];
        assert!(
            i.commands
                .contains(&"kubectl argo rollouts promote demo -n shop --full".to_owned()),
            "{:?}",
            i.commands
        );
        assert!(
            !i.commands
                .contains(&"kubectl argo rollouts promote demo -n shop".to_owned()),
            "{:?}",
            i.commands
        );
    }

    #[test]
    fn strategy_change_is_in_place_and_new_rollout_is_first_deploy() {
        let o = object(
            Some(rollout("nginx:1.28", false)),
            Some(rollout("nginx:1.28", true)),
        );
        let i = &analyse(&[o])[0];
        assert_eq!(i.kind, ImpactKind::InPlace);
        assert!(
            i.lines()[0].contains("spec.strategy.blueGreen.autoPromotionEnabled: false → true")
        );
        let o = object(None, Some(rollout("nginx:1.28", false)));
        let i = &analyse(&[o])[0];
        assert_eq!(i.kind, ImpactKind::FirstDeploy);
        assert!(i.lines().join("\n").contains("no pause, no analysis"));
    }

    /// The release impact warns where --force-conflicts would drop the controller's hash.
    #[test]
    fn a_selector_owned_by_the_controller_is_warned_about() {
        let rollout = object(
            Some(rollout("nginx:1.28", false)),
            Some(rollout("nginx:1.29", false)),
        );
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "demo-active", "namespace": "shop"}});
        let mut service = object(Some(svc.clone()), Some(svc));
        service.conflicts.push(crate::diff::Conflict {
            field: ".spec.selector".into(),
            manager: "rollouts-controller".into(),
        });
        let i = &analyse(&[rollout, service])[0];
        let lines = i.lines().join("\n");
        assert!(
            lines.contains("warning: Service demo-active: the Argo Rollouts controller (`rollouts-controller`) owns spec.selector; applying with --force-conflicts would drop its rollouts-pod-template-hash"),
            "{lines}"
        );
    }
}

//! `--format json`: one document for machines. Every object of both sides with its change
//! type, per-field changes as JSON pointers into the normalised object, and the differences
//! the ignore rules suppressed (with the rule's name); the release impact first.

use serde_json::{Value, json};

use super::impact::{Analysis, Impact, Promotion};
use super::{FieldChange, ObjectDiff, Report};
use crate::manifest::ObjectId;

fn id(id: &ObjectId) -> Value {
    json!({
        "apiVersion": id.api_version,
        "kind": id.kind,
        "namespace": id.namespace,
        "name": id.name,
    })
}

fn field(f: &FieldChange) -> Value {
    let mut v = json!({ "path": f.path, "op": f.op() });
    if let Some(from) = &f.from {
        v["from"] = json!(from);
    }
    if let Some(b) = &f.before {
        v["before"] = b.clone();
    }
    if let Some(a) = &f.after {
        v["after"] = a.clone();
    }
    v
}

fn analyses(list: &[Analysis]) -> Value {
    list.iter()
        .map(|a| json!({"templateName": a.template, "clusterScope": a.cluster_scope, "changedInThisDiff": a.changed}))
        .collect()
}

fn impact(i: &Impact) -> Value {
    let blue_green = i.blue_green.as_ref().map(|bg| {
        let (promotion, seconds) = match bg.promotion {
            Promotion::Manual => ("manual", None),
            Promotion::Auto { seconds } => ("auto", Some(seconds)),
        };
        json!({
            "activeService": bg.active_service,
            "previewService": bg.preview_service,
            "promotion": promotion,
            "autoPromotionSeconds": seconds,
            "prePromotionAnalysis": analyses(&bg.pre_promotion),
            "postPromotionAnalysis": analyses(&bg.post_promotion),
            "scaleDownDelaySeconds": bg.scale_down_delay_seconds,
            "previewReplicaCount": bg.preview_replica_count,
        })
    });
    json!({
        "rollout": id(&i.rollout),
        "impact": i.kind.as_str(),
        "images": i.images.iter().map(|c| json!({"container": c.container, "before": c.before, "after": c.after})).collect::<Vec<_>>(),
        "templateChanges": i.template_changes.iter().map(field).collect::<Vec<_>>(),
        "inPlaceChanges": i.in_place.iter().map(field).collect::<Vec<_>>(),
        "strategy": i.strategy,
        "blueGreen": blue_green,
        "commands": i.commands,
        "warnings": i.warnings,
        "description": i.lines(),
    })
}

fn object(o: &ObjectDiff) -> Value {
    let mut v = id(&o.id);
    v["change"] = json!(o.change.as_str());
    v["fields"] = o.fields.iter().map(field).collect();
    v["suppressed"] = o
        .suppressed
        .iter()
        .map(|s| json!({"path": s.path, "rule": s.rule}))
        .collect();
    if !o.conflicts.is_empty() {
        v["conflicts"] = o
            .conflicts
            .iter()
            .map(|c| json!({"field": c.field, "manager": c.manager}))
            .collect();
    }
    v
}

pub fn write(report: &Report) -> String {
    let c = report.counts();
    let doc = json!({
        "before": report.before_label,
        "after": report.after_label,
        "changes": report.has_changes(),
        "summary": {
            "created": c.created,
            "changed": c.changed,
            "removed": c.removed,
            "unchanged": c.unchanged,
        },
        "impact": report.impacts.iter().map(impact).collect::<Vec<_>>(),
        "objects": report.objects.iter().map(object).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    s.push('\n');
    s
}

//! `rollwright diff`: what applying the proposed objects would change, against the cluster
//! or a base render.
//!
//! Data flows one way: two sets of objects (the *before* side — live, a base render, or the
//! render at a git ref — and the *after* side, the proposed render) → matching by group, kind,
//! namespace and name (`matching.rs`) → normalisation by named ignore rules (`normalize.rs`) →
//! per-field changes → release impact of the Rollouts (`impact.rs`) → one writer per format
//! (`unified.rs`, `markdown.rs`, `json.rs`). The sources of the two sides live apart
//! (`base.rs` for files and git, `live.rs` for the cluster).

pub mod base;
pub mod impact;
pub mod json;
pub mod kinds;
pub mod live;
pub mod markdown;
pub mod matching;
pub mod normalize;
pub mod unified;

use serde_json::Value;

use crate::error::Result;
use crate::manifest::ObjectId;
use impact::Impact;
use normalize::{IgnoreRule, Suppressed};

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Created,
    Changed,
    Removed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Changed => "changed",
            Change::Removed => "removed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One changed field, by JSON pointer (RFC 6901) into the normalised object.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl FieldChange {
    pub fn op(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, Some(_)) => "add",
            (Some(_), None) => "remove",
            _ => "replace",
        }
    }
}

/// One object of either side, and what applying the proposed side does to it.
#[derive(Debug, Clone)]
pub struct ObjectDiff {
    pub id: ObjectId,
    pub change: Change,
    /// The normalised objects (Secret values masked unless `--show-secrets`).
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub fields: Vec<FieldChange>,
    /// Differences that ignore rules took out of the comparison.
    pub suppressed: Vec<Suppressed>,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// What the before side is: `live`, `base`, or the git ref.
    pub before_label: String,
    pub after_label: String,
    /// Proposed objects in input order, then objects only on the before side.
    pub objects: Vec<ObjectDiff>,
    pub impacts: Vec<Impact>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for o in &self.objects {
            match o.change {
                Change::Created => c.created += 1,
                Change::Changed => c.changed += 1,
                Change::Removed => c.removed += 1,
                Change::Unchanged => c.unchanged += 1,
            }
        }
        c
    }

    /// Whether anything would change; suppressed differences never count.
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| o.change != Change::Unchanged)
    }

    /// The objects that change, in report order.
    pub fn changed(&self) -> impl Iterator<Item = &ObjectDiff> {
        self.objects
            .iter()
            .filter(|o| o.change != Change::Unchanged)
    }
}

/// How to compare.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rules from `--ignore` and `diff.ignore` in the configuration.
    pub ignores: Vec<IgnoreRule>,
    pub show_secrets: bool,
    /// The before side was read from a cluster: fields the API server allocates
    /// (`clusterIP`) stand for fields the render leaves out.
    pub live: bool,
}

/// The two sides, ready to compare.
#[derive(Debug, Clone, Default)]
pub struct Sides {
    pub before: Vec<Value>,
    pub after: Vec<Value>,
    /// Objects that inform the rules without being compared (live HorizontalPodAutoscalers).
    pub context: Vec<Value>,
    pub before_label: String,
    pub after_label: String,
}

/// Compares the two sides.
pub fn compare(sides: Sides, options: &Options) -> Result<Report> {
    let pairs = matching::pair(&sides.before, &sides.after)?;
    let ctx = normalize::Context::new(
        sides
            .before
            .iter()
            .chain(&sides.after)
            .chain(&sides.context),
    );
    let mut objects = Vec::with_capacity(pairs.len());
    for pair in pairs {
        objects.push(normalize::diff_pair(pair, &ctx, options));
    }
    let impacts = impact::analyse(&objects);
    Ok(Report {
        before_label: sides.before_label,
        after_label: sides.after_label,
        objects,
        impacts,
    })
}

/// Structural changes from `a` to `b`, as JSON pointers: maps key by key, lists index by
/// index (a longer list adds at the end, a shorter one removes there).
pub fn field_changes(a: Option<&Value>, b: Option<&Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk_changes(a, b, &mut String::new(), &mut out);
    out
}

fn walk_changes(
    a: Option<&Value>,
    b: Option<&Value>,
    path: &mut String,
    out: &mut Vec<FieldChange>,
) {
    match (a, b) {
        (Some(Value::Object(ma)), Some(Value::Object(mb))) => {
            for (k, va) in ma {
                let len = path.len();
                push_segment(path, k);
                walk_changes(Some(va), mb.get(k), path, out);
                path.truncate(len);
            }
            for (k, vb) in mb.iter().filter(|(k, _)| !ma.contains_key(*k)) {
                let len = path.len();
                push_segment(path, k);
                walk_changes(None, Some(vb), path, out);
                path.truncate(len);
            }
        }
        (Some(Value::Array(xa)), Some(Value::Array(xb))) => {
            for i in 0..xa.len().max(xb.len()) {
                let len = path.len();
                push_segment(path, &i.to_string());
                walk_changes(xa.get(i), xb.get(i), path, out);
                path.truncate(len);
            }
        }
        (None, None) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            path: path.clone(),
            before: a.cloned(),
            after: b.cloned(),
        }),
    }
}

fn push_segment(path: &mut String, segment: &str) {
    path.push('/');
    path.push_str(&crate::yaml::escape_segment(segment));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_changes_use_json_pointers() {
        let a = json!({"spec": {"a": 1, "l": [1, 2], "k/x": "v"}});
        let b = json!({"spec": {"a": 2, "l": [1], "k/x": "v", "n": true}});
        let got: Vec<(String, &str)> = field_changes(Some(&a), Some(&b))
            .iter()
            .map(|c| (c.path.clone(), c.op()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("/spec/a".to_string(), "replace"),
                ("/spec/l/1".to_string(), "remove"),
                ("/spec/n".to_string(), "add"),
            ]
        );
        assert!(field_changes(Some(&a), Some(&a)).is_empty());
    }
}

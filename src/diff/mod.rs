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
pub use crate::kinds;
pub mod lists;
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

/// One changed field, by JSON pointer (RFC 6901) into the normalised object. Items of a
/// keyed list (see `lists.rs`) are named by their index on the proposed side (on the before
/// side for a removed item); a moved item is a `move` from its old index.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// For a list item that moved: its pointer on the before side.
    pub from: Option<String>,
}

impl FieldChange {
    pub fn op(&self) -> &'static str {
        match (&self.from, &self.before, &self.after) {
            (Some(_), _, _) => "move",
            (None, None, Some(_)) => "add",
            (None, Some(_), None) => "remove",
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
    /// With `--server-side`: fields other managers own that the apply would conflict on.
    pub conflicts: Vec<Conflict>,
}

/// A field another field manager owns, which a server-side apply of the proposed object
/// takes over only with `--force-conflicts` (the API server's `409 Conflict`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The field as the API server names it (`.spec.selector`).
    pub field: String,
    /// The manager that owns it (`rollouts-controller`).
    pub manager: String,
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
    /// (`clusterIP`) stand for fields the render leaves out, and the three-way rule applies.
    pub live: bool,
    /// The after side is the API server's answer to a server-side apply dry run.
    pub server_side: bool,
    /// `--secret-key-file`: Secret markers are HMACs under this key.
    pub secret_key: Option<normalize::secrets::SecretKey>,
}

/// The two sides, ready to compare.
#[derive(Debug, Clone, Default)]
pub struct Sides {
    pub before: Vec<Value>,
    pub after: Vec<Value>,
    /// Objects that inform the rules without being compared (live HorizontalPodAutoscalers).
    pub context: Vec<Value>,
    /// Server-side apply conflicts, by object.
    pub conflicts: Vec<(ObjectId, Conflict)>,
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
        let mut diff = normalize::diff_pair(pair, &ctx, options);
        let key = matching::Key::of_id(&diff.id);
        diff.conflicts = sides
            .conflicts
            .iter()
            .filter(|(id, _)| matching::Key::of_id(id) == key)
            .map(|(_, c)| c.clone())
            .collect();
        objects.push(diff);
    }
    let impacts = impact::analyse(&objects);
    Ok(Report {
        before_label: sides.before_label,
        after_label: sides.after_label,
        objects,
        impacts,
    })
}

/// Structural changes from `a` to `b`, as JSON pointers: maps key by key, keyed lists item
/// by item (an inserted item is one `add`, a moved one one `move`), other lists index by index
/// (a longer list adds at the end, a shorter one removes there).
pub fn field_changes(a: Option<&Value>, b: Option<&Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk_changes(a, b, "", &mut String::new(), &mut out);
    out
}

fn walk_changes(
    a: Option<&Value>,
    b: Option<&Value>,
    field: &str,
    path: &mut String,
    out: &mut Vec<FieldChange>,
) {
    match (a, b) {
        (Some(Value::Object(ma)), Some(Value::Object(mb))) => {
            for (k, va) in ma {
                let len = path.len();
                push_segment(path, k);
                walk_changes(Some(va), mb.get(k), k, path, out);
                path.truncate(len);
            }
            for (k, vb) in mb.iter().filter(|(k, _)| !ma.contains_key(*k)) {
                let len = path.len();
                push_segment(path, k);
                walk_changes(None, Some(vb), k, path, out);
                path.truncate(len);
            }
        }
        (Some(Value::Array(xa)), Some(Value::Array(xb))) => {
            let keyer = lists::Keyer::for_lists(field, xa, xb);
            let slots = lists::pair(keyer, xa, xb);
            let moved = if keyer.is_some() {
                lists::moved(&slots)
            } else {
                Vec::new()
            };
            for (i, j) in slots {
                let len = path.len();
                let at = j.or(i).expect("a slot holds an item");
                push_segment(path, &at.to_string());
                if let (Some(i), Some(j)) = (i, j)
                    && moved.contains(&j)
                {
                    let mut from = path[..len].to_string();
                    push_segment(&mut from, &i.to_string());
                    out.push(FieldChange {
                        path: path.clone(),
                        before: None,
                        after: None,
                        from: Some(from),
                    });
                }
                walk_changes(i.map(|i| &xa[i]), j.map(|j| &xb[j]), field, path, out);
                path.truncate(len);
            }
        }
        (None, None) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            path: path.clone(),
            before: a.cloned(),
            after: b.cloned(),
            from: None,
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

    #[test]
    fn an_inserted_env_entry_is_one_change() {
        let env = |names: &[&str]| -> Value {
            json!({"env": names.iter().map(|n| json!({"name": n, "value": n})).collect::<Vec<_>>()})
        };
        let got = field_changes(
            Some(&env(&["A", "B", "C"])),
            Some(&env(&["N", "A", "B", "C"])),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].path.as_str(), got[0].op()), ("/env/0", "add"));
        let got = field_changes(Some(&env(&["A", "B", "C"])), Some(&env(&["B", "C", "A"])));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            (got[0].path.as_str(), got[0].op(), got[0].from.as_deref()),
            ("/env/2", "move", Some("/env/0"))
        );
        // A changed value inside a matched item is named by its proposed index.
        let mut b = env(&["N", "A"]);
        b["env"][1]["value"] = json!("changed");
        let got = field_changes(Some(&env(&["A"])), Some(&b));
        let paths: Vec<&str> = got.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["/env/0", "/env/1/value"]);
    }
}

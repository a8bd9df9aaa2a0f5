//! Matching the two sides: an object is the same object when group, kind, namespace and name
//! agree. The version is left out, since the API server serves one object at every version
//! of its group (an HPA read as `autoscaling/v2` is the one applied as `v1`). The group is
//! read from the normalised apiVersion (`/v1` is the core group) and the kind without regard
//! to case, as the API server found the object the proposed spelling named.

use std::collections::BTreeMap;

use serde_json::Value;

use super::kinds::group_of;
use crate::error::{Error, Result};
use crate::manifest::ObjectId;

/// What matches two objects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Key {
    pub fn of(object: &Value) -> Option<Key> {
        Some(Key::of_id(&id_of(object)?))
    }

    pub fn of_id(id: &ObjectId) -> Key {
        Key {
            group: group_of(&id.api_version).to_string(),
            kind: id.kind.trim().to_ascii_lowercase(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
        }
    }
}

/// The identity of an object value (as `manifest::Object` reads it).
pub fn id_of(object: &Value) -> Option<ObjectId> {
    let s = |p: &str| object.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Some(ObjectId {
        api_version: s("/apiVersion")?,
        kind: s("/kind")?,
        namespace: s("/metadata/namespace").filter(|n| !n.is_empty()),
        name: s("/metadata/name")?,
    })
}

/// One object of either side or both.
#[derive(Debug, Clone)]
pub struct Pair {
    pub id: ObjectId,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Pairs the sides: proposed objects in their order, then objects only on the before side in
/// key order (the live side comes back in no particular order, and the output must not vary).
pub fn pair(before: &[Value], after: &[Value]) -> Result<Vec<Pair>> {
    let mut before_by_key: BTreeMap<Key, &Value> = BTreeMap::new();
    for o in before {
        let key = Key::of(o).ok_or_else(|| {
            Error::msg(
                "an object without identity",
                "every object needs apiVersion, kind and metadata.name",
            )
        })?;
        if before_by_key.insert(key, o).is_some() {
            return Err(duplicate(o, "the base"));
        }
    }
    let mut pairs = Vec::with_capacity(after.len() + before.len());
    let mut seen = std::collections::HashSet::new();
    for o in after {
        let key = Key::of(o).ok_or_else(|| {
            Error::msg(
                "an object without identity",
                "every object needs apiVersion, kind and metadata.name",
            )
        })?;
        if !seen.insert(key.clone()) {
            return Err(duplicate(o, "the proposed objects"));
        }
        let id = id_of(o).expect("checked above");
        pairs.push(Pair {
            id,
            before: before_by_key.remove(&key).cloned(),
            after: Some(o.clone()),
        });
    }
    for o in before_by_key.into_values() {
        pairs.push(Pair {
            id: id_of(o).expect("checked above"),
            before: Some(o.clone()),
            after: None,
        });
    }
    Ok(pairs)
}

fn duplicate(object: &Value, side: &str) -> Error {
    let id = id_of(object).expect("an object with identity");
    let ns = id
        .namespace
        .as_deref()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    Error::one(
        crate::error::Diagnostic::new(
            None,
            format!("{side} hold two objects {} {ns}{}", id.kind, id.name),
        )
        .with_help("each object may appear once; remove the copy"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_by_group_kind_namespace_name() {
        let hpa = |v: &str, ns: &str| json!({"apiVersion": v, "kind": "HorizontalPodAutoscaler", "metadata": {"name": "a", "namespace": ns}});
        let before = vec![hpa("autoscaling/v1", "x"), hpa("autoscaling/v1", "y")];
        let after = vec![hpa("autoscaling/v2", "x"), hpa("autoscaling/v2", "z")];
        let pairs = pair(&before, &after).unwrap();
        let got: Vec<(Option<&str>, bool, bool)> = pairs
            .iter()
            .map(|p| {
                (
                    p.id.namespace.as_deref(),
                    p.before.is_some(),
                    p.after.is_some(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("x"), true, true),
                (Some("z"), false, true),
                (Some("y"), true, false)
            ]
        );
        assert!(pair(&[], &[hpa("v", "x"), hpa("v", "x")]).is_err());
    }

    #[test]
    fn spellings_of_one_object_pair() {
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "prod"}});
        let proposed = json!({"apiVersion": "/v1", "kind": "secret", "metadata": {"name": "db", "namespace": "prod"}});
        let pairs = pair(&[live], &[proposed]).unwrap();
        assert_eq!(pairs.len(), 1);
        assert!(pairs[0].before.is_some());
    }
}

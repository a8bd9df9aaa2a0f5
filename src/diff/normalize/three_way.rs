//! The three-way rule `kubectl apply` and Argo CD use: a field the live object holds and the
//! proposed one leaves out is a change only when the user's own tooling set it: it is in the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation (client-side apply), or an
//! `Apply` manager owns it in `managedFields` (server-side apply). Anything else was set by
//! the API server, an admission plugin or a controller; applying the proposed object leaves
//! it alone, so it is no change (rule `server-owned`). Objects with neither record (made by
//! `kubectl create` or a controller) fall back to the defaults tables.

use serde_json::{Map, Value};

use super::Suppressed;
use crate::diff::lists::{self, Keyer};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What the user's tooling applied to a live object.
#[derive(Debug)]
pub struct Record {
    last_applied: Option<Value>,
    /// `fieldsV1` of each `Apply` entry of `managedFields`.
    applied: Vec<Value>,
}

impl Record {
    /// The record a live object carries, if any.
    pub fn of(live: &Value) -> Option<Record> {
        let last_applied = live
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(LAST_APPLIED))
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .filter(Value::is_object)
            .map(|mut v| {
                // The annotation holds `stringData` as written; the live side has `data`.
                super::secrets::fold_string_data(&mut v);
                v
            });
        let applied: Vec<Value> = live
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|m| m.get("operation").and_then(Value::as_str) == Some("Apply"))
            .filter_map(|m| m.get("fieldsV1").filter(|f| f.is_object()).cloned())
            .collect();
        (last_applied.is_some() || !applied.is_empty()).then_some(Record {
            last_applied,
            applied,
        })
    }
}

/// Where a walk stands in one manager's `fieldsV1`.
#[derive(Clone, Copy)]
enum Owned<'a> {
    /// Fields under this node may be owned.
    Node(&'a Map<String, Value>),
    /// An atomic field, owned whole: everything below is owned.
    All,
}

fn child<'a>(owned: &[Owned<'a>], key: &str) -> Vec<Owned<'a>> {
    let name = format!("f:{key}");
    owned
        .iter()
        .filter_map(|o| match o {
            Owned::All => Some(Owned::All),
            Owned::Node(m) => match m.get(&name)? {
                Value::Object(c) if c.is_empty() => Some(Owned::All),
                Value::Object(c) => Some(Owned::Node(c)),
                _ => Some(Owned::All),
            },
        })
        .collect()
}

/// The entries naming one list item: `k:{"name":"web"}` for an item of a keyed list,
/// `v:"x"` for a member of a set.
fn item<'a>(owned: &[Owned<'a>], value: &Value) -> Vec<Owned<'a>> {
    owned
        .iter()
        .filter_map(|o| match o {
            Owned::All => Some(Owned::All),
            Owned::Node(m) => m.iter().find_map(|(k, c)| {
                let hit = if let Some(key) = k.strip_prefix("k:") {
                    match serde_json::from_str::<Value>(key) {
                        Ok(Value::Object(fields)) => Keyer::names(value, &fields),
                        _ => false,
                    }
                } else if let Some(v) = k.strip_prefix("v:") {
                    serde_json::from_str::<Value>(v).is_ok_and(|v| &v == value)
                } else {
                    false
                };
                hit.then(|| match c {
                    Value::Object(c) if !c.is_empty() => Owned::Node(c),
                    _ => Owned::All,
                })
            }),
        })
        .collect()
}

/// Drops from `before` (live) what it holds beyond `after` (proposed) that the record does
/// not show the user setting.
pub fn apply(before: &mut Value, after: &Value, record: &Record, out: &mut Vec<Suppressed>) {
    let owned: Vec<Owned> = record
        .applied
        .iter()
        .filter_map(|f| f.as_object().map(Owned::Node))
        .collect();
    walk(
        before,
        after,
        record.last_applied.as_ref(),
        &owned,
        "",
        &mut String::new(),
        out,
    );
}

fn walk(
    before: &mut Value,
    after: &Value,
    applied: Option<&Value>,
    owned: &[Owned],
    field: &str,
    path: &mut String,
    out: &mut Vec<Suppressed>,
) {
    let len = path.len();
    match (before, after) {
        (Value::Object(mb), Value::Object(ma)) => {
            let keys: Vec<String> = mb.keys().cloned().collect();
            for k in keys {
                path.push('/');
                path.push_str(&crate::yaml::escape_segment(&k));
                let in_applied = applied.and_then(|a| a.get(&k));
                let owned_k = child(owned, &k);
                match ma.get(&k) {
                    // Left to `empty-values`.
                    None if mb.get(&k).is_some_and(super::equiv::is_empty) => {}
                    None if in_applied.is_none() && owned_k.is_empty() => {
                        mb.shift_remove(&k);
                        out.push(Suppressed {
                            path: path.clone(),
                            rule: "server-owned".into(),
                        });
                    }
                    // Set by the user, and left out now: what of it the user set goes
                    // (a change); what others added under it stays.
                    None => {
                        let empty = match mb.get(&k) {
                            Some(Value::Object(_)) => Value::Object(Map::new()),
                            Some(Value::Array(_)) => Value::Array(Vec::new()),
                            _ => Value::Null,
                        };
                        if let Some(b) = mb.get_mut(&k) {
                            walk(b, &empty, in_applied, &owned_k, &k, path, out);
                        }
                    }
                    Some(a) => {
                        if let Some(b) = mb.get_mut(&k) {
                            walk(b, a, in_applied, &owned_k, &k, path, out);
                        }
                    }
                }
                path.truncate(len);
            }
        }
        (Value::Array(xb), Value::Array(xa)) => {
            let applied_list = applied.and_then(Value::as_array);
            let mut gone = Vec::new();
            match Keyer::for_lists(field, xb, xa) {
                Some(keyer) => {
                    for (i, j) in lists::pair(Some(keyer), xb, xa) {
                        let Some(i) = i else { continue };
                        let key = keyer.key(&xb[i]);
                        let in_applied = applied_list
                            .and_then(|l| l.iter().find(|x| keyer.key(x) == key && key.is_some()));
                        let owned_i = item(owned, &xb[i]);
                        match j {
                            None if in_applied.is_none() && owned_i.is_empty() => gone.push(i),
                            None => {}
                            Some(j) => {
                                path.push('/');
                                path.push_str(&j.to_string());
                                walk(&mut xb[i], &xa[j], in_applied, &owned_i, field, path, out);
                                path.truncate(len);
                            }
                        }
                    }
                }
                // Finalizers are a set: a member the render lacks and the record does not
                // hold was added by a controller.
                None if field == "finalizers" => {
                    for (i, v) in xb.iter().enumerate() {
                        let set_by_user = applied_list.is_some_and(|l| l.contains(v))
                            || !item(owned, v).is_empty();
                        if !xa.contains(v) && !set_by_user {
                            gone.push(i);
                        }
                    }
                }
                // Other lists are atomic: applying replaces them whole.
                None => {}
            }
            for i in gone.into_iter().rev() {
                xb.remove(i);
                out.push(Suppressed {
                    path: format!("{path}/{i}"),
                    rule: "server-owned".into(),
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(mut live: Value, proposed: &Value) -> (Value, Vec<String>) {
        let record = Record::of(&live).expect("a record");
        // As the drop rules leave it.
        if let Some(meta) = live["metadata"].as_object_mut() {
            meta.remove("managedFields");
            meta.remove("annotations");
        }
        let mut out = Vec::new();
        apply(&mut live, proposed, &record, &mut out);
        (live, out.into_iter().map(|s| s.path).collect())
    }

    #[test]
    fn last_applied_decides_what_the_user_set() {
        let applied = json!({"spec": {"a": 1, "b": 2, "list": [{"name": "x", "v": 1}]}});
        let live = json!({"metadata": {"annotations": {LAST_APPLIED: applied.to_string()}},
            "spec": {"a": 1, "b": 2, "server": true,
                "list": [{"name": "x", "v": 1, "default": 0}, {"name": "added", "v": 9}]}});
        // `b` was applied and is now left out: a change; what the server added is not.
        let proposed = json!({"metadata": {"annotations": {}}, "spec": {"a": 1, "list": [{"name": "x", "v": 1}]}});
        let (live, gone) = run(live, &proposed);
        assert_eq!(
            gone,
            vec!["/spec/server", "/spec/list/0/default", "/spec/list/1"]
        );
        assert_eq!(
            live["spec"],
            json!({"a": 1, "b": 2, "list": [{"name": "x", "v": 1}]})
        );
    }

    #[test]
    fn apply_managers_own_what_they_listed() {
        let fields = json!({"f:spec": {"f:replicas": {}, "f:selector": {},
            "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}},
            "f:metadata": {"f:finalizers": {"v:\"example.com/mine\"": {}}}});
        let live = json!({"metadata": {"managedFields": [
                {"manager": "argocd-controller", "operation": "Apply", "fieldsV1": fields},
                {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {"f:spec": {"f:paused": {}}}}],
                "finalizers": ["example.com/mine", "kubernetes.io/pvc-protection"]},
            "spec": {"replicas": 3, "paused": false, "selector": {"app": "a", "extra": "b"},
                "template": {"spec": {"containers": [{"name": "web", "image": "i", "imagePullPolicy": "Always"}]}}}});
        let proposed = json!({"metadata": {}, "spec": {"selector": {"app": "a"},
            "template": {"spec": {"containers": [{"name": "web", "image": "i"}]}}}});
        let (live, gone) = run(live, &proposed);
        // replicas and the finalizer were applied: still there, so they show as removals.
        assert_eq!(
            gone,
            vec![
                "/metadata/finalizers/1",
                "/spec/paused",
                "/spec/template/spec/containers/0/imagePullPolicy"
            ]
        );
        assert_eq!(live["spec"]["replicas"], 3);
        // An atomic map is owned whole.
        assert_eq!(live["spec"]["selector"]["extra"], "b");
    }

    #[test]
    fn no_record_no_rule() {
        assert!(
            Record::of(
                &json!({"metadata": {"managedFields": [{"operation": "Update", "fieldsV1": {}}]}})
            )
            .is_none()
        );
        assert!(
            Record::of(&json!({"metadata": {"annotations": {LAST_APPLIED: "not json"}}})).is_none()
        );
    }
}

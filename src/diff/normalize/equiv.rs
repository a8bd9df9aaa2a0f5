//! The equivalence machinery: rules that look at both sides at once, so that a field one side
//! leaves out and the other holds at its default (`protocol: TCP`), or two spellings of one
//! value (`cpu: 1000m` and `cpu: 1`), compare equal without hiding a real change. The tables
//! of which field defaults to what are in `defaults.rs`; this file walks objects with them.
//!
//! A rule names a parent by pattern (`/spec/template/spec/containers/*`) and a field in it.
//! `*` on a list pairs items by merge key (`lists.rs`); a parent missing on one side counts as
//! an empty map there, so a whole defaulted block (`updateStrategy`) the render leaves out
//! empties on the live side and then goes by `empty-values`.

use serde_json::{Map, Value};

use super::Suppressed;
use crate::diff::lists::{self, Keyer, int_or_string_eq};

#[derive(Debug)]
pub(super) enum Equiv {
    /// The field at this value is the same as the field left out.
    Default(Value),
    /// Left out means "the same as this sibling field" (`targetPort` = `port`).
    SameAs(&'static str),
    /// Left out means the value this computes from the parent map of the side leaving it out
    /// (`policyTypes` from whether `egress` is there), when it computes one.
    Computed(fn(&Map<String, Value>) -> Option<Value>),
    /// Allocated by the server: any live value stands for a field the render leaves out.
    /// Used only where the object carries no record of what was applied.
    Assigned,
    Quantity,
    IntOrString,
}

#[derive(Debug)]
pub(super) struct PairRule {
    pub name: &'static str,
    pub kinds: &'static [&'static str],
    pub parent: Vec<String>,
    /// A field name, or `*` for every field of the parent.
    pub field: &'static str,
    pub equiv: Equiv,
}

/// Items the API server or an admission plugin adds to a list (the service-account token
/// volume, the default tolerations, system finalizers): dropped from the live side when the
/// render has no such item.
#[derive(Debug)]
pub(super) struct ItemRule {
    pub name: &'static str,
    pub kinds: &'static [&'static str],
    /// Pattern of the list itself.
    pub list: Vec<String>,
    pub added: fn(&Value) -> bool,
}

/// A default that needs the whole object: what the API server copies from one place of it
/// into another (a Job's labels from its template, a Namespace's name into a label).
pub(super) struct Special {
    pub kinds: &'static [&'static str],
    pub apply: fn(&mut Value, &mut Value, &mut Vec<Suppressed>),
}

/// How the pair at hand was read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mode {
    /// The before side came from a cluster.
    pub live: bool,
    /// The live object has no record of what was applied (no last-applied configuration, no
    /// Apply entry in `managedFields`): server-assigned fields are recognised from the tables.
    pub fallback: bool,
}

/// Applies the rules of `kind` to a pair: `before` takes `after`'s spelling of equal values,
/// and a default-valued field one side leaves out goes from the other.
pub(super) fn equivalences(
    before: &mut Value,
    after: &mut Value,
    kind: Option<&str>,
    mode: Mode,
    out: &mut Vec<Suppressed>,
) {
    let Some(kind) = kind else {
        return;
    };
    for rule in super::defaults::pair_rules()
        .iter()
        .filter(|r| r.kinds.contains(&kind))
    {
        if matches!(rule.equiv, Equiv::Assigned) && !(mode.live && mode.fallback) {
            // Only the API server assigns values; between two renders a written clusterIP
            // is a change like any other, and with a record the three-way rule decides.
            continue;
        }
        let parent: Vec<&str> = rule.parent.iter().map(String::as_str).collect();
        walk(
            before,
            after,
            &parent,
            "",
            &mut String::new(),
            &mut |b, a, _, path| {
                let mut empty_b = Map::new();
                let mut empty_a = Map::new();
                let mb = match b {
                    Value::Object(m) => m,
                    Value::Null => &mut empty_b,
                    _ => return,
                };
                let ma = match a {
                    Value::Object(m) => m,
                    Value::Null => &mut empty_a,
                    _ => return,
                };
                apply(rule, mb, ma, path, out);
            },
        );
    }
    for special in super::defaults::specials()
        .iter()
        .filter(|s| s.kinds.contains(&kind))
    {
        (special.apply)(before, after, out);
    }
    if mode.live {
        for rule in super::defaults::item_rules()
            .iter()
            .filter(|r| r.kinds.contains(&kind))
        {
            let list: Vec<&str> = rule.list.iter().map(String::as_str).collect();
            walk(
                before,
                after,
                &list,
                "",
                &mut String::new(),
                &mut |b, a, field, path| drop_added_items(rule, b, a, field, path, out),
            );
        }
    }
}

/// What [`walk`] calls on each pair of values found at a pattern, with the name of the field
/// holding them and their path. A side that lacks the value holds `Null`.
type PairFn<'a> = dyn FnMut(&mut Value, &mut Value, &str, &str) + 'a;

/// Calls `f` on each pair of values at `pattern` (`*` matches the keys both maps hold, or the
/// list items both lists hold, paired by merge key and named by their proposed index).
fn walk(
    a: &mut Value,
    b: &mut Value,
    pattern: &[&str],
    field: &str,
    path: &mut String,
    f: &mut PairFn<'_>,
) {
    let Some((head, rest)) = pattern.split_first() else {
        f(a, b, field, path);
        return;
    };
    let len = path.len();
    if let (Value::Array(xa), Value::Array(xb)) = (&mut *a, &mut *b) {
        if *head != "*" {
            return;
        }
        let keyer = Keyer::for_lists(field, xa, xb);
        for (i, j) in lists::pair(keyer, xa, xb) {
            if let (Some(i), Some(j)) = (i, j) {
                path.push('/');
                path.push_str(&j.to_string());
                walk(&mut xa[i], &mut xb[j], rest, field, path, f);
                path.truncate(len);
            }
        }
        return;
    }
    let keys: Vec<String> = match (&*a, &*b) {
        (Value::Object(ma), Value::Object(mb)) if *head == "*" => {
            ma.keys().filter(|k| mb.contains_key(*k)).cloned().collect()
        }
        (Value::Object(_) | Value::Null, Value::Object(_) | Value::Null) if *head != "*" => {
            vec![(*head).to_string()]
        }
        _ => return,
    };
    for k in keys {
        let mut missing_a = Value::Null;
        let mut missing_b = Value::Null;
        let x = match &mut *a {
            Value::Object(m) => m.get_mut(&k),
            _ => None,
        };
        let y = match &mut *b {
            Value::Object(m) => m.get_mut(&k),
            _ => None,
        };
        if x.is_none() && y.is_none() {
            continue;
        }
        path.push('/');
        path.push_str(&crate::yaml::escape_segment(&k));
        walk(
            x.unwrap_or(&mut missing_a),
            y.unwrap_or(&mut missing_b),
            rest,
            &k,
            path,
            f,
        );
        path.truncate(len);
    }
}

/// Whether two values are one value: equal, or the same number or quantity written two ways,
/// member by member.
pub(super) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_value(v, w))
        }
        (Value::String(_) | Value::Number(_), Value::String(_) | Value::Number(_)) => {
            a == b || int_or_string_eq(a, b) || quantity_eq(a, b)
        }
        _ => a == b,
    }
}

fn apply(
    rule: &PairRule,
    before: &mut Map<String, Value>,
    after: &mut Map<String, Value>,
    path: &str,
    out: &mut Vec<Suppressed>,
) {
    let fields: Vec<String> = if rule.field == "*" {
        let mut keys: Vec<String> = before.keys().cloned().collect();
        keys.extend(after.keys().filter(|k| !before.contains_key(*k)).cloned());
        keys
    } else {
        vec![rule.field.to_string()]
    };
    for f in fields {
        let record = |out: &mut Vec<Suppressed>| {
            out.push(Suppressed {
                path: format!("{path}/{}", crate::yaml::escape_segment(&f)),
                rule: rule.name.to_string(),
            });
        };
        match &rule.equiv {
            Equiv::Quantity | Equiv::IntOrString => {
                let (Some(x), Some(y)) = (before.get(&f), after.get(&f)) else {
                    continue;
                };
                let same = match rule.equiv {
                    Equiv::Quantity => quantity_eq(x, y),
                    _ => int_or_string_eq(x, y),
                };
                if x != y && same {
                    before.insert(f.clone(), y.clone());
                    record(out);
                }
            }
            Equiv::Assigned => {
                if before.contains_key(&f) && !after.contains_key(&f) {
                    before.shift_remove(&f);
                    record(out);
                }
            }
            Equiv::Default(_) | Equiv::SameAs(_) | Equiv::Computed(_) => {
                // `m` holds the value; `other` is the parent on the side leaving it out.
                let is_default =
                    |m: &Map<String, Value>, other: &Map<String, Value>, v: &Value| match &rule
                        .equiv
                    {
                        Equiv::Default(d) => same_value(v, d),
                        Equiv::SameAs(sibling) => {
                            m.get(*sibling).is_some_and(|s| int_or_string_eq(s, v))
                        }
                        Equiv::Computed(compute) => {
                            compute(other).is_some_and(|d| same_value(v, &d))
                        }
                        _ => false,
                    };
                match (before.get(&f), after.get(&f)) {
                    (Some(x), None) if is_default(before, after, x) => {
                        before.shift_remove(&f);
                        record(out);
                    }
                    (None, Some(y)) if is_default(after, before, y) => {
                        after.shift_remove(&f);
                        record(out);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Drops from the live list `b` the items `rule` recognises as added by the server that the
/// render's list `a` does not hold.
fn drop_added_items(
    rule: &ItemRule,
    before: &mut Value,
    after: &mut Value,
    field: &str,
    path: &str,
    out: &mut Vec<Suppressed>,
) {
    let Value::Array(xb) = before else {
        return;
    };
    let empty = Vec::new();
    let xa = match after {
        Value::Array(xa) => xa,
        _ => &empty,
    };
    let unmatched: Vec<usize> = match Keyer::for_lists(field, xb, xa) {
        Some(keyer) => lists::pair(Some(keyer), xb, xa)
            .into_iter()
            .filter_map(|(i, j)| if j.is_none() { i } else { None })
            .collect(),
        None => (0..xb.len()).filter(|&i| !xa.contains(&xb[i])).collect(),
    };
    for i in unmatched.into_iter().rev() {
        if (rule.added)(&xb[i]) {
            xb.remove(i);
            out.push(Suppressed {
                path: format!("{path}/{i}"),
                rule: rule.name.to_string(),
            });
        }
    }
}

/// Whether a value holds nothing: `null`, `{}`, `[]`, or a map of such values
/// (`updateStrategy: {rollingUpdate: {}}` once its defaults went).
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(is_empty),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Removes from `m` the empty fields `other` leaves out.
fn drop_empty(
    m: &mut Map<String, Value>,
    other: &Map<String, Value>,
    path: &str,
    out: &mut Vec<Suppressed>,
) {
    let gone: Vec<String> = m
        .iter()
        .filter(|(k, v)| is_empty(v) && !other.contains_key(*k))
        .map(|(k, _)| k.clone())
        .collect();
    for k in gone {
        m.shift_remove(&k);
        out.push(Suppressed {
            path: format!("{path}/{}", crate::yaml::escape_segment(&k)),
            rule: "empty-values".into(),
        });
    }
}

/// `empty-values`, at every depth (list items paired by merge key).
pub(super) fn empty_values(
    before: &mut Value,
    after: &mut Value,
    field: &str,
    path: &mut String,
    out: &mut Vec<Suppressed>,
) {
    let len = path.len();
    match (before, after) {
        (Value::Object(mb), Value::Object(ma)) => {
            drop_empty(mb, ma, path, out);
            drop_empty(ma, mb, path, out);
            let shared: Vec<String> = mb.keys().filter(|k| ma.contains_key(*k)).cloned().collect();
            for k in shared {
                path.push('/');
                path.push_str(&crate::yaml::escape_segment(&k));
                if let (Some(x), Some(y)) = (mb.get_mut(&k), ma.get_mut(&k)) {
                    empty_values(x, y, &k, path, out);
                }
                path.truncate(len);
            }
        }
        (Value::Array(xb), Value::Array(xa)) => {
            let keyer = Keyer::for_lists(field, xb, xa);
            for (i, j) in lists::pair(keyer, xb, xa) {
                if let (Some(i), Some(j)) = (i, j) {
                    path.push('/');
                    path.push_str(&j.to_string());
                    empty_values(&mut xb[i], &mut xa[j], field, path, out);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// Two quantities are equal when they stand for the same amount.
pub fn quantity_eq(a: &Value, b: &Value) -> bool {
    match (parse_quantity(a), parse_quantity(b)) {
        (Some(x), Some(y)) => {
            let scale = x.abs().max(y.abs()).max(f64::MIN_POSITIVE);
            (x - y).abs() <= scale * 1e-12
        }
        _ => a == b,
    }
}

/// A Kubernetes quantity (`500m`, `1.5Gi`, `1e3`, `2`) as a number; the rules' parser, so
/// diff and validate agree on what a quantity is.
pub fn parse_quantity(v: &Value) -> Option<f64> {
    crate::rules::k8s::quantity_of(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_and_int_or_string() {
        assert_eq!(parse_quantity(&json!("1000m")), Some(1.0));
        assert!(quantity_eq(&json!("1024Mi"), &json!("1Gi")));
        assert!(quantity_eq(&json!(1), &json!("1")));
        assert!(quantity_eq(&json!("0.1"), &json!("100m")));
        assert!(quantity_eq(&json!("1e3"), &json!("1k")));
        assert!(!quantity_eq(&json!("1Gi"), &json!("1G")));
        assert!(!quantity_eq(&json!("x"), &json!("y")));
        assert!(int_or_string_eq(&json!("80"), &json!(80)));
        assert!(!int_or_string_eq(&json!("http"), &json!(80)));
        assert!(!int_or_string_eq(&json!("25%"), &json!(25)));
    }

    #[test]
    fn empty_is_deep() {
        assert!(is_empty(&json!({"rollingUpdate": {}, "x": null})));
        assert!(!is_empty(&json!({"rollingUpdate": {"partition": 1}})));
        assert!(!is_empty(&json!([{}])));
        assert!(same_value(&json!({"cpu": "500m"}), &json!({"cpu": "0.5"})));
        assert!(!same_value(
            &json!({"cpu": "500m"}),
            &json!({"cpu": "0.5", "m": "1"})
        ));
    }
}

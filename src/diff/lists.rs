//! Lists matched by their merge key, as `kubectl apply` and server-side apply match them:
//! containers, env, volumes by `name`, volume mounts by `mountPath`, ports by port and
//! protocol. Normalisation, the three-way rule and the field changes pair list items by key,
//! so an entry inserted or moved in a list is one change, not a change of every entry after it.
//!
//! A list is keyed when every item on both sides is an object holding the key and no key
//! repeats on a side; anything else (a list of scalars, `command`, `tolerations`, items without
//! the key) is compared index by index.

use std::collections::HashMap;

use serde_json::Value;

/// The key fields of a list held under `field`, by what Kubernetes declares
/// (`patchMergeKey` / `listMapKeys`), with the default a missing key field stands for.
fn key_fields(
    field: &str,
    items: &[&Value],
) -> Option<&'static [(&'static str, Option<&'static str>)]> {
    const NAME: &[(&str, Option<&str>)] = &[("name", None)];
    let has = |k: &str| items.iter().all(|i| i.get(k).is_some());
    match field {
        "volumeMounts" => Some(&[("mountPath", None)]),
        "volumeDevices" => Some(&[("devicePath", None)]),
        "hostAliases" => Some(&[("ip", None)]),
        "topologySpreadConstraints" => Some(&[("topologyKey", None), ("whenUnsatisfiable", None)]),
        "ports" if has("containerPort") => {
            Some(&[("containerPort", None), ("protocol", Some("TCP"))])
        }
        "ports" if has("port") => Some(&[("port", None), ("protocol", Some("TCP"))]),
        // Every other list of named objects: containers, env, volumes, imagePullSecrets,
        // analysis metrics and args, Service ports by name.
        _ if has("name") && items.iter().all(|i| i["name"].is_string()) => Some(NAME),
        _ => None,
    }
}

/// How the items of one pair of lists are keyed.
#[derive(Debug, Clone, Copy)]
pub struct Keyer {
    fields: &'static [(&'static str, Option<&'static str>)],
}

impl Keyer {
    /// The keyer for the lists `a` and `b` held under `field`, or `None` when they are
    /// compared by position.
    pub fn for_lists(field: &str, a: &[Value], b: &[Value]) -> Option<Keyer> {
        let items: Vec<&Value> = a.iter().chain(b).collect();
        if items.is_empty() || !items.iter().all(|i| i.is_object()) {
            return None;
        }
        let keyer = Keyer {
            fields: key_fields(field, &items)?,
        };
        let unique = |list: &[Value]| {
            let mut seen = std::collections::HashSet::new();
            list.iter()
                .all(|i| keyer.key(i).is_some_and(|k| seen.insert(k)))
        };
        (unique(a) && unique(b)).then_some(keyer)
    }

    /// The key of one item: its key fields as canonical text (`80/TCP`, `web`).
    pub fn key(&self, item: &Value) -> Option<String> {
        let mut out = String::new();
        for (i, (field, default)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push('\u{0}');
            }
            match (item.get(*field), default) {
                (Some(Value::String(s)), _) => out.push_str(s),
                (Some(Value::Number(n)), _) => out.push_str(&n.to_string()),
                (None | Some(Value::Null), Some(d)) => out.push_str(d),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether `fields` (a managed-fields key, `{"containerPort":80,"protocol":"TCP"}`)
    /// names `item`.
    pub fn names(item: &Value, fields: &serde_json::Map<String, Value>) -> bool {
        fields.iter().all(|(k, v)| match (item.get(k), v) {
            (Some(x), y) => x == y || int_or_string_eq(x, y),
            (None, Value::String(s)) => k == "protocol" && s == "TCP",
            _ => false,
        })
    }
}

/// One entry of a pairing: the index on each side (`None` where the item is absent).
pub type Slot = (Option<usize>, Option<usize>);

/// Pairs the items of `a` and `b`: `b`'s items in order (with the `a` item of the same key,
/// if any), then the items only `a` holds, in `a`'s order. Without a keyer, by index.
pub fn pair(keyer: Option<Keyer>, a: &[Value], b: &[Value]) -> Vec<Slot> {
    let Some(keyer) = keyer else {
        return (0..a.len().max(b.len()))
            .map(|i| ((i < a.len()).then_some(i), (i < b.len()).then_some(i)))
            .collect();
    };
    let mut in_a: HashMap<String, usize> = a
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((keyer.key(v)?, i)))
        .collect();
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for (j, item) in b.iter().enumerate() {
        let i = keyer.key(item).and_then(|k| in_a.remove(&k));
        out.push((i, Some(j)));
    }
    let mut rest: Vec<usize> = in_a.into_values().collect();
    rest.sort_unstable();
    out.extend(rest.into_iter().map(|i| (Some(i), None)));
    out
}

/// The `b`-side positions of the matched items that moved: the fewest items whose moving
/// turns `a`'s order into `b`'s (those outside a longest run kept in order).
pub fn moved(slots: &[Slot]) -> Vec<usize> {
    let matched: Vec<(usize, usize)> = slots.iter().filter_map(|&(i, j)| Some((i?, j?))).collect();
    // Longest increasing subsequence of the `a` indices, in `b` order (patience sorting).
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; matched.len()];
    for (n, &(i, _)) in matched.iter().enumerate() {
        let at = tails.partition_point(|&t| matched[t].0 < i);
        if at > 0 {
            prev[n] = Some(tails[at - 1]);
        }
        if at == tails.len() {
            tails.push(n);
        } else {
            tails[at] = n;
        }
    }
    let mut kept = vec![false; matched.len()];
    let mut cur = tails.last().copied();
    while let Some(n) = cur {
        kept[n] = true;
        cur = prev[n];
    }
    matched
        .iter()
        .zip(kept)
        .filter(|(_, k)| !k)
        .map(|(&(_, j), _)| j)
        .collect()
}

/// Two int-or-string values are equal when equal, or when one is the other's digits.
pub fn int_or_string_eq(a: &Value, b: &Value) -> bool {
    fn canon(v: &Value) -> Option<i64> {
        match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s)
                if !s.is_empty() && s.len() < 19 && s.bytes().all(|c| c.is_ascii_digit()) =>
            {
                s.parse().ok()
            }
            _ => None,
        }
    }
    a == b || matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(list: &[&str]) -> Vec<Value> {
        list.iter().map(|n| json!({"name": n})).collect()
    }

    #[test]
    fn named_items_pair_by_name() {
        let a = names(&["a", "b", "c"]);
        let b = names(&["x", "a", "b", "c"]);
        let keyer = Keyer::for_lists("env", &a, &b);
        assert!(keyer.is_some());
        let slots = pair(keyer, &a, &b);
        assert_eq!(
            slots,
            vec![
                (None, Some(0)),
                (Some(0), Some(1)),
                (Some(1), Some(2)),
                (Some(2), Some(3))
            ]
        );
        assert!(moved(&slots).is_empty());
    }

    #[test]
    fn a_moved_item_is_one_move() {
        let a = names(&["a", "b", "c", "d"]);
        let b = names(&["b", "c", "d", "a"]);
        let slots = pair(Keyer::for_lists("containers", &a, &b), &a, &b);
        assert_eq!(moved(&slots), vec![3]);
    }

    #[test]
    fn ports_key_on_port_and_protocol() {
        let a = vec![
            json!({"containerPort": 80}),
            json!({"containerPort": 53, "protocol": "UDP"}),
        ];
        let b = vec![
            json!({"containerPort": 53, "protocol": "UDP"}),
            json!({"containerPort": 80, "protocol": "TCP"}),
        ];
        let slots = pair(Keyer::for_lists("ports", &a, &b), &a, &b);
        assert_eq!(slots, vec![(Some(1), Some(0)), (Some(0), Some(1))]);
    }

    #[test]
    fn unkeyed_lists_pair_by_index() {
        let a = vec![json!("x"), json!("y")];
        let b = vec![json!("y")];
        assert!(Keyer::for_lists("command", &a, &b).is_none());
        assert_eq!(
            pair(None, &a, &b),
            vec![(Some(0), Some(0)), (Some(1), None)]
        );
        // A repeated key falls back to positions.
        let dup = names(&["a", "a"]);
        assert!(Keyer::for_lists("env", &dup, &dup).is_none());
    }

    #[test]
    fn managed_field_keys_name_items() {
        let item = json!({"containerPort": 80, "name": "http"});
        let key = json!({"containerPort": 80, "protocol": "TCP"});
        assert!(Keyer::names(&item, key.as_object().unwrap()));
        let other = json!({"containerPort": 81});
        assert!(!Keyer::names(&other, key.as_object().unwrap()));
    }
}

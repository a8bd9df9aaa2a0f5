//! Helm's two ways of combining values trees.
//!
//! `merge_maps` is how Helm folds `-f` files together: maps merge deeply, anything else
//! (scalars, lists, `null`) is replaced by the right-most file. `coalesce` is how user values
//! are laid over a chart's values: the same, except that a `null` deletes the key it lands on,
//! which is how a user switches off a chart default.

use serde_json::{Map, Value};

/// Folds `overlay` into `base` as Helm merges `-f` files: right-most wins, maps merge deeply.
pub fn merge_maps(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => merge_maps(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// Lays `overlay` (user values) over `base` (chart values) as Helm coalesces them.
///
/// A `null` in `overlay` deletes the key from `base`; where `base` has no such key the `null`
/// stays, as `helm template` shows it in `.Values`.
pub fn coalesce(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(_), Value::Null) => {
                base.shift_remove(&key);
            }
            (Some(Value::Object(b)), Value::Object(o)) => coalesce(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// Removes map entries whose value is `null`, at every depth: once layering is done, a key
/// set to `null` means the same as a key never written.
pub fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn merge_maps_is_deep_and_replaces_lists() {
        let mut base = obj(json!({"a": {"b": 1, "c": [1, 2]}, "d": 1}));
        merge_maps(
            &mut base,
            obj(json!({"a": {"c": [3], "e": null}, "d": {"x": 1}})),
        );
        assert_eq!(
            Value::Object(base),
            json!({"a": {"b": 1, "c": [3], "e": null}, "d": {"x": 1}})
        );
    }

    #[test]
    fn coalesce_null_deletes_existing_keys_and_stays_elsewhere() {
        let mut base = obj(json!({"defaults": {"keep": 1, "drop": 2}}));
        coalesce(
            &mut base,
            obj(json!({"defaults": {"drop": null}, "a": null})),
        );
        assert_eq!(
            Value::Object(base),
            json!({"defaults": {"keep": 1}, "a": null})
        );
    }

    #[test]
    fn drop_nulls_reaches_maps_inside_lists() {
        let mut v = json!({"a": null, "b": [{"c": null, "d": 1}, null]});
        drop_nulls(&mut v);
        assert_eq!(v, json!({"b": [{"d": 1}, null]}));
    }
}

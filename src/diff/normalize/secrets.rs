//! Secrets: recognised by group and kind after the apiVersion is parsed and normalised, on
//! each side on its own (the proposed spelling, and what the cluster answered), and masked
//! before anything leaves the comparison.
//!
//! The marker says only whether a value changed: `<secret>` where it is the same on both
//! sides (or on one side only), `<secret (before)>` and `<secret (after)>` where it changed.
//! Nothing of the value goes into it, so there is nothing to try candidates against and
//! nothing that links two objects holding the same value. With `--secret-key-file`, the
//! marker is instead an HMAC-SHA256 under the user's key of the object's identity, the data
//! key and the value (`<secret hmac:…>`): stable between runs for one object, unlinkable
//! across objects, and not to be brute-forced without the key.

use serde_json::{Map, Value};

use crate::diff::kinds;

/// A key for `<secret hmac:…>` markers, read from `--secret-key-file`.
#[derive(Clone)]
pub struct SecretKey(ring::hmac::Key);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// The fewest bytes a key may have.
pub const MIN_KEY_BYTES: usize = 16;

impl SecretKey {
    /// A key from the bytes of a key file (surrounding whitespace trimmed).
    pub fn new(bytes: &[u8]) -> Result<SecretKey, String> {
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the key has {} bytes; it needs at least {MIN_KEY_BYTES}",
                trimmed.len()
            ));
        }
        Ok(SecretKey(ring::hmac::Key::new(
            ring::hmac::HMAC_SHA256,
            trimmed,
        )))
    }

    fn marker(&self, identity: &str, key: &str, value: &str) -> String {
        let mut ctx = ring::hmac::Context::with_key(&self.0);
        for part in ["rollwright-secret-v1", identity, key, value] {
            // Length-prefixed, so no two different inputs share a byte string.
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part.as_bytes());
        }
        let tag = ctx.sign();
        let hex: String = tag.as_ref()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("<secret hmac:{hex}>")
    }
}

/// Whether an object is a core Secret: the group of its normalised apiVersion is the core
/// group and its kind is `Secret` in any case (`apiVersion: /v1`, `kind: secret` included).
pub fn is_secret(object: &Value) -> bool {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    kind.trim().eq_ignore_ascii_case("secret")
        && kinds::parse_api_version(api_version).is_some_and(|(group, _)| group.is_empty())
}

/// Folds Secret `stringData` into `data`, as the API server does on write.
pub fn fold_string_data(v: &mut Value) {
    if !is_secret(v) {
        return;
    }
    let Value::Object(obj) = v else {
        return;
    };
    let Some(Value::Object(string_data)) = obj.shift_remove("stringData") else {
        return;
    };
    let data = obj
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(data) = data {
        for (k, s) in string_data {
            let text = match s {
                Value::String(s) => s,
                other => other.to_string(),
            };
            data.insert(k, Value::String(base64(text.as_bytes())));
        }
    } else {
        // `data` that is not a map: replaced, so the folded values never show in clear.
        *data = Value::Object(Map::new());
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Masks the values of a pair of Secrets (either side may be absent). `identity` names the
/// object for HMAC markers.
pub fn mask(
    before: Option<&mut Value>,
    after: Option<&mut Value>,
    identity: &str,
    key: Option<&SecretKey>,
) {
    let snapshot = |v: &Option<&mut Value>| -> Map<String, Value> {
        match v.as_deref().and_then(|v| v.get("data")) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        }
    };
    let (old, new) = (snapshot(&before), snapshot(&after));
    let marker = |k: &str, v: &Value, side: &str| -> Value {
        Value::String(match key {
            Some(key) => key.marker(identity, k, &text(v)),
            None => {
                let other = if side == "before" { &new } else { &old };
                match other.get(k) {
                    Some(o) if o != v => format!("<secret ({side})>"),
                    _ => "<secret>".to_string(),
                }
            }
        })
    };
    for (v, side) in [(before, "before"), (after, "after")] {
        let Some(Value::Object(obj)) = v else {
            continue;
        };
        for field in ["data", "stringData"] {
            match obj.get_mut(field) {
                Some(Value::Object(data)) => {
                    for (k, value) in data.iter_mut() {
                        *value = marker(k, value, side);
                    }
                }
                Some(other) if !other.is_null() => *other = Value::String("<secret>".into()),
                _ => {}
            }
        }
    }
}

pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn secrets_are_recognised_by_normalised_group_and_kind() {
        for (api_version, kind) in [
            ("v1", "Secret"),
            ("/v1", "Secret"),
            (" v1", "secret"),
            ("v1", "SECRET"),
        ] {
            assert!(
                is_secret(&json!({"apiVersion": api_version, "kind": kind})),
                "{api_version} {kind}"
            );
        }
        assert!(!is_secret(
            &json!({"apiVersion": "example.com/v1", "kind": "Secret"})
        ));
        assert!(!is_secret(
            &json!({"apiVersion": "v1", "kind": "ConfigMap"})
        ));
    }

    #[test]
    fn the_marker_says_only_changed_or_unchanged() {
        let mut a = json!({"data": {"pin": "MTIzNDU2", "same": "eA==", "gone": "eQ=="}});
        let mut b = json!({"data": {"pin": "NjU0MzIx", "same": "eA==", "new": "eg=="}});
        mask(Some(&mut a), Some(&mut b), "Secret ns/s", None);
        assert_eq!(
            a["data"],
            json!({"pin": "<secret (before)>", "same": "<secret>", "gone": "<secret>"})
        );
        assert_eq!(
            b["data"],
            json!({"pin": "<secret (after)>", "same": "<secret>", "new": "<secret>"})
        );
    }

    #[test]
    fn hmac_markers_depend_on_the_key_and_the_object() {
        let key = SecretKey::new(b"0123456789abcdef0123456789abcdef\n").unwrap();
        let other = SecretKey::new(b"fedcba9876543210fedcba9876543210").unwrap();
        let m = |k: &SecretKey, id: &str| {
            let mut v = json!({"data": {"pin": "MTIzNDU2"}});
            mask(None, Some(&mut v), id, Some(k));
            v["data"]["pin"].as_str().unwrap().to_string()
        };
        assert!(m(&key, "Secret a/s").starts_with("<secret hmac:"));
        assert_eq!(m(&key, "Secret a/s"), m(&key, "Secret a/s"));
        assert_ne!(m(&key, "Secret a/s"), m(&key, "Secret b/s"));
        assert_ne!(m(&key, "Secret a/s"), m(&other, "Secret a/s"));
        assert!(SecretKey::new(b"short").is_err());
    }
}

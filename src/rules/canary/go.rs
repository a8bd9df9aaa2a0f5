//! Go semantics the controller's checks depend on: `strconv.Atoi`, `json.Marshal`, `%v`/`%s`/`%T`
//! and apimachinery's name validation.

use super::*;

/// `getIntOrPercentValue` of `invalidMaxSurgeMaxUnavailable`: `"N%"` is N, any other string is
/// `strconv.Atoi` of it (0 when not a number; ±max on overflow), an integer is itself.
pub fn int_or_percent(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            if let Some(digits) = s.strip_suffix('%')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                return saturating_atoi(digits).unwrap_or(0);
            }
            saturating_atoi(s).unwrap_or(0)
        }
        _ => 0,
    }
}

/// Go's `strconv.Atoi` value, ignoring its error: `None` for a syntax error, the largest
/// value of the sign on overflow.
pub(super) fn saturating_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(atoi(s).unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// `RolloutPause.DurationSeconds()`: an integer, a string parsed as a 32-bit integer, else as
/// a Go duration (truncated to seconds); -1 when it is neither; 0 when absent.
pub fn pause_seconds(duration: Option<&Value>) -> i64 {
    match duration {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => {
            if let Some(n) = atoi(s).filter(|n| i32::try_from(*n).is_ok()) {
                return n;
            }
            match go_duration(s) {
                // Go refuses durations beyond ±2^63 ns.
                Some(ns) if ns.abs() <= 9.223_372_036_854_775e18 => {
                    let seconds = (ns / 1e9).trunc();
                    seconds.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i64
                }
                _ => -1,
            }
        }
        Some(_) => 0,
    }
}

/// `fieldpath.ExtractFieldPathAsString` accepts the path (for a Rollout).
pub fn downward_api_path(path: &str) -> bool {
    if let Some(rest) = path.strip_suffix("']")
        && let Some((field, subscript)) = rest.split_once("['")
        && !field.is_empty()
    {
        return match field {
            "metadata.annotations" => is_qualified_name(&subscript.to_lowercase()),
            "metadata.labels" => is_qualified_name(subscript),
            _ => false,
        };
    }
    matches!(
        path,
        "metadata.annotations"
            | "metadata.labels"
            | "metadata.name"
            | "metadata.namespace"
            | "metadata.uid"
    )
}

/// apimachinery's `IsQualifiedName`: `[prefix/]name`, the prefix a DNS subdomain, the name at
/// most 63 characters of `[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]`.
pub(super) fn is_qualified_name(value: &str) -> bool {
    let name = match value.split('/').collect::<Vec<_>>()[..] {
        [name] => name,
        [prefix, name] if is_dns_subdomain(prefix) => name,
        _ => return false,
    };
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// apimachinery's `IsDNS1123Subdomain`.
pub(super) fn is_dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `json.Marshal` as Go writes it: like serde_json, plus `<`, `>`, `&`, U+2028 and U+2029
/// escaped.
pub(super) fn go_json(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `field.Invalid` with a struct value: rendered with `json.Marshal`.
pub(super) fn invalid_json(path: &str, value: &Value, detail: &str) -> String {
    match value {
        Value::Object(_) | Value::Array(_) => {
            format!("{path}: Invalid value: {}: {detail}", go_json(value))
        }
        _ => invalid(path, value, detail),
    }
}

/// A `*StringMatch` as Go marshals it (`null`, or `exact`/`prefix`/`regex` when non-empty).
pub(super) fn string_match_json(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(m) => {
            let mut out = Map::new();
            for key in ["exact", "prefix", "regex"] {
                let s = text(m, key);
                if !s.is_empty() {
                    out.insert(key.into(), json!(s));
                }
            }
            Value::Object(out)
        }
    }
}

/// A `SetHeaderRoute` as Go marshals it.
pub(super) fn header_route_json(route: &Value) -> Value {
    let mut out = Map::new();
    let name = text(route, "name");
    if !name.is_empty() {
        out.insert("name".into(), json!(name));
    }
    let matches: Vec<Value> = items(route.get("match"))
        .map(|(_, m)| {
            json!({
                "headerName": text(m, "headerName"),
                "headerValue": string_match_json(m.get("headerValue")),
            })
        })
        .collect();
    if !matches.is_empty() {
        out.insert("match".into(), Value::Array(matches));
    }
    Value::Object(out)
}

/// A `SetMirrorRoute` as Go marshals it.
pub(super) fn mirror_route_json(route: &Value) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(text(route, "name")));
    let matches: Vec<Value> = items(route.get("match"))
        .map(|(_, m)| {
            let mut o = Map::new();
            for key in ["method", "path"] {
                if let Some(v) = set(m, key) {
                    o.insert(key.into(), string_match_json(Some(v)));
                }
            }
            if let Some(headers) = m
                .get("headers")
                .and_then(Value::as_object)
                .filter(|h| !h.is_empty())
            {
                let mut keys: Vec<&String> = headers.keys().collect();
                keys.sort();
                let mut h = Map::new();
                for k in keys {
                    // A map value is a struct, not a pointer: null is `{}`.
                    let v = string_match_json(Some(&headers[k]));
                    h.insert(k.clone(), if v.is_null() { json!({}) } else { v });
                }
                o.insert("headers".into(), Value::Object(h));
            }
            Value::Object(o)
        })
        .collect();
    if !matches.is_empty() {
        out.insert("match".into(), Value::Array(matches));
    }
    if let Some(p) = set(route, "percentage") {
        out.insert("percentage".into(), p.clone());
    }
    Value::Object(out)
}

/// An `AnalysisRunArgument` as Go marshals it.
pub(super) fn argument_json(arg: &Value) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(text(arg, "name")));
    let value = text(arg, "value");
    if !value.is_empty() {
        out.insert("value".into(), json!(value));
    }
    if let Some(from) = set(arg, "valueFrom") {
        let mut f = Map::new();
        if let Some(hash) = set(from, "podTemplateHashValue") {
            f.insert("podTemplateHashValue".into(), hash.clone());
        }
        if let Some(field_ref) = set(from, "fieldRef") {
            f.insert(
                "fieldRef".into(),
                json!({"fieldPath": text(field_ref, "fieldPath")}),
            );
        }
        out.insert("valueFrom".into(), Value::Object(f));
    }
    Value::Object(out)
}

/// Go's `%v` of a decoded JSON value.
pub(super) fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_v(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%T` of a decoded JSON value.
pub(super) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%s` of a decoded JSON value (`%!s(int64=5)` for what is not a string).
pub(super) fn go_s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_s).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => go_v(v),
        other => format!("%!s({}={})", go_type(other), go_v(other)),
    }
}

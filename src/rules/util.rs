//! What many rules share: the controller's message format, Go's parsing of int-or-string
//! values and durations, and JSON access.

use serde_json::Value;

use crate::yaml::dotted_path;

/// JSON-pointer lookup without allocating: `serde_json`'s `Value::pointer` unescapes every
/// segment into a new string, which made pointer lookups the largest cost of the rules.
pub trait Lookup {
    fn lookup(&self, pointer: &str) -> Option<&Value>;
}

impl Lookup for Value {
    fn lookup(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut target = self;
        for token in rest.split('/') {
            let unescaped;
            let key = if token.contains('~') {
                unescaped = token.replace("~1", "/").replace("~0", "~");
                unescaped.as_str()
            } else {
                token
            };
            target = match target {
                // Kubernetes mappings are small: comparing keys (length first) beats
                // hashing each one with SipHash, which serde_json's ordered map does.
                Value::Object(map) if map.len() <= 16 => {
                    map.iter().find(|(k, _)| k.as_str() == key)?.1
                }
                Value::Object(map) => map.get(key)?,
                Value::Array(items) => {
                    if key.len() > 1 && key.starts_with('0') || key.starts_with('+') {
                        return None;
                    }
                    items.get(key.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(target)
    }
}

/// `v[key]` of a mapping, found as [`Lookup`] finds it (small maps compared, not hashed).
pub fn child<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Object(map) if map.len() <= 16 => {
            map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        }
        Value::Object(map) => map.get(key),
        _ => None,
    }
}

/// A value as apimachinery's `field.Invalid` renders it: strings quoted (Go `%q`), numbers
/// and booleans bare, anything else as JSON.
pub fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// `<path>: Invalid value: <v>: <detail>`, the text of the controller's condition.
pub fn invalid(path: &str, value: &Value, detail: &str) -> String {
    format!("{path}: Invalid value: {}: {detail}", go_value(value))
}

/// `<path>: Required value: <detail>`.
pub fn required(path: &str, detail: &str) -> String {
    if detail.is_empty() {
        format!("{path}: Required value")
    } else {
        format!("{path}: Required value: {detail}")
    }
}

/// `<path>: Forbidden: <detail>`.
pub fn forbidden(path: &str, detail: &str) -> String {
    format!("{path}: Forbidden: {detail}")
}

/// `<path>: Internal error: <detail>`.
pub fn internal(path: &str, detail: &str) -> String {
    format!("{path}: Internal error: {detail}")
}

/// `<path>: Duplicate value: <v>`.
pub fn duplicate(path: &str, value: &Value) -> String {
    format!("{path}: Duplicate value: {}", go_value(value))
}

/// `<path>: Unsupported value: <v>: supported values: "a", "b"`.
pub fn not_supported(path: &str, value: &Value, supported: &[&str]) -> String {
    let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    format!(
        "{path}: Unsupported value: {}: supported values: {}",
        go_value(value),
        list.join(", ")
    )
}

/// The Go-style field path (`spec.strategy.steps[1]`) of a JSON pointer.
pub fn path(pointer: &str) -> String {
    dotted_path(pointer)
}

/// An integer field, if it holds one.
pub fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

/// `IntOrString.IntValue()`: an integer, or a string parsed with Go's `strconv.Atoi`, where a
/// non-numeric string silently becomes 0.
pub fn int_value(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => atoi(s).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `strconv.Atoi`: optional sign, ASCII digits only.
pub fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go's `time.ParseDuration`, to nanoseconds. `None` when Go would refuse the text.
pub fn go_duration(s: &str) -> Option<f64> {
    let (sign, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Some(sign * total)
}

/// The strings of a JSON array (others skipped).
pub fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The items of a JSON array, with their index.
pub fn items(v: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// A non-empty string field.
pub fn str_of<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.lookup(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_agrees_with_serde_json_pointer() {
        let v = json!({"a": {"b/c": [1, {"d~e": 2}], "": 3}, "x": [[0]]});
        for p in [
            "",
            "/",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/d~0e",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/a/b~1c/2",
            "/a/",
            "/x/0/0",
            "/x/0/0/0",
            "a",
            "/missing",
            "/a/b~1c/-1",
        ] {
            assert_eq!(v.lookup(p), v.pointer(p), "{p:?}");
        }
    }

    #[test]
    fn go_rendering() {
        assert_eq!(go_value(&json!("svc")), "\"svc\"");
        assert_eq!(go_value(&json!(0)), "0");
        assert_eq!(go_value(&json!({"app": "x"})), "{\"app\":\"x\"}");
        assert_eq!(
            invalid(
                "spec.replicas",
                &json!(-1),
                "must be greater than or equal to 0"
            ),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            not_supported(
                "spec.template.spec.restartPolicy",
                &json!("Never"),
                &["Always"]
            ),
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""
        );
    }

    #[test]
    fn go_parsing() {
        assert_eq!(atoi("+5"), Some(5));
        assert_eq!(atoi("5%"), None);
        assert_eq!(int_value(&json!("25%")), 0);
        assert_eq!(int_value(&json!("3")), 3);
        assert_eq!(go_duration("1m30s"), Some(90e9));
        assert_eq!(go_duration("1.5h"), Some(5400e9));
        assert_eq!(go_duration("0"), Some(0.0));
        assert_eq!(go_duration("5"), None);
        assert_eq!(go_duration("5x"), None);
        assert_eq!(go_duration(""), None);
        assert_eq!(go_duration("-2s"), Some(-2e9));
    }
}

//! Kubernetes' own syntax rules (apimachinery validation) that the controller applies to a
//! Rollout's selector and pod template: names, labels, quantities.

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Dot-separated DNS-1123 labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters (label keys' names and
/// label values).
fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name part.
pub fn qualified_name_error(key: &str) -> Option<&'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns1123_subdomain(p)
    {
        return Some(
            "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        );
    }
    if name.is_empty() {
        return Some("name part must be non-empty");
    }
    if name.len() > 63 {
        return Some("name part must be no more than 63 characters");
    }
    if !is_name_part(name) {
        return Some(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        );
    }
    None
}

/// A label value: empty, or a name part.
pub fn label_value_error(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return None;
    }
    if value.len() > 63 {
        return Some("must be no more than 63 characters");
    }
    (!is_name_part(value)).then_some(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    )
}

/// An IANA service name (a named port): 1-15 lower-case letters, digits and non-adjacent
/// hyphens, with at least one letter.
pub fn iana_svc_name_error(s: &str) -> Option<&'static str> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return Some("must be no more than 15 characters");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        return Some("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if s.contains("--") {
        return Some("must not contain consecutive hyphens");
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Some("must contain at least one letter (a-z)");
    }
    if b[0] == b'-' || b[b.len() - 1] == b'-' {
        return Some("must not begin or end with a hyphen");
    }
    None
}

/// An environment variable name: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
pub fn is_env_var_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A resource quantity (`500m`, `1Gi`, `1e3`, `0.5`) in base units, or `None` when Kubernetes
/// would refuse it.
pub fn quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    if digits.is_empty()
        || digits == "."
        || digits.matches('.').count() > 1
        || digits.contains(['+', '-'])
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp if exp.starts_with(['e', 'E']) => {
            let e: i32 = exp[1..].parse().ok()?;
            10f64.powi(e)
        }
        _ => return None,
    };
    Some(value * scale)
}

/// A quantity written as YAML: a string or a number.
pub fn quantity_of(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::String(s) => quantity(s),
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns1123_label("shop-1"));
        assert!(!is_dns1123_label("Shop"));
        assert!(!is_dns1123_label("-a"));
        assert!(qualified_name_error("app.kubernetes.io/name").is_none());
        assert!(qualified_name_error("app").is_none());
        assert!(qualified_name_error("Bad_/x").is_some());
        assert!(qualified_name_error("a b").is_some());
        assert!(label_value_error("").is_none());
        assert!(label_value_error("v1.2_x").is_none());
        assert!(label_value_error("no spaces").is_some());
        assert!(iana_svc_name_error("http").is_none());
        assert!(iana_svc_name_error("8080").is_some());
        assert!(iana_svc_name_error("http--x").is_some());
        assert!(is_env_var_name("MY_VAR.x"));
        assert!(!is_env_var_name("1VAR"));
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("500m"), Some(0.5));
        assert_eq!(quantity("1Gi"), Some(1073741824.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("invalid"), None);
        assert_eq!(quantity("1.5.2"), None);
        assert_eq!(quantity("10 Mi"), None);
    }
}

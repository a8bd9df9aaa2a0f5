//! Kubernetes' own syntax rules (apimachinery validation) that the controller applies to a
//! Rollout's selector and pod template: names, labels, quantities.

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63 && label_pattern(s, false)
}

/// Dot-separated DNS-1123 labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && subdomain_pattern(s)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (or, `alpha_first`, `[a-z]([-a-z0-9]*[a-z0-9])?`), of any
/// length.
fn label_pattern(s: &str, alpha_first: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && (b[0].is_ascii_lowercase() || (!alpha_first && b[0].is_ascii_digit()))
        && b[b.len() - 1] != b'-'
}

/// `label(\.label)*`: what the API server's subdomain regex matches (labels of any length).
fn subdomain_pattern(s: &str) -> bool {
    s.split('.').all(|l| label_pattern(l, false))
}

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED_NAME_MSG: &str = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// apimachinery's `IsDNS1123Label`: every message it gives.
pub fn dns1123_label_errors(s: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters");
    }
    if !label_pattern(s, false) {
        errs.push(if subdomain_pattern(s) {
            "must not contain dots"
        } else {
            DNS1123_LABEL_MSG
        });
    }
    errs
}

/// apimachinery's `IsDNS1123Subdomain`.
pub fn dns1123_subdomain_errors(s: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters");
    }
    if !subdomain_pattern(s) {
        errs.push(DNS1123_SUBDOMAIN_MSG);
    }
    errs
}

/// apimachinery's `IsDNS1035Label`: a DNS label that starts with a letter.
pub fn dns1035_label_errors(s: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters");
    }
    if !label_pattern(s, true) {
        errs.push(DNS1035_LABEL_MSG);
    }
    errs
}

/// apimachinery's `IsValidPathSegmentName`: what every object name must be.
pub fn path_segment_errors(s: &str) -> Vec<&'static str> {
    match s {
        "." => return vec!["may not be '.'"],
        ".." => return vec!["may not be '..'"],
        _ => {}
    }
    let mut errs = Vec::new();
    if s.contains('/') {
        errs.push("may not contain '/'");
    }
    if s.contains('%') {
        errs.push("may not contain '%'");
    }
    errs
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, of any length (label keys' names and label
/// values).
fn name_part_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// apimachinery's `IsQualifiedName` (label keys, annotation keys, finalizers): an optional
/// DNS subdomain prefix and `/`, then a name part.
pub fn qualified_name_errors(key: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    let mut parts = key.splitn(3, '/');
    let (first, second, third) = (parts.next(), parts.next(), parts.next());
    let name = match (first, second, third) {
        (Some(name), None, _) => name,
        (Some(prefix), Some(name), None) => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty");
            } else {
                if prefix.len() > 253 {
                    errs.push("prefix part must be no more than 253 characters");
                }
                if !subdomain_pattern(prefix) {
                    errs.push(PREFIX_SUBDOMAIN_MSG);
                }
            }
            name
        }
        _ => return vec![QUALIFIED_NAME_MSG],
    };
    if name.is_empty() {
        errs.push("name part must be non-empty");
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters");
    }
    if !name_part_pattern(name) {
        errs.push(NAME_PART_MSG);
    }
    errs
}

const PREFIX_SUBDOMAIN_MSG: &str = "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// apimachinery's `IsValidLabelValue`: empty, or a name part of at most 63 characters.
pub fn label_value_errors(value: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters");
    }
    if !value.is_empty() && !name_part_pattern(value) {
        errs.push(LABEL_VALUE_MSG);
    }
    errs
}

/// A label or annotation key's first problem.
pub fn qualified_name_error(key: &str) -> Option<&'static str> {
    qualified_name_errors(key).into_iter().next()
}

/// A label value's first problem.
pub fn label_value_error(value: &str) -> Option<&'static str> {
    label_value_errors(value).into_iter().next()
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
    fn name_messages_as_apimachinery_gives_them() {
        assert_eq!(dns1035_label_errors("shop-active"), Vec::<&str>::new());
        assert_eq!(dns1035_label_errors("1shop"), vec![DNS1035_LABEL_MSG]);
        assert_eq!(dns1123_label_errors("1shop"), Vec::<&str>::new());
        assert_eq!(dns1123_label_errors("a.b"), vec!["must not contain dots"]);
        assert_eq!(
            dns1123_label_errors(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        // The subdomain pattern puts no bound on one label; only the whole is bounded.
        assert!(dns1123_subdomain_errors(&"a".repeat(100)).is_empty());
        assert_eq!(
            dns1123_subdomain_errors("Shop_Active"),
            vec![DNS1123_SUBDOMAIN_MSG]
        );
        assert_eq!(path_segment_errors("system:view"), Vec::<&str>::new());
        assert_eq!(
            path_segment_errors("a/b%"),
            vec!["may not contain '/'", "may not contain '%'"]
        );
        assert_eq!(path_segment_errors(".."), vec!["may not be '..'"]);
        assert_eq!(
            qualified_name_errors("/x"),
            vec!["prefix part must be non-empty"]
        );
        assert_eq!(
            qualified_name_errors("a/"),
            vec!["name part must be non-empty", NAME_PART_MSG]
        );
        assert_eq!(qualified_name_errors("a/b/c"), vec![QUALIFIED_NAME_MSG]);
        assert_eq!(qualified_name_errors("bad key!"), vec![NAME_PART_MSG]);
        assert_eq!(
            label_value_errors(&format!("{} x", "a".repeat(63))),
            vec!["must be no more than 63 characters", LABEL_VALUE_MSG]
        );
    }

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

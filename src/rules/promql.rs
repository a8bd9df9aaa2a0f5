//! The Services an ingress-nginx PromQL query selects, read with a small scanner: compiling a
//! regular expression for it cost a pre-commit run on one chart more than all its rules.
//!
//! What it reads, as the two patterns in the tests (which are its oracle) say:
//! a series `nginx_ingress_controller_<name>` followed by a label set `{…}` (a `}` inside a
//! quoted value does not end it), and in that set each matcher on the `service` or
//! `exported_service` label with `=` or `=~`, at the start of the set or after a comma.

/// The series whose label sets are read.
const SERIES: &str = "nginx_ingress_controller_";

/// The Services `query` selects: the names of its ingress-nginx series' `service` and
/// `exported_service` matchers (`=`, or `=~` with a plain name), each once, in order.
pub fn ingress_services(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for labels in label_sets(query) {
        for (op, name) in service_matchers(labels) {
            let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if (op == "=" || plain) && !name.is_empty() && !out.iter().any(|s| s == name) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// The text inside the braces of each ingress-nginx series of `query`, left to right; a
/// search resumes after a label set, or after a series name that has none.
fn label_sets(query: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = query[from..].find(SERIES) {
        let start = from + found;
        match label_set_at(query, start + SERIES.len()) {
            Some((labels, end)) => {
                out.push(labels);
                from = end;
            }
            None => from = start + 1,
        }
    }
    out
}

/// After a series prefix at `at`: the rest of its name, spaces, and a label set; the set's
/// text and the index just past its `}`.
fn label_set_at(query: &str, at: usize) -> Option<(&str, usize)> {
    let rest = &query[at..];
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    let after_name = &rest[name_end..];
    let open = after_name.trim_start();
    let body = open.strip_prefix('{')?;
    let body_start = query.len() - body.len();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '}' => return Some((&body[..i], body_start + i + 1)),
            '"' => loop {
                // A quoted value: an escape takes the next character but a line end.
                match chars.next()?.1 {
                    '"' => break,
                    '\\' if chars.next()?.1 == '\n' => return None,
                    _ => {}
                }
            },
            _ => {}
        }
    }
    None
}

/// Each `service` / `exported_service` matcher with `=~` or `=` and a quoted value without
/// quotes or backslashes in it, at the start of `labels` or after a comma: its operator and
/// value, left to right, none overlapping.
fn service_matchers(labels: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut at = Some(0);
    while let Some(p) = at {
        // At the start of the set a matcher may begin there or after its own comma; anywhere
        // else only after a comma.
        let found = if p == 0 {
            matcher(labels).or_else(|| after_comma(labels))
        } else {
            after_comma(&labels[p..])
        };
        let next = match found {
            Some((op, name, len)) => {
                out.push((op, name));
                p + len
            }
            None => p + 1,
        };
        at = labels
            .get(next..)
            .and_then(|rest| rest.find(','))
            .map(|i| next + i);
    }
    out
}

/// A matcher after the comma `text` starts with, its length counting the comma.
fn after_comma(text: &str) -> Option<(&str, &str, usize)> {
    let (op, name, len) = matcher(text.strip_prefix(',')?)?;
    Some((op, name, len + 1))
}

/// One matcher at the start of `text` (spaces first allowed): its operator, value and length.
fn matcher(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text.trim_start();
    let rest = rest.strip_prefix("exported_").unwrap_or(rest);
    let rest = rest.strip_prefix("service")?.trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("=~") {
        ("=~", r)
    } else {
        ("=", rest.strip_prefix('=')?)
    };
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    if !rest[end..].starts_with('"') {
        return None;
    }
    let name = &rest[..end];
    let len = text.len() - rest.len() + end + 1;
    Some((op, name, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;
    use std::sync::LazyLock;

    /// The patterns the scanner stands for.
    fn by_regex(query: &str) -> Vec<String> {
        static SERIES: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r#"nginx_ingress_controller_[A-Za-z0-9_:]*\s*\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}"#,
            )
            .unwrap()
        });
        static MATCHER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?:^|,)\s*(?:exported_)?service\s*(=~|=)\s*"([^"\\]*)""#).unwrap()
        });
        let (series, matcher) = (&*SERIES, &*MATCHER);
        let mut out: Vec<String> = Vec::new();
        for labels in series.captures_iter(query) {
            for m in matcher.captures_iter(&labels[1]) {
                let name = &m[2];
                let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if (&m[1] == "=" || plain) && !name.is_empty() && !out.iter().any(|s| s == name) {
                    out.push(name.to_owned());
                }
            }
        }
        out
    }

    #[test]
    fn ingress_services_are_read_from_the_label_matchers() {
        let q = r#"sum(rate(nginx_ingress_controller_requests{service="a",status!~"5.*"}[2m])) / sum(rate(nginx_ingress_controller_requests{ exported_service = "b" }[2m]))"#;
        assert_eq!(ingress_services(q), ["a", "b"]);
        // A regex with more than a plain name, a negative matcher, another label: not a
        // Service the query selects.
        let q = r#"nginx_ingress_controller_requests{service=~"a|b"} + nginx_ingress_controller_requests{service!="c",ingress="d"}"#;
        assert!(ingress_services(q).is_empty());
        assert_eq!(
            ingress_services(r#"nginx_ingress_controller_requests{service=~"web-preview"}"#),
            ["web-preview"]
        );
        // A `}` inside a quoted value does not end the label set.
        assert_eq!(
            ingress_services(r#"nginx_ingress_controller_requests{path="/x}",service="a"}"#),
            ["a"]
        );
        // Other metrics' `service` labels are not ingress-nginx's.
        assert!(ingress_services(r#"http_requests_total{service="a"}"#).is_empty());
    }

    #[test]
    fn edge_cases_read_as_the_patterns_read_them() {
        for q in [
            "",
            "nginx_ingress_controller_",
            "nginx_ingress_controller_{service=\"a\"}",
            "nginx_ingress_controller_x {service=\"a\"}",
            "nginx_ingress_controller_x\n\t{service=\"a\"}",
            "nginx_ingress_controller_x{service=\"a\"",
            "nginx_ingress_controller_x{path=\"a\\\nb\",service=\"a\"} nginx_ingress_controller_y{service=\"b\"}",
            "nginx_ingress_controller_x{path=\"a\\\"}\",service=\"a\"}",
            "nginx_ingress_controller_x{,service=\"a\"}",
            "nginx_ingress_controller_x{,,service=\"a\"}",
            "nginx_ingress_controller_x{service=\"a\",service=\"b\",exported_service=~\"c\"}",
            "nginx_ingress_controller_x{service=\"a\"service=\"b\"}",
            "nginx_ingress_controller_x{x=\"1,service=\\\"q\\\"\",service=\"z\"}",
            "nginx_ingress_controller_x{p=\"a,service=\"}",
            "nginx_ingress_controller_nginx_ingress_controller_{service=\"a\"}",
            "nginx_ingress_controller_a nginx_ingress_controller_b{service=\"b\"}",
            "nginx_ingress_controller_x{service=\"\"}",
            "nginx_ingress_controller_x{service=\"a\\b\",service=\"c\"}",
            "nginx_ingress_controller_x{ service\u{a0}=\u{2003}\"a\" }",
            "nginx_ingress_controller_é{service=\"a\"}",
        ] {
            assert_eq!(ingress_services(q), by_regex(q), "{q:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn queries_read_as_the_patterns_read_them(
            parts in proptest::collection::vec(prop_oneof![
                Just("nginx_ingress_controller_".to_owned()),
                Just("requests".to_owned()),
                Just("{".to_owned()),
                Just("}".to_owned()),
                Just("\"".to_owned()),
                Just("\\".to_owned()),
                Just(",".to_owned()),
                Just("service".to_owned()),
                Just("exported_".to_owned()),
                Just("=".to_owned()),
                Just("=~".to_owned()),
                Just("!=".to_owned()),
                Just(" ".to_owned()),
                Just("\n".to_owned()),
                Just("\u{a0}".to_owned()),
                Just("a".to_owned()),
                Just("web-preview".to_owned()),
                Just("a|b".to_owned()),
                Just("é".to_owned()),
                "[ -~]{0,3}",
            ], 0..24)
        ) {
            let q = parts.concat();
            prop_assert_eq!(ingress_services(&q), by_regex(&q), "{:?}", q);
        }
    }
}

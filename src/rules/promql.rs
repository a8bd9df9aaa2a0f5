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
///
/// Each byte is looked at a bounded number of times, whatever the query (a hostile one of
/// many unclosed `{` or one long series name costs linear time, as the expressions did):
/// every series name that starts inside another ends where it ends, and a label set's scan
/// stops where an earlier scan that found no `}` was, in the same state.
fn label_sets(query: &str) -> Vec<&str> {
    label_sets_counted(query, &mut Dead::default())
}

/// [`label_sets`], counting in `dead` the bytes it scans.
fn label_sets_counted<'q>(query: &'q str, dead: &mut Dead) -> Vec<&'q str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = query[from..].find(SERIES) {
        let name = from + found + SERIES.len();
        let name_end = query[name..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .map_or(query.len(), |i| name + i);
        dead.scanned += name_end - name;
        match label_set_after(query, name_end, dead) {
            Some((labels, end)) => {
                out.push(labels);
                from = end;
            }
            // The series names starting before `name_end` all end there, and fail the same.
            None => from = name_end,
        }
    }
    out
}

/// Outside or inside a quoted value: the two states of a label set's scan.
const OUTSIDE: u8 = 1;
const INSIDE: u8 = 2;

/// Per byte of a query, the states in which a scan that found no `}` passed it: a later
/// scan there in the same state goes the same way. And how many bytes the scans looked at,
/// which the tests bound.
#[derive(Default)]
struct Dead {
    states: Vec<u8>,
    scanned: usize,
}

impl Dead {
    fn has(&self, at: usize, state: u8) -> bool {
        self.states.get(at).is_some_and(|d| d & state != 0)
    }

    fn mark(&mut self, len: usize, trail: &[(usize, u8)]) {
        if self.states.is_empty() {
            self.states.resize(len + 1, 0);
        }
        for &(at, state) in trail {
            self.states[at] |= state;
        }
    }
}

/// After a series name ending at `at`: spaces and a label set; the set's text and the index
/// just past its `}`. The structure is ASCII, so the scan goes byte by byte (a byte of a
/// multi-byte character never equals one).
fn label_set_after<'q>(query: &'q str, at: usize, dead: &mut Dead) -> Option<(&'q str, usize)> {
    let open = query[at..].trim_start();
    if !open.starts_with('{') {
        return None;
    }
    let start = query.len() - open.len() + 1;
    let bytes = query.as_bytes();
    let mut trail = Vec::new();
    let mut i = start;
    let mut state = OUTSIDE;
    let end = loop {
        if dead.has(i, state) {
            break None;
        }
        trail.push((i, state));
        dead.scanned += 1;
        let Some(&b) = bytes.get(i) else { break None };
        match (state, b) {
            (OUTSIDE, b'}') => break Some(i),
            (OUTSIDE, b'"') => state = INSIDE,
            (INSIDE, b'"') => state = OUTSIDE,
            // An escape takes the next character, but not a line end.
            (INSIDE, b'\\') => match bytes.get(i + 1) {
                None | Some(b'\n') => break None,
                Some(_) => i += 1,
            },
            _ => {}
        }
        i += 1;
    };
    match end {
        Some(close) => Some((&query[start..close], close + 1)),
        None => {
            dead.mark(query.len(), &trail);
            None
        }
    }
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

    #[test]
    fn hostile_queries_cost_linear_time_and_read_as_the_patterns_read_them() {
        let hostile = [
            // Many label sets that never close: each scan would run to the end.
            "nginx_ingress_controller_x{\"".repeat(20_000),
            "nginx_ingress_controller_x{a=\"b\",".repeat(20_000),
            "nginx_ingress_controller_x{".repeat(20_000),
            // One long series name holding many series prefixes, and no label set.
            format!("{}{{", SERIES.repeat(20_000)),
            format!("{} x", SERIES.repeat(20_000)),
            // Quoted values that open where others close.
            "nginx_ingress_controller_x{\"}".repeat(20_000),
            // Matchers whose values never close.
            format!(
                "nginx_ingress_controller_x{{{}}}",
                ",service=\"a".repeat(20_000)
            ),
        ];
        for q in &hostile {
            let mut dead = Dead::default();
            label_sets_counted(q, &mut dead);
            assert!(
                dead.scanned <= 4 * q.len() + 16,
                "{} bytes scanned for a query of {}: {:?}…",
                dead.scanned,
                q.len(),
                &q[..40]
            );
            assert_eq!(ingress_services(q), by_regex(q), "{:?}…", &q[..40]);
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

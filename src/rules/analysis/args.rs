//! Analysis arguments and `{{…}}` placeholders, as the controller resolves them.
//!
//! The controller substitutes arguments into a metric by rendering the metric as JSON
//! (`json.Marshal`), running it through `fasttemplate` with `{{` and `}}` as delimiters and
//! parsing the result back (`utils/analysis/factory.go ResolveMetricArgs`,
//! `utils/template/template.go`). So *every* `{{…}}` anywhere in the metric is a placeholder —
//! in a Prometheus query, a shell command, a label — and the tag text is matched, after
//! trimming spaces, against `args.<name>`; the text echoed in an error is the JSON-escaped one.

use crate::rules::util::Lookup as _;
use std::collections::HashSet;

use serde_json::Value;

use crate::manifest::Object;
use crate::rules::util::items;

/// What an argument resolves to when the template gives it no value (validation only).
pub const DUMMY_VALUE: &str = "dummy-value";

/// One `spec.args[]` entry of a template (or AnalysisRun).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateArg<'a> {
    pub name: &'a str,
    /// `value`, when set (also when set to `""`); a number or boolean is read as its text.
    pub value: Option<String>,
    /// `valueFrom`, when set.
    pub value_from: Option<&'a Value>,
    /// Index in `spec.args`.
    pub index: usize,
}

impl TemplateArg<'_> {
    /// Neither `value` nor `valueFrom`: the referencing Rollout must pass it.
    pub fn is_unset(&self) -> bool {
        self.value.is_none() && self.value_from.is_none()
    }

    /// `valueFrom.secretKeyRef` is set.
    pub fn is_secret(&self) -> bool {
        self.value_from
            .and_then(|v| v.get("secretKeyRef"))
            .is_some_and(|v| !v.is_null())
    }
}

/// The `spec.args` of a template or AnalysisRun.
pub fn template_args(object: &Object) -> Vec<TemplateArg<'_>> {
    args_of(object.value.lookup("/spec/args"))
}

/// The entries of an `args` list.
pub fn args_of(list: Option<&Value>) -> Vec<TemplateArg<'_>> {
    items(list)
        .map(|(index, a)| TemplateArg {
            name: a.get("name").and_then(Value::as_str).unwrap_or(""),
            value: scalar(a.get("value")),
            value_from: a.get("valueFrom").filter(|v| !v.is_null()),
            index,
        })
        .collect()
}

/// A string field as Go would hold it: absent or `null` is nil; a scalar is its text.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// Two templates give one argument two different values (`flattenArgs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub name: String,
    pub first: String,
    pub second: String,
}

/// The arguments of several templates merged as `flattenArgs` merges them: the first non-nil
/// value wins, an argument without value is replaced whole by a later one with the same
/// name, two different values conflict (the first is kept, as if the error were fixed).
pub fn flatten<'a>(templates: &[&'a Object]) -> (Vec<TemplateArg<'a>>, Vec<Conflict>) {
    let mut merged: Vec<TemplateArg<'a>> = Vec::new();
    let mut conflicts = Vec::new();
    for template in templates {
        for arg in template_args(template) {
            match merged.iter_mut().find(|a| a.name == arg.name) {
                None => merged.push(arg),
                Some(prev) => match (&prev.value, &arg.value) {
                    (Some(a), Some(b)) if a != b => conflicts.push(Conflict {
                        name: arg.name.to_owned(),
                        first: a.clone(),
                        second: b.clone(),
                    }),
                    (None, _) => *prev = arg,
                    _ => {}
                },
            }
        }
    }
    (merged, conflicts)
}

/// The text `json.Marshal` gives a metric: top-level fields in the Go struct's order (fields
/// Go does not know are dropped), nested objects in document order, strings escaped as Go
/// escapes them (`<`, `>`, `&` included).
pub fn metric_json(metric: &Value) -> String {
    const ORDER: [&str; 11] = [
        "name",
        "interval",
        "initialDelay",
        "count",
        "successCondition",
        "failureCondition",
        "failureLimit",
        "inconclusiveLimit",
        "consecutiveErrorLimit",
        "provider",
        "consecutiveSuccessLimit",
    ];
    let mut out = String::from("{");
    if let Some(map) = metric.as_object() {
        let mut first = true;
        for key in ORDER {
            let Some(v) = map.get(key).filter(|v| !v.is_null()) else {
                continue;
            };
            if !first {
                out.push(',');
            }
            first = false;
            go_string(key, &mut out);
            out.push(':');
            go_json(v, &mut out);
        }
    }
    out.push('}');
    out
}

/// Compact JSON with Go's string escaping.
pub fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => go_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(k, out);
                out.push(':');
                go_json(x, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A JSON string as Go's `encoding/json` writes it.
pub fn go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The tags of a text as `fasttemplate` splits it: the text between each `{{` and the next
/// `}}`. `Err` holds the text after a `{{` that is never closed (the template fails to parse).
pub fn tags(text: &str) -> Result<Vec<&str>, &str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("}}") else {
            return Err(rest);
        };
        out.push(&rest[..end]);
        rest = &rest[end + 2..];
    }
    Ok(out)
}

/// Whether a tag names one of `names` (`args.<name>` after trimming spaces, as Go's
/// `strings.TrimSpace`).
pub fn names_arg(tag: &str, names: &HashSet<&str>) -> bool {
    tag.trim_matches(go_space)
        .strip_prefix("args.")
        .is_some_and(|n| names.contains(n))
}

/// The argument a tag names, if it has the `args.` form.
pub fn tag_arg(tag: &str) -> Option<&str> {
    tag.trim_matches(go_space).strip_prefix("args.")
}

/// `unicode.IsSpace`.
fn go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c > '\u{ff}' && c.is_whitespace())
}

/// What a metric's placeholders do when resolved against a set of argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'t> {
    /// Every tag names an argument.
    Resolved,
    /// These tags (distinct, in order) name nothing.
    Unresolved(Vec<&'t str>),
    /// A `{{` is never closed; the text after it.
    Unclosed(&'t str),
}

/// Resolves the tags of a metric's JSON text against argument names.
pub fn resolution<'t>(json: &'t str, names: &HashSet<&str>) -> Resolution<'t> {
    match tags(json) {
        Err(rest) => Resolution::Unclosed(rest),
        Ok(tags) => {
            let mut bad: Vec<&str> = Vec::new();
            for t in tags {
                if !names_arg(t, names) && !bad.contains(&t) {
                    bad.push(t);
                }
            }
            if bad.is_empty() {
                Resolution::Resolved
            } else {
                Resolution::Unresolved(bad)
            }
        }
    }
}

/// Substitutes the tags of one string field; `None` when a tag names no argument `value`
/// gives, or a `{{` is not closed.
pub fn substitute(s: &str, value: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        rest = &rest[start + 2..];
        let end = rest.find("}}")?;
        out.push_str(&value(tag_arg(&rest[..end])?)?);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names<'a>(list: &[&'a str]) -> HashSet<&'a str> {
        list.iter().copied().collect()
    }

    #[test]
    fn tags_are_split_like_fasttemplate() {
        assert_eq!(
            tags("a {{args.x}} b {{ args.y }}"),
            Ok(vec!["args.x", " args.y "])
        );
        assert_eq!(tags("no tags } { }}"), Ok(vec![]));
        assert_eq!(tags("x {{ open"), Err(" open"));
        // The first `}}` closes, whatever sits in between.
        assert_eq!(tags("{{a{{b}}c}}"), Ok(vec!["a{{b"]));
    }

    #[test]
    fn spacing_inside_tags_is_trimmed() {
        let n = names(&["x", "rev"]);
        assert!(names_arg("args.x", &n));
        assert!(names_arg(" args.x ", &n));
        assert!(names_arg("\targs.rev ", &n));
        assert!(!names_arg("args. x", &n));
        assert!(!names_arg("args.y", &n));
        assert!(!names_arg("x", &n));
        assert!(!names_arg("ARGS.x", &n));
    }

    #[test]
    fn any_placeholder_counts() {
        let m = json!({
            "name": "m",
            "provider": {"job": {"spec": {"template": {"spec": {"containers": [{
                "name": "c", "args": ["echo {{ .Values.x }} {{args.x}}"]
            }]}}}}}
        });
        let text = metric_json(&m);
        assert_eq!(
            resolution(&text, &names(&["x"])),
            Resolution::Unresolved(vec![" .Values.x "])
        );
        assert_eq!(
            resolution(&text, &names(&[])),
            Resolution::Unresolved(vec![" .Values.x ", "args.x"])
        );
    }

    #[test]
    fn tag_text_is_the_json_text() {
        let m = json!({"name": "m", "successCondition": "{{ args.a > \"1\" }}", "provider": {}});
        let text = metric_json(&m);
        assert_eq!(
            resolution(&text, &names(&["a"])),
            Resolution::Unresolved(vec![" args.a \\u003e \\\"1\\\" "])
        );
        // A newline inside a tag is `\n` in JSON, which is not trimmed.
        let m = json!({"name": "m", "successCondition": "{{\nargs.a}}", "provider": {}});
        assert_eq!(
            resolution(&metric_json(&m), &names(&["a"])),
            Resolution::Unresolved(vec!["\\nargs.a"])
        );
    }

    #[test]
    fn metric_json_follows_go_field_order_and_drops_unknown_fields() {
        let m =
            json!({"provider": {"web": {"url": "u"}}, "count": 2, "name": "m", "bogus": "{{x}}"});
        assert_eq!(
            metric_json(&m),
            r#"{"name":"m","count":2,"provider":{"web":{"url":"u"}}}"#
        );
    }

    #[test]
    fn unclosed_tag() {
        let m = json!({"name": "m", "successCondition": "{{ args.a", "provider": {}});
        let text = metric_json(&m);
        assert!(matches!(
            resolution(&text, &names(&["a"])),
            Resolution::Unresolved(_)
        ));
        let m = json!({"name": "m{{"});
        assert_eq!(
            resolution(&metric_json(&m), &names(&[])),
            Resolution::Unclosed("\"}")
        );
    }

    #[test]
    fn substitution() {
        let v = |n: &str| (n == "count").then(|| "3".to_owned());
        assert_eq!(substitute("{{args.count}}", v).as_deref(), Some("3"));
        assert_eq!(substitute("{{ args.count }}0", v).as_deref(), Some("30"));
        assert_eq!(substitute("5", v).as_deref(), Some("5"));
        assert_eq!(substitute("{{args.other}}", v), None);
        assert_eq!(substitute("{{count}}", v), None);
        assert_eq!(substitute("{{args.count", v), None);
    }

    #[test]
    fn flatten_keeps_first_value_and_replaces_nil() {
        let t1: Object =
            obj(json!({"spec": {"args": [{"name": "a"}, {"name": "b", "value": "1"}]}}));
        let t2: Object = obj(
            json!({"spec": {"args": [{"name": "a", "value": "x"}, {"name": "b", "value": "2"}, {"name": "c", "value": null}]}}),
        );
        let (merged, conflicts) = flatten(&[&t1, &t2]);
        let got: Vec<(&str, Option<&str>)> = merged
            .iter()
            .map(|a| (a.name, a.value.as_deref()))
            .collect();
        assert_eq!(got, vec![("a", Some("x")), ("b", Some("1")), ("c", None)]);
        assert_eq!(
            conflicts,
            vec![Conflict {
                name: "b".into(),
                first: "1".into(),
                second: "2".into()
            }]
        );
        // A nil value never conflicts, and does not replace a value.
        let (merged, conflicts) = flatten(&[&t2, &t1]);
        assert_eq!(merged[0].value.as_deref(), Some("x"));
        assert_eq!(conflicts.len(), 1);
    }

    fn obj(value: Value) -> Object {
        let mut value = value;
        value["apiVersion"] = json!("argoproj.io/v1alpha1");
        value["kind"] = json!("AnalysisTemplate");
        value["metadata"] = json!({"name": "t"});
        let text = serde_json::to_string(&value).unwrap();
        let doc = crate::yaml::parse_documents(&text).unwrap().remove(0);
        Object::from_document(doc, "t.yaml").unwrap()
    }
}

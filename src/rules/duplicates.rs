//! One application holds one object of each identity (group, kind, namespace, name). Two
//! copies are not merged: `kubectl apply` lets the last one win, Argo CD warns
//! (`RepeatedResourceWarning`) and applies one of them, and which one depends on file order.
//! Each copy is reported, naming where the other is.

use std::collections::HashMap;

use super::{Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&APP_01];

/// Where an object's name is written, as `file:line:col`.
fn place(o: &Object) -> String {
    let pos = o
        .positions
        .nearest("/metadata/name")
        .map(|p| p.value)
        .unwrap_or_default();
    format!("{}:{}:{}", o.source, pos.line.max(1), pos.column.max(1))
}

pub static APP_01: Rule = Rule {
    id: "APP-01",
    name: "duplicate-object",
    severity: Severity::Error,
    doc: "an application holds one object of each group, kind, namespace and name; every copy is reported with the others' file:line",
    check: |ctx: &Context<'_>, sink: &mut Sink<'_>| {
        let mut by_name: HashMap<(&str, &str, &str), Vec<&Object>> = HashMap::new();
        for o in ctx.objects.iter().filter(|o| !o.id.name.is_empty()) {
            by_name
                .entry((o.id.group(), o.id.kind.as_str(), o.id.name.as_str()))
                .or_default()
                .push(o);
        }
        let mut groups: Vec<Vec<&Object>> = Vec::new();
        for same_name in by_name.into_values().filter(|v| v.len() > 1) {
            // The namespace counts only for namespaced kinds.
            let mut by_namespace: HashMap<Option<&str>, Vec<&Object>> = HashMap::new();
            for o in same_name {
                let ns = crate::kinds::is_namespaced_kind(&o.value)
                    .then_some(o.id.namespace.as_deref())
                    .flatten();
                by_namespace.entry(ns).or_default().push(o);
            }
            groups.extend(by_namespace.into_values().filter(|v| v.len() > 1));
        }
        for copies in groups {
            // A handful of the others is enough to find them all.
            const SHOWN: usize = 3;
            let places: Vec<String> = copies.iter().take(SHOWN + 1).map(|c| place(c)).collect();
            for (i, o) in copies.iter().enumerate() {
                let others: Vec<&str> = places
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| p.as_str())
                    .take(SHOWN)
                    .collect();
                let rest = copies.len() - 1 - others.len();
                let more = if rest > 0 {
                    format!(" and {rest} more")
                } else {
                    String::new()
                };
                sink.report(
                    o,
                    "/metadata/name",
                    format!(
                        "{} is defined {} times in this application: also at {}{more}",
                        o.id,
                        copies.len(),
                        others.join(", ")
                    ),
                )
                .help("keep one copy: the cluster holds one object per group, kind, namespace and name, and which copy wins depends on file order (split two environments into their own directories)");
            }
        }
    },
};
